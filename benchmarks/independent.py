"""Accuracy on fusion reads the project did not generate: art_illumina sequences whole fusion transcripts.

    python benchmarks/independent.py [--out DIR] [--read-lengths 50,100,150] [--coverages 2,4,8]
                                     [--reference DIR] [--threads N] [--seed N] [--single-end]

``benchmarks/accuracy.py`` draws fusion fragments with the project's own sampler. Here art_illumina
(Debian package art-nextgen-simulation-tools) does it in its own paired-end mode: each fusion transcript
(the same fusions as accuracy.py: every EML4::ALK variant, NPM1::ALK, CLTC::ALK, three partners outside
the panel; one fusion per partner gene in a sample) is sequenced at a fold coverage, HiSeq 2500 profile,
fragments 250 +- 50. Its reads are appended to a negative sample of the project's simulator (background,
40x wild-type ALK and ALK-ATI, other fusions). How many fragments support each junction is counted from
ART's own alignments (a read across it with 10+ bases each side, or a mate wholly on each side), and
every fusion is scored in the row of its support (5+ pooled). ``--single-end``: ART's single-end mode, the
negative sample's first reads as background, support = reads across the junction:

  found, exact breakpoint, variant named, name open / wrong, false ALK calls, partner unresolved: as in
  accuracy.py

Independent negatives: art_illumina also sequences all 30,201 FusionSimulatorToolkit fusion transcripts of
../shared/data/reference/sources/fusion_simulator_isoforms (random pairs of ~2,000 non-ALK genes, real
GRCh38 sequence, mostly genes outside the panel reference) at ``--negative-coverage`` (default 2x, about
0.9M pairs at 100 bp); every ALK call there is false.

``--generator iss``: InSilicoSeq (pip package InSilicoSeq, MIT) instead of ART, run in-process with one
of its kernel-density error models (``--iss-model``: NovaSeq 2x151, HiSeq 2x126, MiSeq 2x301; their own
fragment lengths, insertion and deletion rates and quality strings; no adapters). The model fixes the read
length (``--read-lengths`` does not apply); the negative sample's fragments take the model's mean and
spread. Support is counted from where each read's error-free bases lie in its fusion transcript.

Prints one markdown table to stdout (progress to stderr). Exits 0 with a note when the generator is absent.
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
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
from alkfuse.simulate import build_fusion, parse_fusion_spec, simulate  # noqa: E402

ANCHOR = 10
BACKGROUND = 50000


def art_support(sam: Path, truths) -> Counter:
    """Supporting fragments per fusion (index) from ART's alignments to the fusion transcripts."""
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    with open(sam) as fh:
        for line in fh:
            if line.startswith("@"):
                continue
            f = line.split("\t", 6)
            start = int(f[3]) - 1
            length = sum(int(n) for n, op in re.findall(r"(\d+)([MD=X])", f[5]))
            spans.setdefault((f[2], f[0]), []).append((start, start + length))
    by_fusion: dict[int, list[list[tuple[int, int]]]] = {}
    for (ref, _), reads in spans.items():
        by_fusion.setdefault(int(ref[1:]), []).append(reads)
    return spans_support(by_fusion, truths)


def spans_support(spans: dict[int, list[list[tuple[int, int]]]], truths) -> Counter:
    """Supporting fragments per fusion (index) from each fragment's read spans on its fusion transcript
    (0-based half-open): a read across the junction with ``ANCHOR``+ bases each side, or one mate wholly on
    each side."""
    support: Counter = Counter()
    for i, fragments in spans.items():
        t = truths[i]
        for reads in fragments:
            split = any(x <= t.end5 - ANCHOR and y >= t.start3 + ANCHOR for x, y in reads)
            spanning = len(reads) == 2 and min(y for _, y in reads) <= t.end5 and \
                max(x for x, _ in reads) >= t.start3
            support[i] += split or spanning
    return support


