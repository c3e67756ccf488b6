"""Accuracy on long reads the project did not generate: pbsim sequences fusion transcripts (PacBio CLR model).

    python benchmarks/independent_long.py [--out DIR] [--accuracies 0.98,0.95,0.90] [--depths 2,5]
                                          [--reference DIR] [--threads N] [--seed N]
                                          [--difference-ratio SUB:INS:DEL]

``benchmarks/accuracy.py --long-reads`` draws long reads with the project's own error model. Here pbsim
(Debian package pbsim, version 1; PacBio CLR model: read lengths log-normal-like around 3,000 bases and
cut at the transcript's ends, errors mostly insertions, then deletions, few substitutions, CLR quality
strings; ``--difference-ratio`` sets another mix, e.g. nanopore-like) makes every read: the fusions (the same as accuracy.py: every EML4::ALK variant, NPM1::ALK,
CLTC::ALK, three partners outside the panel; one fusion per partner gene in a sample), sequenced at a fold
depth of its transcript, join a background that pbsim also makes: every non-ALK transcript of the reference
at depth 1, canonical ALK and the ALK-ATI-like isoform at depth 15 each, and CD74::ROS1, EWSR1::FLI1 and
ETV6::NTRK3 at depth 5. Per read accuracy (pbsim's mean, standard deviation 0.02):

  - the background alone is a negative sample (every ALK call is false), and so is the background with
    wild-type ALK and ALK-ATI at depth 100 (``negative, ALK at 100x``);
  - per depth, each fusion's support is counted from pbsim's own alignments (its MAF: reads that cover the
    junction with 10+ bases each side), and every fusion is scored in the row of its support (5+ pooled):
    found, exact breakpoint, variant named, name open / wrong, false ALK calls, partner unresolved, as in
    accuracy.py;
  - the 30,201 FusionSimulatorToolkit fusion transcripts of ../shared/data (random pairs of ~2,000 non-ALK
    genes, real GRCh38 sequence) at ``--negative-depth`` (default 0.2) are one more negative sample.

Prints one markdown table to stdout (progress to stderr). Exits 0 with a note when pbsim is absent.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy as A  # noqa: E402
from independent import alk_calls, negatives_table, score_by_support, short_names, support_rows  # noqa: E402
from alkfuse.simulate import ATI_TRANSCRIPT, build_fusion, choose_transcript, parse_fusion_spec  # noqa: E402

ANCHOR = 10  # bases each side of the junction a supporting read covers
MODEL = Path("/usr/share/pbsim/models/model_qc_clr")
BACKGROUND_DEPTH, ALK_DEPTH, OTHER_FUSION_DEPTH, STRONG_ALK_DEPTH = 1.0, 15.0, 5.0, 100.0
PBSIM_MAX = 9999


DIFFERENCE_RATIO = "10:60:30"  # pbsim's CLR default, substitution:insertion:deletion


def pbsim(fasta: Path, out_dir: Path, tag: str, depth: float, accuracy: float, seed: int,
          keep_maf: bool = False, ratio: str = DIFFERENCE_RATIO) -> dict[str, list]:
    """pbsim CLR reads of every sequence of ``fasta`` into ``out_dir/{tag}.fq`` (read names prefixed with
    ``tag``, then the part and pbsim's name); returns, per sequence name, the (start, end) that each read
    covers on it (0-based, half-open, from pbsim's MAF). ``keep_maf``: pbsim's alignments stay in
    ``out_dir/pbsim_{tag}/`` (what each read holds of the junction)."""
    work = out_dir / f"pbsim_{tag}"
    work.mkdir(parents=True, exist_ok=True)
    records = fasta.read_text().split(">")[1:]
    for c in range(0, len(records), PBSIM_MAX):  # pbsim takes at most 9,999 sequences
        part = work / f"part{c // PBSIM_MAX}"
        (work / "in.fa").write_text("".join(">" + r for r in records[c : c + PBSIM_MAX]))
        cmd = ["pbsim", "--data-type", "CLR", "--depth", str(depth), "--model_qc", str(MODEL),
               "--accuracy-mean", str(accuracy), "--accuracy-sd", "0.02", "--difference-ratio", ratio,
               "--seed", str(seed + c),
               "--prefix", str(part), str(work / "in.fa")]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode:
            sys.exit(f"pbsim failed: {run.stderr.strip()[-500:]}")
    covered: dict[str, list] = {}
    with open(out_dir / f"{tag}.fq", "w") as out:
        for fq in sorted(work.glob("part*_*.fastq")):
            with open(fq) as fh:  # read names S<sequence>_<read> repeat between parts: made unique
                for i, line in enumerate(fh):
                    if i % 4 in (0, 2):
                        line = f"{line[0]}{tag}{fq.name.split('_')[0]}_{line[1:]}"
                    out.write(line)
            with open(fq.with_suffix(".maf")) as fh:
                ref = None
                for line in fh:
                    if line.startswith("s "):
                        f = line.split()
                        if ref is None:
                            ref = f[1]
                            covered.setdefault(ref, []).append((int(f[2]), int(f[2]) + int(f[3])))
                        else:
                            ref = None
    for f in work.iterdir():
        if not (keep_maf and f.suffix == ".maf"):
            f.unlink()
    if not keep_maf:
        work.rmdir()
    return covered


def write_fasta(path: Path, records) -> Path:
    with open(path, "w") as out:
        for name, seq in records:
            out.write(f">{name}\n{seq}\n")
    return path


def gzip_reads(d: Path, parts: list[Path]) -> None:
    """``d/reads.fq.gz``: the FASTQ files of ``parts``, in order, as one gzip stream."""
    with gzip.open(d / "reads.fq.gz", "wb", compresslevel=1) as out:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out)


def background(ref, work: Path, accuracy: float, seed: int, ratio: str, alk_depth: float = ALK_DEPTH,
               name: str = "background") -> Path:
    """pbsim reads of the negative sample (module docstring), wild-type ALK and ALK-ATI at ``alk_depth``, in
    ``work/{name}.fq``."""
    alk = choose_transcript("ALK", ref.by_gene, ref.sequences, ref.canonical).id
    alk_ids = {t.id for t in ref.by_gene["ALK"]}
    others = [(tid, seq) for tid, seq in sorted(ref.sequences.items()) if tid not in alk_ids]
    pbsim(write_fasta(work / "others.fa", others), work, "bg", BACKGROUND_DEPTH, accuracy, seed, ratio=ratio)
    pbsim(write_fasta(work / "alk.fa", [(alk, ref.sequences[alk]), (ATI_TRANSCRIPT, ref.sequences[ATI_TRANSCRIPT])]),
          work, "wt", alk_depth, accuracy, seed + 1, ratio=ratio)
    fusions = [build_fusion(parse_fusion_spec(s, ref.panel, seed), ref.by_gene, ref.sequences, ref.canonical,
                            ref.panel) for s in A.negative_fusions(ref.by_gene, ref.sequences, ref.canonical)]
    pbsim(write_fasta(work / "other_fusions.fa", [(f"o{i}", t.sequence) for i, t in enumerate(fusions)]),
          work, "of", OTHER_FUSION_DEPTH, accuracy, seed + 2, ratio=ratio)
    with open(work / f"{name}.fq", "wb") as out:
        for tag in ("bg", "wt", "of"):
            with open(work / f"{tag}.fq", "rb") as src:
                shutil.copyfileobj(src, out)
            (work / f"{tag}.fq").unlink()
    return work / f"{name}.fq"


def fusion_simulator_negatives(args, work: Path, index_dir: Path, accuracy: float, seed: int) -> tuple:
    """pbsim reads of every FusionSimulator transcript, detected: (reads, passing ALK calls, discarded ALK
    candidates, detect seconds)."""
    d = work / "fusion_simulator"
    d.mkdir(parents=True, exist_ok=True)
    short_names(args.fusion_simulator, d / "transcripts.fa")
    covered = pbsim(d / "transcripts.fa", d, "fs", args.negative_depth, accuracy, seed, ratio=args.difference_ratio)
    (d / "transcripts.fa").unlink()
    gzip_reads(d, [d / "fs.fq"])
    (d / "fs.fq").unlink()
    secs = A.detect(index_dir, d, d / "detect", args.threads, False)
    return (sum(map(len, covered.values())), *alk_calls(d / "detect"), secs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="keep samples and outputs here (default: a temporary directory)")
    ap.add_argument("--reference", type=Path, default=ROOT.parent / "shared/data/reference/grch38_panel")
    ap.add_argument("--accuracies", default="0.98,0.95,0.90", help="pbsim mean read accuracies")
    ap.add_argument("--depths", default="2,5", help="pbsim fold depth of each fusion transcript")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=300)
    ap.add_argument("--fusion-simulator", type=Path, default=ROOT.parent / "shared/data/reference/sources/"
                    "fusion_simulator_isoforms/fusion_isoforms.db.fasta.gz",
                    help="FASTA of non-ALK fusion transcripts to sequence as negatives ('' to skip)")
    ap.add_argument("--negative-depth", type=float, default=0.2)
    ap.add_argument("--difference-ratio", default=DIFFERENCE_RATIO, metavar="SUB:INS:DEL",
                    help="pbsim's error mix (default: its CLR model's 10:60:30; nanopore-like, more deletions "
                         "and substitutions: e.g. 40:20:40)")
    args = ap.parse_args()
    if shutil.which("pbsim") is None or not MODEL.exists():
        print("pbsim is not installed (apt-get install pbsim): nothing measured")
        return
    work = args.out or Path(tempfile.mkdtemp(prefix="alkfuse-independent-long-"))
    work.mkdir(parents=True, exist_ok=True)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    ref = A.prepare(args.reference, work)
    rows, negatives = [], []
    seed = args.seed
    for accuracy in (float(x) for x in args.accuracies.split(",")):
        level = work / f"acc{round(accuracy * 100)}"
        level.mkdir(parents=True, exist_ok=True)
        if str(args.fusion_simulator) not in ("", ".") and args.fusion_simulator.exists():
            negatives.append((accuracy, *fusion_simulator_negatives(args, level, ref.index_dir, accuracy, seed)))
            log(f"FusionSimulator negatives at {accuracy}: {negatives[-1][1:]}")
        strong = background(ref, level, accuracy, seed + 10, args.difference_ratio, STRONG_ALK_DEPTH, "strong")
        bg = background(ref, level, accuracy, seed, args.difference_ratio)
        for reads, label in ((bg, "negative"), (strong, f"negative, ALK at {STRONG_ALK_DEPTH:g}x")):
            d = level / reads.stem
            d.mkdir(exist_ok=True)
            gzip_reads(d, [reads])
            secs = A.detect(ref.index_dir, d, d / "detect", args.threads, False)
            n = A.score([], A.read_tsv(d / "detect" / "fusions.tsv"))
            rows.append((accuracy, label, Counter(samples=1, seconds=secs, false=n["false"])))
            log(f"{level.name}/{d.name}: {dict(n)}, {secs:.1f} s")
        strong.unlink()
        for depth in (float(x) for x in args.depths.split(",")):
            total: Counter = Counter()
            for g, specs in enumerate(ref.groups):
                seed += 1
                d = level / f"d{depth:g}_g{g + 1}"
                d.mkdir(parents=True, exist_ok=True)
                truths = [build_fusion(parse_fusion_spec(s + "@1", ref.panel, seed), ref.by_gene, ref.sequences,
                                       ref.canonical, ref.panel) for s in specs]
                covered = pbsim(write_fasta(d / "fusions.fa", [(f"f{i}", t.sequence) for i, t in enumerate(truths)]),
                                d, "fu", depth, accuracy, seed, keep_maf=True, ratio=args.difference_ratio)
                support = [sum(x <= t.end5 - ANCHOR and y >= t.start3 + ANCHOR for x, y in covered.get(f"f{i}", []))
                           for i, t in enumerate(truths)]
                gzip_reads(d, [bg, d / "fu.fq"])
                (d / "fu.fq").unlink()
                secs = A.detect(ref.index_dir, d, d / "detect", args.threads, False)
                total += score_by_support(truths, support, A.read_tsv(d / "detect" / "fusions.tsv"))
                total["samples"] += 1
                total["seconds"] += secs
                log(f"{level.name}/{d.name}: support {support}, {secs:.1f} s")
            rows.append((accuracy, f"{depth:g}", total))
        bg.unlink()

    print("| read accuracy | pbsim depth | support (reads) | found | exact breakpoint | variant named "
          "| name open / wrong | false ALK calls / sample | partner unresolved / sample | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for accuracy, depth, t in rows:
        tail = f"| {t['false'] / t['samples']:.2f} | {t['unresolved'] / t['samples']:.2f} | {t['seconds']:.1f} |"
        if depth.startswith("negative"):
            print(f"| {accuracy:g} | {depth} | - | - | - | - | - {tail}")
            continue
        print("\n".join(support_rows(f"| {accuracy:g} | {depth}", t)))
    if negatives:
        print()
        print(negatives_table("read accuracy", "reads", f"{args.fusion_simulator.name} at {args.negative_depth:g}x",
                              [(f"{a:g}", *rest) for a, *rest in negatives]))
    if args.out is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
