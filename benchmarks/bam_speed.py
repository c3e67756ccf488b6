"""Aligned-BAM benchmark: targeted fetch (ALK and partner loci, unmapped reads, SA into ALK) vs --full-scan.

    python benchmarks/bam_speed.py [--workdir DIR] [--pairs 4000000] [--repeats 3] [--expression typical|uniform]

1. Simulates ``--pairs`` 2x150 pairs with the genome coordinates the simulator knows (GRCh38 panel
   reference in ../shared/data): background fragments from every transcript (log-normal expression;
   with ``--expression typical``, the default, ALK, EML4, NPM1 and CLTC at typical tumour TPMs instead,
   since a real sample spreads its reads over ~20,000 genes and the panel reference holds 38), and
   EML4::ALK v1 / NPM1::ALK fragments whose junction reads are aligned
   to the side that holds most of the read, soft-clipped, with an SA tag for the other side, as
   STAR/BWA-style chimeric aligners write them. Spliced reads get N operations. Written as SAM text,
   sorted and indexed with pysam (samtools inside pysam). Built once per --workdir.
2. Runs ``alkfuse detect --bam`` (targeted) and ``--bam --full-scan`` on the same indexed BAM, median of
   ``--repeats`` runs each: wall seconds, CPU seconds and peak RSS of the child (GNU time), and checks that
   both give byte-identical fusions.tsv.
3. Prints one markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timed import timed  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "data" / "reference" / "grch38_panel"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
L, FRAG_MEAN, FRAG_SD = 150, 250, 50
FUSIONS = ("EML4::ALK:v1@40", "NPM1:4:ALK:20@30")
TYPICAL_TPM = {"ALK": 20, "EML4": 40, "NPM1": 800, "CLTC": 150}  # transcripts per million
GRCH38 = {  # contig lengths, so that the BAM header is that of a real GRCh38 alignment
    "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259, "6": 170805979,
    "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422, "11": 135086622, "12": 133275309,
    "13": 114364328, "14": 107043718, "15": 101991189, "16": 90338345, "17": 83257441, "18": 80373285,
    "19": 58617616, "20": 64444167, "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
}
_COMP = bytes.maketrans(b"ACGTN", b"TGCAN")


def log(msg):
    print(f"[bam_speed {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def genome_blocks(t, start: int, length: int) -> tuple[int, str]:
    """Leftmost 0-based genome position and CIGAR of transcript bases [start, start+length) of ``t``."""
    spans, pos = [], 0
    for s, e in t.exons:
        n = e - s
        lo, hi = max(start, pos), min(start + length, pos + n)
        if lo < hi:
            a, b = lo - pos, hi - pos
            spans.append((s + a, s + b) if t.strand == "+" else (e - b, e - a))
        pos += n
    spans.sort()
    cigar, end = [], None
    for s, e in spans:
        if end is not None and s > end:
            cigar.append(f"{s - end}N")
        cigar.append(f"{e - s}M")
        end = e
    return spans[0][0], "".join(cigar)


def sam_line(name, flag, chrom, pos, cigar, mchrom, mpos, seq, qual, tags=""):
    return f"{name}\t{flag}\t{chrom}\t{pos + 1}\t60\t{cigar}\t{'=' if mchrom == chrom else mchrom}\t{mpos + 1}\t0\t{seq}\t{qual}{tags}\n"


def placed(t, start, seq_tx):
    """(chrom, pos, cigar, reverse, SEQ as on the genome) of a read lying inside transcript ``t``."""
    pos, cigar = genome_blocks(t, start, len(seq_tx))
    rev = t.strand == "-"
    return t.chrom, pos, cigar, rev, (revcomp(seq_tx) if rev else seq_tx)


def revcomp(seq: str) -> str:
    return seq.translate(_COMP)[::-1]


def fusion_read(truth, seq: str, a3: int, rs: int):
    """Alignment of the fusion-transcript bases [rs, rs+L): on the side that holds most of them, the rest
    soft-clipped. ``a3`` = ALK transcript position of the fusion's first ALK base."""
    rseq = seq[rs : rs + L]
    part5 = max(0, min(truth.end5 - rs, L))
    if part5 >= L - part5:
        chrom, pos, cigar, rev, gseq = placed(truth.transcript5, rs, rseq[:part5])
        clip5, clip3 = 0, L - part5  # in the transcript's (sense) direction
    else:
        chrom, pos, cigar, rev, gseq = placed(truth.transcript3, a3 + max(0, rs - truth.start3), rseq[part5:])
        clip5, clip3 = part5, 0
    left, right = (clip3, clip5) if rev else (clip5, clip3)
    cigar = (f"{left}S" if left else "") + cigar + (f"{right}S" if right else "")
    return chrom, pos, cigar, rev, rseq if not rev else revcomp(rseq)