def truth_rows(truths, support: list[int]) -> list[dict[str, str]]:
    """The fusions (build_fusion results) as truth rows (``support[i]`` reads or fragments each)."""
    return [{"gene5": t.spec.gene5, "gene3": t.spec.gene3, "junction": t.junction,
             "known_variant": t.known_variant, "breakpoint5": t.breakpoint5, "breakpoint3": t.breakpoint3,
             "exon5": str(t.spec.exon5), "inserted_sequence": t.spec.insert or ".",
             "split_fragments": str(support[i]), "spanning_pairs": "0"} for i, t in enumerate(truths)]


def score_by_support(truths, support: list[int], calls: list[dict[str, str]]) -> Counter:
    """One sample's counts: per fusion (``truths``, build_fusion results) keyed (support level, count), its
    support (``support[i]`` reads or fragments, 5+ pooled) scored against the calls naming its partner;
    over the sample, ``false`` and ``unresolved`` ALK calls (accuracy.score)."""
    total: Counter = Counter()
    rows = truth_rows(truths, support)
    for i, (t, row) in enumerate(zip(truths, rows)):
        n = A.score([row], [c for c in calls if c["gene5"] == t.spec.gene5])
        total += Counter({(min(support[i], 5), k): v for k, v in n.items() if k != "false"})
    whole = A.score(rows, calls)  # calls that no fusion takes: false, or partner unresolved
    total["false"] += whole["false"]
    total["unresolved"] += whole["unresolved"]
    return total


def support_rows(first: str, t: Counter) -> list[str]:
    """Table rows of a cell's counts (``score_by_support`` summed, with ``samples`` and ``seconds``), one per
    support level; ``first`` holds the row's leading cells; the per-sample columns on its first row only."""
    out = []
    for n, level in enumerate(sorted({k[0] for k in t if isinstance(k, tuple)})):
        tail = f"| {t['false'] / t['samples']:.2f} | {t['unresolved'] / t['samples']:.2f} " \
            f"| {t['seconds']:.1f} |" if n == 0 else "| | | |"
        out.append(f"{first} | {level}{'+' if level == 5 else ''} "
                   f"| {A.pct(t[level, 'found'], t[level, 'expected'])} | {A.pct(t[level, 'exact'], t[level, 'found'])} "
                   f"| {A.pct(t[level, 'named_ok'], t[level, 'named'])} {A.open_wrong(t, lambda k: (level, k))} {tail}")
    return out


def short_names(src: Path, dst: Path) -> None:
    """The gzip FASTA ``src`` as plain FASTA ``dst`` with its records named fs1, fs2, ... (simulators put the
    name in every read name)."""
    with gzip.open(src, "rt") as fh, open(dst, "w") as out:
        n = 0
        for line in fh:
            if line.startswith(">"):
                n += 1
                line = f">fs{n}\n"
            out.write(line)


def alk_calls(detect_dir: Path) -> tuple[int, int]:
    """(passing ALK calls, discarded ALK candidates) in a detect output directory."""
    def alk(name):
        return sum("ALK" in (c["gene5"], c["gene3"]) for c in A.read_tsv(detect_dir / name))
    return alk("fusions.tsv"), alk("fusions.discarded.tsv")


def negatives_table(first: str, unit: str, source: str, rows) -> str:
    """The table of the independent negatives: ``rows`` of (first cell, reads or pairs, passing ALK calls,
    discarded ALK candidates, seconds)."""
    lines = [f"| {first} | independent negatives | {unit} | ALK calls passing | discarded ALK candidates | seconds |",
             "|---|---|---:|---:|---:|---:|"]
    lines += [f"| {cell} | {source} | {n:,} | {passing} | {discarded} | {secs:.1f} |"
              for cell, n, passing, discarded, secs in rows]
    return "\n".join(lines)


