"""Accuracy benchmark: simulated ALK fusions over read lengths and support levels.

    python benchmarks/accuracy.py [--quick] [--out DIR] [--reference DIR] [--threads N] [--in-process]
                                  [--generator builtin|art] [--fragments MEAN,SD] [--long-reads]
                                  [--read-lengths N,N,...] [--adapters KIT|READ1,READ2] [--poly-g F]
                                  [--single-end] [--strand none|reverse|forward] [--error-rate F]
                                  [--calls-from DIR]

Builds an index of the reference once, then per read length simulates (alkfuse.simulate):
  - positive samples: at one support level (supporting fragments: each has a read crossing the junction by
    10+ bases on each gene or a mate wholly on each side; see alkfuse.simulate), all EML4::ALK named variants,
    NPM1::ALK E4;A20, CLTC::ALK E31;A20 and ALK fused to three genes outside the panel (a middle exon each),
    one fusion per partner gene in a sample (eleven samples per support level: one per EML4::ALK variant);
  - negative samples: no ALK fusion, 40x wild-type ALK and 40x ALK-ATI, plus CD74::ROS1, EWSR1::FLI1 and
    ETV6::NTRK3;
  - strongly expressed ALK, per read length: the first sample's six fusions at 500 supporting fragments
    each with 2,000 wild-type ALK fragments, EML4::ALK v5b (117 inserted bases: most of its reads hold
    insert and ALK only) at 500 in a sample of its own, v6 and v8b at 500 each in another, and a negative
    with wild-type ALK and ALK-ATI at 400x (where read errors in ALK pile up into look-alike junctions).
Every sample also has background expression and 1-fragment noise chimeras.

``--long-reads``: the same fusions and negatives as long reads (PacBio/ONT-like, 1-20 kb pieces of each
transcript, single reads in FASTA, errors half substitutions and a quarter each insertions and deletions)
at per-base error rates 1%, 5% and 10% instead of read lengths; support is the number of reads across the
junction with 10+ bases each side; no strongly expressed rows. Each sample goes through
``alkfuse detect``; the rows of ``fusions.tsv`` (the passing calls) are scored against ``truth.tsv``:

  found              an ALK call with the fusion's genes (one call per fusion: the one with its junction
                     notation, else its breakpoints, else the first); whether its exons and inserted
                     bases are right is the exact-breakpoint column
  exact breakpoint   found, with breakpoint5, breakpoint3 and the inserted length all exact (a line under
                     the table checks the inserted bases themselves)
  with evidence      simulated fusions with a read crossing the junction by >= 10 bases each side or a pair
                     with one mate wholly on each side (truth.tsv split_fragments + spanning_pairs > 0);
                     100% by construction since supporting fragments are drawn, a check of the simulator
  variant named      the right known_variant, among found fusions that have a name in the panel
  name open / wrong  of those, calls whose name lists the right one among others (``v4|v7``: spanning pairs
                     that fit both) / calls whose name, or list of names, misses the right one
  false ALK calls    ALK calls not taken by a simulated fusion (other genes, or a second call of one), per
                     sample, except:
  partner unresolved unknown::ALK calls at the ALK breakpoint of a simulated fusion no call names, whose 5'
                     bases are that fusion's inserted bases and at most 7 more (reads of the insert and
                     ALK; none reached 8 bases into the partner), per sample: the fusion is there, its
                     partner is not named; counted apart, neither found nor false (one per fusion; beside
                     a call that names it, or a second one: false)
  seconds            wall time of detect (startup included) summed over the row's samples

Prints one markdown table to stdout (progress goes to stderr).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from alkfuse.adapters import KITS, read_through_pair  # noqa: E402
from alkfuse.annotation import attach_sequences, read_gtf  # noqa: E402
from alkfuse.panel import load_panel  # noqa: E402
from alkfuse.simulate import (  # noqa: E402
    ATI_TRANSCRIPT,
    MIN_ANCHOR,
    choose_transcript,
    panel_canonical,
    parse_fusion_spec,
    STRANDS,
    simulate,
)

# read lengths, support levels, negative samples per read length, background pairs per sample
FULL = ((50, 75, 100, 150), (1, 2, 3, 5, 10, 30), 2, 50000)
QUICK = ((50, 100, 150), (1, 2, 3, 10), 1, 10000)
# long reads: per-base error rates (HiFi-like to older nanopore), support levels, negatives, background reads
LONG_FULL = ((0.01, 0.05, 0.10), (1, 2, 3, 5), 2, 5000)
LONG_QUICK = ((0.01, 0.10), (1, 3), 1, 2000)
LONG_NEGATIVE_READS = 40  # wild-type ALK and ALK-ATI reads in a negative sample
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
NEGATIVE_FUSIONS = (("CD74", 6, "ROS1", 34), ("EWSR1", 7, "FLI1", 6), ("ETV6", 5, "NTRK3", 15))  # 10 fragments
OTHER_PARTNERS = 3
NOISE_CHIMERAS, WILDTYPE_IN_POSITIVES, NEGATIVE_COVERAGE = 20, 20, 40
# strongly expressed ALK: the first sample's six fusions at 500 supporting fragments each beside 2,000
# wild-type ALK fragments, v5b alone at 500 (a strongly expressed long insert once left a false unknown::ALK
# call beside it), v6 and v8b together at 500 each (read errors near their exon ends once made second calls
# of hundreds of fragments at 150 bp); and a negative with wild-type ALK and ALK-ATI at 400x (seeds of their
# own, so the other samples stay as they were)
STRONG_SUPPORT, STRONG_WILDTYPE, STRONG_NEGATIVE_COVERAGE, STRONG_SEED = 500, 2000, 400, 100000
STRONG_LONG_INSERT = "EML4::ALK:v5b"
STRONG_INSERTS = ("EML4::ALK:v6", "EML4::ALK:v8b")
PARTNER_UNSEEN = 7  # partner bases too few to name it: fewer than the caller's shortest exon-end match (8)


def alk_fusions(panel, by_gene, sequences, canonical) -> list[str]:
    """Specs (without ``@N``) of the ALK fusions to simulate."""
    others = {("NPM1", "E4;A20"), ("CLTC", "E31;A20")}
    named = [f"{v.gene5}::{v.gene3}:{v.name}" for v in panel.variants
             if v.gene3 == "ALK" and (v.gene5 == "EML4" or (v.gene5, v.name) in others)]
    outside = outside_genes(panel, by_gene, sequences, canonical, 6, OTHER_PARTNERS)
    return named + [f"{g}:{len(choose_transcript(g, by_gene, sequences, canonical).exons) // 2}:ALK:20"
                    for g in outside]


def outside_genes(panel, by_gene, sequences, canonical, min_exons: int, n: int) -> list[str]:
    """``n`` genes outside the panel, not named like ALK (ALKBH decoys), not in the negatives' fusions,
    whose simulated transcript has ``min_exons`` or more exons, spread over the alphabet."""
    excluded = {g for f in NEGATIVE_FUSIONS for g in f[::2]} | {"ALK"}
    genes = [g for g in sorted(by_gene) if panel.gene(g) is None and g not in excluded and "ALK" not in g
             and any(t.id in sequences for t in by_gene[g])
             and len(choose_transcript(g, by_gene, sequences, canonical).exons) >= min_exons]
    step = len(genes) / n
    return [genes[int(step * (i + 0.5))] for i in range(min(n, len(genes)))]


def negative_fusions(by_gene, sequences, canonical) -> list[str]:
    """Specs of the non-ALK fusions; exon numbers are clamped to the transcripts the simulator picks."""
    specs = []
    for gene5, exon5, gene3, exon3 in NEGATIVE_FUSIONS:
        n5 = len(choose_transcript(gene5, by_gene, sequences, canonical).exons)
        n3 = len(choose_transcript(gene3, by_gene, sequences, canonical).exons)
        specs.append(f"{gene5}:{min(exon5, n5 - 1)}:{gene3}:{max(2, min(exon3, n3))}@10")
    return specs


def split_groups(specs, panel) -> list[list[str]]:
    """Greedy: a fusion goes to the first group holding no fusion of the same partner gene. A real sample
    carries one EML4::ALK variant; eleven in one sample would share their spanning pairs."""
    groups: list[tuple[list[str], set]] = []
    for text in specs:
        key = parse_fusion_spec(text + "@1", panel).gene5
        for members, keys in groups:
            if key not in keys:
                members.append(text)
                keys.add(key)
                break
        else:
            groups.append(([text], {key}))
    return [members for members, _ in groups]


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def detect(index_dir: Path, sim_dir: Path, out: Path, threads: int, in_process: bool) -> float:
    """Run ``alkfuse detect`` on a simulated sample; returns wall seconds (exits on failure)."""
    reads = sorted(sim_dir.glob("reads_*.fq.gz")) or sorted(sim_dir.glob("reads.f[aq].gz"))  # paired, or one file
    mates = ["-1", str(reads[0])] + (["-2", str(reads[1])] if len(reads) > 1 else [])
    argv = ["-q", "detect", "--index", str(index_dir), *mates,
            "--out", str(out), "--sample", sim_dir.name, "--threads", str(threads)]
    start = time.perf_counter()
    if in_process:
        from alkfuse.cli import main

        ok, message = main(argv) == 0, "see the error above"
    else:
        run = subprocess.run([sys.executable, "-m", "alkfuse", *argv], capture_output=True, text=True, env=ENV)
        ok, message = run.returncode == 0, run.stderr.strip()[-2000:]
    if not ok:
        sys.exit(f"alkfuse detect failed on {sim_dir}: {message}")
    return time.perf_counter() - start


def score(truth: list[dict[str, str]], calls: list[dict[str, str]]) -> dict[str, int]:
    """Counts for one sample (see the module docstring)."""
    def ins(row):
        return 0 if row["inserted_sequence"] in ("", ".") else len(row["inserted_sequence"])

    alk_calls = [c for c in calls if "ALK" in (c["gene5"], c["gene3"])]
    matched: set[int] = set()
    missed = []  # simulated ALK fusions no call names
    n: Counter = Counter()
    for t in (t for t in truth if "ALK" in (t["gene5"], t["gene3"])):
        n["expected"] += 1
        n["with_evidence"] += int(t["split_fragments"]) + int(t["spanning_pairs"]) > 0
        named = t["known_variant"] != "."

        def closeness(i):  # the call of this fusion: its junction first, then its breakpoints, then any
            c = alk_calls[i]
            return (c["junction"] != t["junction"], (c["breakpoint5"], c["breakpoint3"]) != (t["breakpoint5"],
                                                                                           t["breakpoint3"]), i)

        hits = sorted((i for i, c in enumerate(alk_calls) if i not in matched
                       and (c["gene5"], c["gene3"]) == (t["gene5"], t["gene3"])), key=closeness)
        if not hits:
            missed.append(t)
            continue
        c = alk_calls[hits[0]]
        matched.add(hits[0])
        n["found"] += 1
        exact = (c["breakpoint5"], c["breakpoint3"], ins(c)) == (t["breakpoint5"], t["breakpoint3"], ins(t))
        n["exact"] += exact
        if exact and ins(t):
            bases = list(zip(c["inserted_sequence"], t["inserted_sequence"]))
            n["insert_exact"] += 1
            n["insert_unseen"] += any(a == "N" for a, _ in bases)
            n["insert_wrong"] += any(a not in ("N", b) for a, b in bases)
        if named:
            names = c["known_variant"].split("|")
            n["named"] += 1
            n["named_ok"] += names == [t["known_variant"]]
            n["named_open"] += len(names) > 1 and t["known_variant"] in names
            n["named_wrong"] += t["known_variant"] not in names
            seen = "read" if int(t["split_fragments"]) else "pairs"  # a read across the junction, or pairs only
            n[f"named_{seen}"] += 1
            n[f"named_{seen}_exact"] += exact and names == [t["known_variant"]]
            n[f"named_{seen}_open"] += len(names) > 1 and t["known_variant"] in names
    left = [c for i, c in enumerate(alk_calls) if i not in matched]
    for c in left:  # one unknown::ALK row per missed fusion
        t = partner_unresolved(c, missed)
        if t is not None:
            missed.remove(t)
            n["unresolved"] += 1
    n["false"] = len(left) - n["unresolved"]
    return n


def by_evidence(counts) -> str:
    """A line under the table: found named variants split by how the sample showed them (a read across the
    junction, or spanning pairs only, which fix the exons only through fragment lengths), with how many
    have both the exact junction and the name alone, and how many a list of names that holds the right one."""
    t = sum(counts, Counter())
    read, pairs = t["named_read"], t["named_pairs"]
    return (f"Found named variants, support 1-30: {read} with a read across the junction, of which "
            f"{pct(t['named_read_exact'], read)} have the exact junction and the name alone"
            f" ({t['named_read_open']} a list of names); {pairs} seen only in spanning pairs, of which "
            f"{pct(t['named_pairs_exact'], pairs)} exact and named, {t['named_pairs_open']} a list of names "
            f"that holds the right one.")


def insert_bases(counts) -> str:
    """A line under the table: of the calls with the exact junction of a fusion with inserted bases, how many
    show every inserted base as simulated, how many leave some as N (no read showed them), and how many
    claim a wrong base (the exact-breakpoint column checks the insert's length only)."""
    t = sum(counts, Counter())
    return (f"Inserted bases, all rows: of {t['insert_exact']} calls with the exact junction of a fusion with "
            f"inserted bases, {t['insert_exact'] - t['insert_unseen'] - t['insert_wrong']} show every base as "
            f"simulated, {t['insert_unseen']} leave bases no read showed as N, {t['insert_wrong']} have a wrong "
            f"base.")


def open_wrong(t, key=lambda k: k) -> str:
    """The 'name open / wrong' cell of a row's counts (``key`` maps a count's name to the row's key)."""
    return f"| {t[key('named_open')]} / {t[key('named_wrong')]}" if t[key("named")] else "| -"


def partner_unresolved(call: dict[str, str], truth: list[dict[str, str]]) -> dict[str, str] | None:
    """The simulated fusion of ``truth`` at whose ALK breakpoint an unknown::ALK call lies with 5' bases (up
    to 50, as fusion_sequence shows them) that end with its inserted bases (an error per 16 bases and one
    more allowed) and hold at most PARTNER_UNSEEN bases before them, if any."""
    if call["gene5"] != "unknown":
        return None
    flank = call["fusion_sequence"].split("|")[0]
    for t in truth:
        ins = "" if t["inserted_sequence"] in ("", ".") else t["inserted_sequence"]
        n = min(len(flank), len(ins))
        if t["breakpoint3"] == call["breakpoint3"] and n and len(flank) <= len(ins) + PARTNER_UNSEEN and \
                sum(a != b for a, b in zip(flank[-n:], ins[-n:])) <= 1 + n // 16:
            return t
    return None



@dataclass
class Reference:
    """What both benchmark scripts build from the reference directory before simulating."""

    index_dir: Path
    transcripts: dict
    sequences: dict
    by_gene: dict
    panel: object
    canonical: dict
    groups: list  # ALK fusion specs, one partner gene per sample
    alk_length: int
    ati_length: int


def prepare(reference: Path, work: Path, build_index: bool = True) -> Reference:
    """``alkfuse index`` of ``reference`` into ``work/index`` (exits on failure; not with ``build_index=False``),
    and the annotation, sequences, panel and fusion groups the simulations use."""
    gtf, fasta = reference / "annotation.gtf.gz", reference / "transcripts.fa.gz"
    index_dir = work / "index"
    index_cmd = ["-q", "index", "--gtf", str(gtf), "--transcripts", str(fasta), "--out", str(index_dir)]
    if build_index and subprocess.run([sys.executable, "-m", "alkfuse", *index_cmd], env=ENV).returncode:
        sys.exit("alkfuse index failed")
    ann = read_gtf(gtf)
    sequences = attach_sequences(ann, transcripts_fasta=fasta)
    transcripts = {t.id: t for t in ann.transcripts}
    by_gene = ann.by_gene()
    panel = load_panel()
    canonical = panel_canonical(panel, by_gene, sequences)
    return Reference(index_dir, transcripts, sequences, by_gene, panel, canonical,
                     split_groups(alk_fusions(panel, by_gene, sequences, canonical), panel),
                     choose_transcript("ALK", by_gene, sequences, canonical).length,
                     transcripts[ATI_TRANSCRIPT].length)


def pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "-"


def _adapters(text: str) -> str:
    try:
        read_through_pair(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a subset that runs in about 2 minutes on 2 cores")
    ap.add_argument("--out", type=Path, help="keep samples and outputs here (default: a temporary directory)")
    ap.add_argument("--reference", type=Path, default=ROOT.parent / "shared/data/reference/grch38_panel",
                    help="directory with annotation.gtf.gz and transcripts.fa.gz")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--in-process", action="store_true", help="call the CLI in this process (no startup cost)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--generator", choices=("builtin", "art"), default="builtin",
                    help="read generator: the simulator's own error model, or art_illumina's empirical profile")
    ap.add_argument("--adapters", default="truseq", type=_adapters, metavar="KIT|READ1,READ2",
                    help=f"library kit whose adapters reads of fragments shorter than a read run into: "
                         f"{', '.join(sorted(KITS))}, or two read-through sequences of a kit the scan does not list")
    ap.add_argument("--single-end", action="store_true",
                    help="one read per fragment (support: reads across the junction only; reads of 137+ bases, "
                         "to hold v5b's 117 inserted bases and anchors)")
    ap.add_argument("--strand", choices=STRANDS, default="none",
                    help="stranded library: the transcript strand R1 reads (reverse: dUTP; forward: ligation kits)")
    ap.add_argument("--poly-g", type=float, default=0.0, metavar="F",
                    help="fraction of reads whose last 10+ bases read as G (two-colour NovaSeq/NextSeq tails)")
    ap.add_argument("--error-rate", type=float, default=0.002, metavar="F",
                    help="substitutions per base of the built-in generator's short reads (rising toward the "
                         "3' end; default 0.002), e.g. 0.01 for a worn run or degraded FFPE RNA")
    ap.add_argument("--fragments", default="250,50", metavar="MEAN,SD",
                    help="fragment length mean and standard deviation (e.g. 200,50: shorter, FFPE-like fragments; "
                         "at 160,40 no fragment of v5b's 117 inserted bases supports its junction at 50-100 bp, "
                         "and the simulator stops with that message)")
    ap.add_argument("--long-reads", action="store_true",
                    help="long reads (1-20 kb, FASTA) at error rates 1/5/10%% instead of short reads")
    ap.add_argument("--calls-from", type=Path, metavar="DIR",
                    help="score the calls in DIR/<sample>/detect/ (scripts/recall_runs.py's --out) against the "
                         "simulations of the run in --out (same grid options and seed) instead of simulating "
                         "and detecting: a caller change's table in seconds (its seconds column reads 0)")
    ap.add_argument("--read-lengths", metavar="N,N,...",
                    help="short-read lengths instead of the grid's (50,75,100,150; --quick 50,100,150), "
                         "e.g. 250 for MiSeq 2x250")
    args = ap.parse_args()
    if args.long_reads and args.generator != "builtin":
        ap.error("--long-reads uses the built-in generator")
    if args.long_reads and (args.poly_g or args.strand != "none" or args.error_rate != 0.002):
        ap.error("--poly-g, --strand and --error-rate are for short reads")
    if args.generator != "builtin" and args.error_rate != 0.002:
        ap.error("--error-rate is the built-in generator's (art_illumina brings its own profile)")
    if args.long_reads and (args.read_lengths or args.single_end):
        ap.error("--read-lengths and --single-end are for short reads")
    fragment_mean, fragment_sd = (int(x) for x in args.fragments.split(","))
    if args.long_reads:
        read_lengths, support, negatives, background = LONG_QUICK if args.quick else LONG_FULL
    else:
        read_lengths, support, negatives, background = QUICK if args.quick else FULL
        if args.read_lengths:
            read_lengths = tuple(int(x) for x in args.read_lengths.split(","))
    work = args.out or Path(tempfile.mkdtemp(prefix="alkfuse-accuracy-"))
    work.mkdir(parents=True, exist_ok=True)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    if args.calls_from and not args.out:
        ap.error("--calls-from scores the run in --out: give it")
    ref = prepare(args.reference, work, build_index=not args.calls_from)
    index_dir, transcripts, sequences, panel, canonical, groups = (
        ref.index_dir, ref.transcripts, ref.sequences, ref.panel, ref.canonical, ref.groups)
    negative_specs = negative_fusions(ref.by_gene, sequences, canonical)
    alk_length, ati_length = ref.alk_length, ref.ati_length
    log(f"{sum(map(len, groups))} ALK fusions in {len(groups)} samples per support level; work dir {work}")
    if args.single_end:  # one read must hold a listed insert and anchors on both sides (simulate refuses otherwise)
        need = max(v.insert_length for v in panel.variants if v.gene3 == "ALK") + 2 * MIN_ANCHOR
        if min(read_lengths) < need:
            ap.error(f"--single-end needs reads of {need}+ bases (the longest listed insert and anchors): "
                     "use --read-lengths")

    def sample(name, specs, seed, **kw):
        if args.calls_from:  # the samples of an earlier run (--out), called again (scripts/recall_runs.py)
            truth, calls = work / name / "sim" / "truth.tsv", args.calls_from / name / "detect" / "fusions.tsv"
            if not truth.exists() or not calls.exists():
                sys.exit(f"--calls-from: no {truth} or no {calls}: give the run's --out and its seed and grid options")
            n = score(read_tsv(truth), read_tsv(calls))
            log(f"{name}: {dict(n)}")
            return n + Counter(seconds=0, samples=1)
        sim = simulate(transcripts=transcripts, sequences=sequences, out_dir=work / name / "sim",
                       fusions=[parse_fusion_spec(s, panel, seed) for s in specs], n_background_pairs=background,
                       seed=seed, canonical=canonical, panel=panel, noise_chimeras=NOISE_CHIMERAS,
                       generator=args.generator, fragment_mean=fragment_mean, fragment_sd=fragment_sd,
                       adapters=args.adapters, poly_g=args.poly_g, paired=not args.single_end,
                       strand=args.strand, error_rate=args.error_rate, **kw)
        secs = detect(index_dir, sim.out_dir, work / name / "detect", args.threads, args.in_process)
        n = score(read_tsv(sim.truth_path), read_tsv(work / name / "detect" / "fusions.tsv"))
        log(f"{name}: {dict(n)}, {secs:.1f} s")
        return n + Counter(seconds=secs, samples=1)

    rows = []
    seed = args.seed
    if args.long_reads:
        for rate in read_lengths:
            name, kw = f"lr{round(rate * 100)}", dict(long_reads=True, long_read_error_rate=rate)
            for level in support:
                total = Counter()
                for g, specs in enumerate(groups):
                    seed += 1
                    total += sample(f"{name}_s{level}_g{g + 1}", [f"{s}@{level}" for s in specs], seed,
                                    alk_wildtype_fragments=WILDTYPE_IN_POSITIVES // 4, **kw)
                rows.append((f"{rate:.0%}", str(level), total))
            total = Counter()
            for g in range(negatives):
                seed += 1
                total += sample(f"{name}_negative{g + 1}", negative_specs, seed, alk_wildtype_fragments=
                                LONG_NEGATIVE_READS, alk_ati_fragments=LONG_NEGATIVE_READS, **kw)
            rows.append((f"{rate:.0%}", "negative", total))
    for rl in ([] if args.long_reads else read_lengths):
        for level in support:
            total = Counter()
            for g, specs in enumerate(groups):
                seed += 1
                total += sample(f"rl{rl}_s{level}_g{g + 1}", [f"{s}@{level}" for s in specs], seed,
                                read_length=rl, alk_wildtype_fragments=WILDTYPE_IN_POSITIVES)
            rows.append((rl, str(level), total))
        total = Counter()
        for g in range(negatives):
            seed += 1
            total += sample(f"rl{rl}_negative{g + 1}", negative_specs, seed, read_length=rl,
                            alk_wildtype_fragments=NEGATIVE_COVERAGE * alk_length // (2 * rl),
                            alk_ati_fragments=NEGATIVE_COVERAGE * ati_length // (2 * rl))
        rows.append((rl, "negative", total))
        strong_seed = args.seed + STRONG_SEED + rl
        rows.append((rl, f"{STRONG_SUPPORT}, strong ALK", sample(
            f"rl{rl}_strong", [f"{s}@{STRONG_SUPPORT}" for s in groups[0]], strong_seed, read_length=rl,
            alk_wildtype_fragments=STRONG_WILDTYPE) + sample(
            f"rl{rl}_strong_insert", [f"{STRONG_LONG_INSERT}@{STRONG_SUPPORT}"], strong_seed + 2, read_length=rl,
            alk_wildtype_fragments=STRONG_WILDTYPE) + sample(
            f"rl{rl}_strong_inserts", [f"{s}@{STRONG_SUPPORT}" for s in STRONG_INSERTS], strong_seed + 3,
            read_length=rl, alk_wildtype_fragments=STRONG_WILDTYPE)))
        rows.append((rl, f"negative, {STRONG_NEGATIVE_COVERAGE}x ALK", sample(
            f"rl{rl}_strong_negative", negative_specs, strong_seed + 1, read_length=rl,
            alk_wildtype_fragments=STRONG_NEGATIVE_COVERAGE * alk_length // (2 * rl),
            alk_ati_fragments=STRONG_NEGATIVE_COVERAGE * ati_length // (2 * rl))))

    print(f"| {'error rate' if args.long_reads else 'read length'} | support | sensitivity | with junction evidence | exact breakpoint | variant named "
          "| name open / wrong | false ALK calls / sample | partner unresolved / sample | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for rl, level, t in rows:
        print(f"| {rl} | {level} | {pct(t['found'], t['expected'])} | {pct(t['with_evidence'], t['expected'])} "
              f"| {pct(t['exact'], t['found'])} | {pct(t['named_ok'], t['named'])} {open_wrong(t)} "
              f"| {t['false'] / t['samples']:.2f} | {t['unresolved'] / t['samples']:.2f} | {t['seconds']:.1f} |")
    print()
    print(by_evidence(t for _, level, t in rows if level.isdigit()))
    print()
    print(insert_bases(t for _, _, t in rows))
    if args.out is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