def write_pair(out, name, ends, *, first_is_sense: bool, qual: str, proper: bool, tags=("", "")):
    """Two SAM records: ``ends`` are (chrom, pos, cigar, gene-on-reverse-strand, SEQ on the forward genome
    strand) of the fragment's sense-side and antisense-side reads. SEQ does not depend on which strand was
    sequenced; the reverse flag does (the antisense-side read is sequenced as the reverse complement)."""
    (c1, p1, g1, r1, s1), (c2, p2, g2, r2, s2) = ends
    rev1, rev2 = r1, not r2
    base = 0x1 | (0x2 if proper else 0)
    f1 = base | (0x10 if rev1 else 0) | (0x20 if rev2 else 0) | (0x40 if first_is_sense else 0x80)
    f2 = base | (0x10 if rev2 else 0) | (0x20 if rev1 else 0) | (0x80 if first_is_sense else 0x40)
    out.write(sam_line(name, f1, c1, p1, g1, c2, p2, s1, qual, tags[0]))
    out.write(sam_line(name, f2, c2, p2, g2, c1, p1, s2, qual, tags[1]))


def make_bam(work: Path, pairs: int, seed: int, expression: str) -> Path:
    import pysam

    from alkfuse.annotation import attach_sequences, read_gtf
    from alkfuse.panel import load_panel
    from alkfuse.simulate import build_fusion, panel_canonical, parse_fusion_spec

    bam = work / f"aligned.{expression}.bam"
    meta = work / f"bam.{expression}.json"
    params = {"pairs": pairs, "seed": seed, "fusions": list(FUSIONS), "expression": expression,
              "typical_tpm": TYPICAL_TPM}
    if bam.exists() and meta.exists() and json.loads(meta.read_text()) == params:
        log(f"reusing {bam}")
        return bam
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    ann = read_gtf(REFERENCE / "annotation.gtf.gz")
    seqs = attach_sequences(ann, transcripts_fasta=REFERENCE / "transcripts.fa.gz")
    txs = [t for t in sorted(ann.transcripts, key=lambda t: t.id) if t.id in seqs and t.chrom in GRCH38]
    panel = load_panel()
    by_gene: dict = {}
    for t in txs:
        by_gene.setdefault(t.gene_name, []).append(t)
    canonical = panel_canonical(panel, by_gene, seqs)
    qual = "F" * L
    sam = work / f"aligned.{expression}.sam"
    with open(sam, "w") as out:
        out.write("@HD\tVN:1.6\tSO:unsorted\n")
        for c, n in GRCH38.items():
            out.write(f"@SQ\tSN:{c}\tLN:{n}\n")
        # background (and wild-type ALK among it, at its expression)
        lengths = np.array([len(seqs[t.id]) for t in txs])
        weight = rng.lognormal(0, 1.5, len(txs)) * lengths
        if expression == "typical":
            # ALK and its partners at typical tumour TPMs; the panel reference's other genes stand in for
            # the rest of the transcriptome (~20,000 genes in a real sample).
            weight = weight / weight[[t.gene_name not in TYPICAL_TPM for t in txs]].sum() * 1e6
            for gene, tpm in TYPICAL_TPM.items():
                mine = [i for i, t in enumerate(txs) if t.gene_name == gene]
                for i in mine:
                    weight[i] = tpm / len(mine) * lengths[i] / lengths.mean()
        which = rng.choice(len(txs), pairs, p=weight / weight.sum())
        frag = np.clip(rng.normal(FRAG_MEAN, FRAG_SD, pairs).astype(int), L, None)
        swap = rng.random(pairs) < 0.5
        unmapped = rng.random(pairs) < 0.01  # 1% of pairs unaligned (adapter dimers, contamination, ...)
        for i in range(pairs):
            t = txs[which[i]]
            s = seqs[t.id]
            f = min(frag[i], len(s))
            if f < L:
                continue
            a = int(rng.integers(0, len(s) - f + 1))
            name = f"bg{i}"
            if unmapped[i]:
                out.write(f"{name}\t77\t*\t0\t0\t*\t*\t0\t0\t{s[a : a + L]}\t{qual}\n")
                out.write(f"{name}\t141\t*\t0\t0\t*\t*\t0\t0\t{revcomp(s[a + f - L : a + f])}\t{qual}\n")
                continue
            ends = [placed(t, a, s[a : a + L]), placed(t, a + f - L, s[a + f - L : a + f])]
            write_pair(out, name, ends, first_is_sense=not swap[i], qual=qual, proper=True)
        # fusions: junction reads aligned to their larger side, soft-clipped, with an SA tag
        n = 0
        for spec_text in FUSIONS:
            truth = build_fusion(parse_fusion_spec(spec_text, panel, seed), by_gene, seqs, canonical, panel)
            seq = truth.sequence
            a3 = truth.transcript3.exon_bounds()[truth.spec.exon3 - 1][0] + truth.spec.deletion
            sa = (f"\tSA:Z:{truth.transcript3.chrom},{truth.transcript3.to_genome(a3 + L // 2) + 1},-,"
                  f"{L // 2}S{L // 2}M,60,0;")
            for _ in range(truth.spec.fragments):
                f = int(np.clip(rng.normal(FRAG_MEAN, FRAG_SD), L, None))
                a = int(rng.integers(max(0, truth.end5 - f + 10), min(truth.end5 - 10, len(seq) - f) + 1))
                ends = [fusion_read(truth, seq, a3, rs) for rs in (a, a + f - L)]
                write_pair(out, f"fus{n}", ends, first_is_sense=bool(rng.random() < 0.5), qual=qual,
                           proper=False, tags=[sa if "S" in e[2] else "" for e in ends])
                n += 1
    log(f"SAM written ({time.perf_counter() - t0:.0f} s); sorting and indexing")
    pysam.sort("-@", "2", "-m", "1G", "-o", str(bam), str(sam))
    pysam.index(str(bam))
    sam.unlink()
    meta.write_text(json.dumps(params))
    log(f"BAM ready ({time.perf_counter() - t0:.0f} s)")
    return bam


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "alkfuse-bam-bench")
    ap.add_argument("--pairs", type=int, default=4_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--expression", choices=("typical", "uniform"), default="typical",
                    help="typical: ALK, EML4, NPM1, CLTC at typical tumour TPMs (TYPICAL_TPM); uniform: every "
                         "transcript of the panel reference log-normal, which puts ~10%% of reads in the loci")
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    index = work / "index"
    # rebuilt every run (3 s): an index written by an older alkfuse may not load
    subprocess.run([sys.executable, "-m", "alkfuse", "-q", "index", "--gtf", str(REFERENCE / "annotation.gtf.gz"),
                    "--transcripts", str(REFERENCE / "transcripts.fa.gz"), "--out", str(index)], env=ENV, check=True)
    bam = make_bam(work, args.pairs, args.seed, args.expression)
    rows = {}
    for label, extra in (("targeted fetch", []), ("--full-scan", ["--full-scan"])):
        out = work / ("out_targeted" if not extra else "out_full")
        cmd = [sys.executable, "-m", "alkfuse", "-q", "detect", "--index", str(index), "--bam", str(bam),
               "--out", str(out), "--threads", "2", *extra]
        runs = [timed(cmd, ENV) for _ in range(args.repeats)]
        rows[label] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        rows[label]["tsv"] = (out / "fusions.tsv").read_bytes()
        log(f"{label}: {rows[label]['wall']:.1f} s")
    same = rows["targeted fetch"]["tsv"] == rows["--full-scan"]["tsv"]
    calls = rows["targeted fetch"]["tsv"].decode().count("\n") - 1
    full = rows["--full-scan"]["wall"]
    import pysam

    with pysam.AlignmentFile(bam) as fh:
        regions = [("2", 29_000_000, 30_100_000)]  # ALK
        in_alk = sum(fh.count(*r) for r in regions)
    print(f"Aligned, coordinate-sorted, indexed BAM: {args.pairs:,} pairs 2x{L} "
          f"({bam.stat().st_size / 1e6:.0f} MB, expression '{args.expression}', {in_alk:,} records in the ALK "
          f"locus), `alkfuse detect --bam --threads 2`, median of {args.repeats}\n")
    print("| mode | wall s | CPU s | peak RSS MB | speed-up vs full scan |")
    print("|---|---|---|---|---|")
    for label, r in rows.items():
        print(f"| {label} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss_mb']:.0f} | {full / r['wall']:.1f}x |")
    print(f"\nfusions.tsv identical: {'yes' if same else 'NO'} ({calls} calls)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