def art_reads(fasta: Path, out: Path, read_length: int, coverage: float, seed: int, paired: bool = True,
              sam: bool = True, profile: str = "HS25", fragments: tuple[int, int] = (250, 50)) -> None:
    """art_illumina with its built-in ``profile`` (pairs: fragments ``mean +- sd``); exits on failure."""
    pairs = ["-p", "-m", str(fragments[0]), "-s", str(fragments[1])] if paired else []
    cmd = ["art_illumina", "-ss", profile, *pairs, "-l", str(read_length), "-f", str(coverage),
           "-i", str(fasta), "-o", str(out), "-rs", str(seed), *(["-sam"] if sam else []), "-na", "-q"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"art_illumina failed: {run.stderr.strip()[-500:]}")


ISS_MODELS = ("NovaSeq", "HiSeq", "MiSeq")


def iss_model(name: str):
    """InSilicoSeq's kernel-density error model ``name`` (one of ``ISS_MODELS``), or None without iss."""
    try:
        import iss
        from iss.error_models.kde import KDErrorModel
    except ImportError:
        return None
    return KDErrorModel(str(Path(iss.__file__).parent / "profiles" / name))


def iss_fragments(model, n: int = 4000, seed: int = 0) -> tuple[int, int]:
    """Mean and spread of the model's fragment lengths (inner distance plus both reads)."""
    import numpy as np

    np.random.seed(seed)
    lengths = [model.random_insert_size() + 2 * model.read_length for _ in range(n)]
    return round(float(np.mean(lengths))), round(float(np.std(lengths)))


def iss_reads(records: list[tuple[str, str]], out: Path, model, coverage: float, seed: int
              ) -> dict[int, list[list[tuple[int, int]]]]:
    """InSilicoSeq read pairs of each ``(name, sequence)`` longer than a read at ``coverage`` into
    ``{out}1.fq``/``{out}2.fq``;
    returns each record's (by position in ``records``) fragments as read spans on it (0-based half-open,
    where the read's error-free bases lie)."""
    import numpy as np
    from Bio.Seq import Seq
    from Bio.SeqRecord import SeqRecord
    from iss.generator import simulate_read

    random.seed(seed)
    np.random.seed(seed)
    rl = model.read_length
    spans: dict[int, list[list[tuple[int, int]]]] = {}
    with open(f"{out}1.fq", "w") as f1, open(f"{out}2.fq", "w") as f2:
        for k, (name, seq) in enumerate(records):
            if len(seq) <= rl:  # no pair fits (InSilicoSeq skips such sequences too)
                continue
            record = SeqRecord(Seq(seq), id=name)
            for i in range(round(coverage * len(seq) / (2 * rl))):
                pair = simulate_read(record, model, i, 0, "metagenomics")[:2]
                for fh, read in zip((f1, f2), pair):
                    qual = "".join(chr(33 + int(q)) for q in read.letter_annotations["phred_quality"])
                    fh.write(f"@{read.id}\n{read.seq}\n+\n{qual}\n")
                fw = seq.find(pair[0].annotations["original"])
                rv = seq.find(str(Seq(pair[1].annotations["original"]).reverse_complement()))
                spans.setdefault(k, []).append([(x, x + rl) for x in (fw, rv) if x >= 0])
    return spans


def gzip_reads(d: Path, art: Path, single_end: bool, background: Path | None = None) -> None:
    """ART's FASTQ (``art1.fq``/``art2.fq``, or ``art.fq``) into ``d/reads_1.fq.gz``/``reads_2.fq.gz`` (or
    ``reads.fq.gz``), each one gzip stream: ``background``'s reads of that mate first (single-end: its
    first reads), then ART's."""
    files = [("reads.fq.gz", "reads_1.fq.gz", "")] if single_end else \
        [(f"reads_{m}.fq.gz", f"reads_{m}.fq.gz", str(m)) for m in (1, 2)]
    for name, mate, suffix in files:
        with gzip.open(d / name, "wb", compresslevel=1) as out:
            if background is not None:
                with gzip.open(background / mate, "rb") as src:
                    shutil.copyfileobj(src, out)
            fq = art.with_name(f"{art.name}{suffix}.fq")
            with open(fq, "rb") as src:
                shutil.copyfileobj(src, out)
        fq.unlink()


