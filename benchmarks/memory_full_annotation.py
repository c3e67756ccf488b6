"""Memory at genome scale: an index the size of a full human annotation, and detect with it.

    python benchmarks/memory_full_annotation.py [--workdir DIR] [--transcripts 250000] [--reads R1 R2]

No full GENCODE/Ensembl annotation is available offline here, so this builds a stand-in of the same
size: the real GRCh38 panel (ALK, EML4, NPM1, CLTC and the rest of ../shared/data) plus ``--transcripts``
synthetic transcripts (random sequence, 1-15 exons, lengths drawn like human cDNA, ~1.6 kb mean, so
~400 Mb in all) on synthetic contigs, as GTF + cDNA FASTA. It then measures, with GNU time:

- ``alkfuse index`` on it (wall, CPU, peak RSS, index size on disk);
- ``alkfuse detect --threads 2`` with that index on the reads given (default: the first-1M-pairs files
  that benchmarks/speed.py writes, /tmp/alkfuse-speed/R1.first.fq.gz), and on the same reads with the
  panel-only index, so the cost of the large index shows.

Prints one markdown table. The issue's target: peak RSS of detect under 1.5 GB with a full-annotation
index, under 500 MB with the panel index.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "data" / "reference" / "grch38_panel"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timed import timed  # noqa: E402


def log(msg):
    print(f"[memory {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def make_reference(work: Path, n: int, seed: int) -> tuple[Path, Path]:
    gtf, fa = work / "annotation.gtf.gz", work / "transcripts.fa.gz"
    if gtf.exists() and fa.exists() and (work / f"n={n}").exists():
        return gtf, fa
    rng = np.random.default_rng(seed)
    bases = np.frombuffer(b"ACGT", np.uint8)
    with gzip.open(gtf, "wt", compresslevel=1) as g, gzip.open(fa, "wt", compresslevel=1) as f:
        with gzip.open(REFERENCE / "annotation.gtf.gz", "rt") as src:
            g.write(src.read())
        with gzip.open(REFERENCE / "transcripts.fa.gz", "rt") as src:
            f.write(src.read())
        pos = {c: 1000 for c in range(1, 25)}
        gene = 0
        made = 0
        while made < n:
            gene += 1
            contig = int(rng.integers(1, 25))
            n_tx = int(rng.integers(1, 8))
            n_ex = int(rng.integers(1, 16))
            ex_len = rng.lognormal(5.0, 0.7, n_ex).astype(int) + 30
            exons, p = [], pos[contig]
            for length in ex_len:
                exons.append((p, p + int(length)))
                p += int(length) + int(rng.integers(200, 5000))
            pos[contig] = p + 10_000
            seq = rng.choice(bases, int(ex_len.sum())).tobytes().decode()
            offs = np.concatenate([[0], np.cumsum(ex_len)])
            for t in range(min(n_tx, n - made)):
                keep = sorted(set(rng.choice(n_ex, max(1, n_ex - int(rng.integers(0, 3))), replace=False).tolist()))
                tid = f"ENSTSYN{made:09d}"
                attrs = f'gene_id "ENSGSYN{gene:08d}"; gene_name "SYN{gene}"; transcript_id "{tid}";'
                for i in keep:
                    s, e = exons[i]
                    g.write(f"syn{contig}\tsynthetic\texon\t{s + 1}\t{e}\t.\t+\t.\t{attrs}\n")
                f.write(f">{tid}.1\n" + "".join(seq[offs[i] : offs[i + 1]] for i in keep) + "\n")
                made += 1
    (work / f"n={n}").touch()
    return gtf, fa


def du(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "alkfuse-memory")
    ap.add_argument("--transcripts", type=int, default=250_000)
    ap.add_argument("--reads", nargs=2, type=Path,
                    default=[Path(tempfile.gettempdir()) / "alkfuse-speed" / f"R{i}.first.fq.gz" for i in (1, 2)])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    log("writing the stand-in annotation")
    gtf, fa = make_reference(work, args.transcripts, args.seed)
    alk = [sys.executable, "-m", "alkfuse", "-q"]
    rows = []
    big, panel = work / "index_full", work / "index_panel"
    log("indexing the full-size annotation")
    r = timed(alk + ["index", "--gtf", gtf, "--transcripts", fa, "--out", big], ENV)
    rows.append(("`alkfuse index` (full-size annotation)", r, f"{du(big):.0f} MB index"))
    timed(alk + ["index", "--gtf", REFERENCE / "annotation.gtf.gz", "--transcripts", REFERENCE / "transcripts.fa.gz",
                 "--out", panel], ENV)
    pairs = sum(1 for _ in gzip.open(args.reads[0], "rb")) // 4
    for label, idx in (("full-size annotation", big), ("panel only", panel)):
        log(f"detect with the {label} index")
        r = timed(alk + ["detect", "--index", idx, "-1", args.reads[0], "-2", args.reads[1], "--out",
                         work / f"out_{idx.name}", "--threads", "2"], ENV)
        rows.append((f"`alkfuse detect --threads 2`, {label} index", r, f"{pairs:,} pairs"))
    same = (work / "out_index_full" / "fusions.tsv").read_text().splitlines()[1:]
    print(f"Stand-in for a full human annotation: {args.transcripts:,} synthetic + 286 real transcripts\n")
    print("| step | wall s | CPU s | peak RSS MB | note |")
    print("|---|---:|---:|---:|---|")
    for label, r, note in rows:
        print(f"| {label} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['rss_mb']:.0f} | {note} |")
    print(f"\ncalls with the full-size index: {len(same)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
