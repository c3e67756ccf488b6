"""Partners the reference does not have: ALK fusions found through the ALK side alone, as unknown::ALK.

    python benchmarks/unknown_partners.py [--out DIR] [--genes N] [--support N] [--read-length N] [--seed N]

Takes N genes outside the panel from the shared reference (spread over the alphabet, 4+ exons), builds an
index of the reference *without* them, and simulates (alkfuse.simulate, with the whole reference) one
sample per exon end of each (every exon but the last, 50+ transcript bases before the junction): gene
exon k joined to ALK exon 20 at ``--support`` supporting fragments, beside background expression,
wild-type ALK and noise chimeras. Each sample goes through ``alkfuse detect`` with the index that lacks
the partner. Only reads across the junction can show a partner the index lacks (a spanning pair needs
its partner mate placed), so rows split fusions by their split fragments (truth.tsv). Scored per fusion:

  as unknown   a passing unknown::ALK call at the fusion's ALK breakpoint whose 5' bases end with the
               partner exon's last 12 (one mismatch allowed: a read error at the junction)
  look-alike   a passing call there naming another gene of the reference (a pseudogene of the partner:
               the nearest the index holds)
  filtered     neither, a discarded row at that breakpoint: counted per filter name
  missed       nothing there
  false        passing ALK calls at other places, per sample

and by the partner exon end: ones ``filters.looks_intronic`` takes for an intron's end (a pyrimidine tract
and AG, as ALK pre-mRNA reads show before an exon) and the others. Prints a markdown table to stdout.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import NOISE_CHIMERAS, WILDTYPE_IN_POSITIVES, detect, outside_genes, prepare, read_tsv  # noqa: E402
from alkfuse.annotation import attach_sequences, read_gtf  # noqa: E402
from alkfuse.filters import looks_intronic  # noqa: E402
from alkfuse.panel import load_panel  # noqa: E402
from alkfuse.simulate import choose_transcript, panel_canonical, parse_fusion_spec, simulate  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "data" / "reference" / "grch38_panel"
PARTNER_SHOWN = 12  # partner bases a found call's 5' part ends with (one may be misread)
PARTNER_MIN = 50  # transcript bases before the junction: shorter partner parts are not simulated


def write_reference_without(reference: Path, genes: set[str], out: Path) -> Path:
    """A copy of ``reference``'s annotation without ``genes`` (the transcript FASTA linked): the index of
    a lab whose annotation lacks them."""
    out.mkdir(parents=True, exist_ok=True)
    with gzip.open(reference / "annotation.gtf.gz", "rt") as src, gzip.open(out / "annotation.gtf.gz", "wt") as dst:
        for line in src:
            if not any(f'gene_name "{g}";' in line for g in genes):
                dst.write(line)
    link = out / "transcripts.fa.gz"
    if not link.exists():
        link.symlink_to((reference / "transcripts.fa.gz").resolve())
    return out


def score(truth: dict, calls: list[dict], discarded: list[dict], partner_end: str) -> Counter:
    at = truth["breakpoint3"]
    n = Counter(fusions=1)
    here = [c for c in calls if c["gene3"] == "ALK" and c["breakpoint3"] == at]
    unknown = [c for c in here if c["gene5"] == "unknown" and sum(
        a != b for a, b in zip(c["fusion_sequence"].split("|")[0][-PARTNER_SHOWN:], partner_end[-PARTNER_SHOWN:])) <= 1]
    alike = [c for c in here if c["gene5"] not in ("unknown", truth["gene5"])]
    taken = unknown[:1] or alike[:1]
    n["false"] = sum(c["gene3"] == "ALK" and c not in taken for c in calls)
    if unknown:
        n["as unknown"] += 1
    elif alike:
        n["look-alike"] += 1
    elif any(d["gene3"] == "ALK" and d["breakpoint3"] == at for d in discarded):
        n["filtered"] += 1
        dropped = [d for d in discarded if d["gene3"] == "ALK" and d["breakpoint3"] == at]
        for reason in max(dropped, key=lambda d: int(d["unique_fragments"]))["filters"].split(","):
            n[f"by {reason}"] += 1
    else:
        n["missed"] += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="keep samples and outputs here (default: a temporary directory)")
    ap.add_argument("--reference", type=Path, default=REFERENCE)
    ap.add_argument("--genes", type=int, default=12, help="genes left out of the index")
    ap.add_argument("--support", type=int, default=5, help="supporting fragments per fusion")
    ap.add_argument("--read-length", type=int, default=100)
    ap.add_argument("--background", type=int, default=10000, help="background pairs per sample")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="alkfuse-unknown-"))
    work.mkdir(parents=True, exist_ok=True)

    ann = read_gtf(args.reference / "annotation.gtf.gz")
    sequences = attach_sequences(ann, transcripts_fasta=args.reference / "transcripts.fa.gz")
    transcripts, by_gene, panel = {t.id: t for t in ann.transcripts}, ann.by_gene(), load_panel()
    canonical = panel_canonical(panel, by_gene, sequences)
    genes = outside_genes(panel, by_gene, sequences, canonical, 4, args.genes)  # left out of the index
    print(f"left out of the index: {', '.join(genes)}; work dir {work}", file=sys.stderr)
    index_dir = prepare(write_reference_without(args.reference, set(genes), work / "reference"), work).index_dir

    rows: dict[tuple, Counter] = {}
    seed = args.seed
    for gene in genes:
        t = choose_transcript(gene, by_gene, sequences, canonical)
        for k, (_, end) in enumerate(t.exon_bounds()[:-1], 1):
            if end < PARTNER_MIN:
                continue
            seed += 1
            name = f"{gene}_e{k}"
            spec = parse_fusion_spec(f"{gene}:{k}:ALK:20@{args.support}", panel, seed)
            sim = simulate(transcripts=transcripts, sequences=sequences, out_dir=work / name / "sim",
                           fusions=[spec], n_background_pairs=args.background, read_length=args.read_length,
                           seed=seed, canonical=canonical, panel=panel, noise_chimeras=NOISE_CHIMERAS,
                           alk_wildtype_fragments=WILDTYPE_IN_POSITIVES)
            secs = detect(index_dir, sim.out_dir, work / name / "detect", args.threads, False)
            out = work / name / "detect"
            truth = read_tsv(sim.truth_path)[0]
            t5 = transcripts[truth["transcript5"].split(".")[0]]
            end5 = t5.exon_bounds()[int(truth["exon5"]) - 1][1]
            partner_end = sequences[t5.id][max(0, end5 - 30) : end5]
            n = score(truth, read_tsv(out / "fusions.tsv"), read_tsv(out / "fusions.discarded.tsv"), partner_end)
            kind = ("ends like an intron" if looks_intronic(partner_end) else "other exon ends",
                    "3+" if int(truth["split_fragments"]) >= 3 else "1-2")
            rows[kind] = rows.get(kind, Counter()) + n + Counter(seconds=secs)
            print(f"{name} ({kind[0]}, {truth['split_fragments']} split): {dict(n)}, {secs:.1f} s", file=sys.stderr)

    print("| partner exon end | split fragments | fusions | as unknown | look-alike | filtered (by) | missed "
          "| false ALK calls / sample | seconds |")
    print("|---|---|---:|---:|---:|---|---:|---:|---:|")
    for kind in sorted(rows):
        n = rows[kind]
        by = ", ".join(f"{k[3:]} {v}" for k, v in sorted(n.items()) if k.startswith("by "))
        print(f"| {kind[0]} | {kind[1]} | {n['fusions']} | {n['as unknown']} | {n['look-alike']} | "
              f"{n['filtered']}{f' ({by})' if by else ''} | {n['missed']} | {n['false'] / n['fusions']:.2f} | "
              f"{n['seconds']:.1f} |")


if __name__ == "__main__":
    main()