def fusion_simulator_negatives(args, work: Path, index_dir: Path, rl: int, seed: int) -> tuple[int, int, int, float]:
    """Sequence every transcript of the FusionSimulator FASTA with ART and detect: (pairs or single-end reads,
    passing ALK calls, discarded ALK candidates, detect seconds)."""
    d = work / f"rl{rl}_fusion_simulator"
    d.mkdir(parents=True, exist_ok=True)
    short_names(args.fusion_simulator, d / "transcripts.fa")
    if args.model is not None:
        text = (d / "transcripts.fa").read_text().split(">")[1:]
        records = [(r.split("\n", 1)[0], r.split("\n", 1)[1].replace("\n", "")) for r in text]
        iss_reads(records, d / "art", args.model, args.negative_coverage, seed)
    else:
        art_reads(d / "transcripts.fa", d / "art", rl, args.negative_coverage, seed, paired=not args.single_end,
                  sam=False, profile=args.art_profile, fragments=args.fragments)
    (d / "transcripts.fa").unlink()
    gzip_reads(d, d / "art", args.single_end)
    secs = A.detect(index_dir, d, d / "detect", args.threads, False)
    with gzip.open(d / ("reads.fq.gz" if args.single_end else "reads_1.fq.gz"), "rt") as fh:
        pairs = sum(1 for _ in fh) // 4
    return (pairs, *alk_calls(d / "detect"), secs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="keep samples and outputs here (default: a temporary directory)")
    ap.add_argument("--reference", type=Path, default=ROOT.parent / "shared/data/reference/grch38_panel")
    ap.add_argument("--read-lengths", default="50,100,150")
    ap.add_argument("--coverages", default="2,4,8", help="art_illumina fold coverage of each fusion transcript")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--fusion-simulator", type=Path, default=ROOT.parent / "shared/data/reference/sources/"
                    "fusion_simulator_isoforms/fusion_isoforms.db.fasta.gz",
                    help="FASTA of non-ALK fusion transcripts to sequence as negatives ('' to skip)")
    ap.add_argument("--negative-coverage", type=float, default=2.0)
    ap.add_argument("--single-end", action="store_true",
                    help="ART single-end reads (and the negative sample's first reads) instead of pairs")
    ap.add_argument("--generator", choices=("art", "iss"), default="art",
                    help="art: art_illumina (HiSeq 2500 profile); iss: InSilicoSeq with --iss-model")
    ap.add_argument("--iss-model", choices=ISS_MODELS, default="NovaSeq",
                    help="InSilicoSeq error model (fixes the read length: 151, 126, 301)")
    ap.add_argument("--art-profile", default="HS25",
                    help="art_illumina's built-in profile (-ss): HS25, MSv3 (MiSeq v3, up to 250 bases), ...")
    ap.add_argument("--fragments", default="250,50", help="ART's fragment mean,sd (and the negative sample's)")
    args = ap.parse_args()
    args.model = None
    args.fragments = tuple(int(x) for x in args.fragments.split(","))
    fragment_mean, fragment_sd = args.fragments
    if args.generator == "iss":
        if args.single_end:
            ap.error("--generator iss simulates pairs only")
        args.model = iss_model(args.iss_model)
        if args.model is None:
            print("InSilicoSeq is not installed (pip install InSilicoSeq): nothing measured")
            return
        args.read_lengths = str(args.model.read_length)
        fragment_mean, fragment_sd = iss_fragments(args.model)
    elif shutil.which("art_illumina") is None:
        print("art_illumina is not installed (apt-get install art-nextgen-simulation-tools): nothing measured")
        return
    work = args.out or Path(tempfile.mkdtemp(prefix="alkfuse-independent-"))
    work.mkdir(parents=True, exist_ok=True)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    ref = A.prepare(args.reference, work)
    index_dir, transcripts, sequences, by_gene = ref.index_dir, ref.transcripts, ref.sequences, ref.by_gene
    panel, canonical, groups, alk_length, ati_length = ref.panel, ref.canonical, ref.groups, ref.alk_length, \
        ref.ati_length

    rows = []
    negatives = []
    seed = args.seed
    for rl in (int(x) for x in args.read_lengths.split(",")):
        if str(args.fusion_simulator) not in ("", ".") and args.fusion_simulator.exists():
            negatives.append((rl, *fusion_simulator_negatives(args, work, index_dir, rl, seed)))
            log(f"FusionSimulator negatives at {rl} bp: {negatives[-1][1:]}")
        negative = work / f"rl{rl}_negative"
        simulate(transcripts=transcripts, sequences=sequences, out_dir=negative,
                 fusions=[parse_fusion_spec(s, panel, seed) for s in A.negative_fusions(by_gene, sequences, canonical)],
                 n_background_pairs=BACKGROUND, read_length=rl, seed=seed, canonical=canonical, panel=panel,
                 fragment_mean=fragment_mean, fragment_sd=fragment_sd,
                 noise_chimeras=A.NOISE_CHIMERAS,
                 alk_wildtype_fragments=A.NEGATIVE_COVERAGE * alk_length // (2 * rl),
                 alk_ati_fragments=A.NEGATIVE_COVERAGE * ati_length // (2 * rl))
        for cov in (float(x) for x in args.coverages.split(",")):
            total: Counter = Counter()
            for g, specs in enumerate(groups):
                seed += 1
                d = work / f"rl{rl}_c{cov:g}_g{g + 1}"
                d.mkdir(parents=True, exist_ok=True)
                truths = [build_fusion(parse_fusion_spec(s + "@1", panel, seed), by_gene, sequences, canonical, panel)
                          for s in specs]
                (d / "fusions.fa").write_text("".join(f">f{i}\n{t.sequence}\n" for i, t in enumerate(truths)))
                if args.model is not None:
                    support = spans_support(iss_reads([(f"f{i}", t.sequence) for i, t in enumerate(truths)],
                                                      d / "art", args.model, cov, seed), truths)
                else:
                    art_reads(d / "fusions.fa", d / "art", rl, cov, seed, paired=not args.single_end,
                              profile=args.art_profile, fragments=args.fragments)
                    support = art_support(d / "art.sam", truths)
                gzip_reads(d, d / "art", args.single_end, background=negative)
                secs = A.detect(index_dir, d, d / "detect", args.threads, False)
                calls = A.read_tsv(d / "detect" / "fusions.tsv")
                truth = truth_rows(truths, [support[i] for i in range(len(truths))])
                (d / "truth.tsv").write_text("".join("\t".join(r) + "\n" for r in [list(truth[0])] +
                                                     [list(r.values()) for r in truth]))
                total += score_by_support(truths, [support[i] for i in range(len(truths))], calls)
                total["samples"] += 1
                total["seconds"] += secs
                log(f"{d.name}: support {dict(support)}, {secs:.1f} s")
            rows.append((rl, cov, total))

    source = f"iss {args.iss_model}" if args.model is not None else \
        "ART" if args.art_profile == "HS25" else f"ART {args.art_profile}"
    print(f"| read length | {source} coverage | support | found | exact breakpoint | variant named | name open / wrong "
          "| false ALK calls / sample | partner unresolved / sample | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for rl, cov, t in rows:
        print("\n".join(support_rows(f"| {rl} | {cov:g}", t)))
    if negatives:
        print()
        print(negatives_table("read length", "reads" if args.single_end else "pairs",
                              f"{args.fusion_simulator.name} at {args.negative_coverage:g}x", negatives))
    if args.out is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
