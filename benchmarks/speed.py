"""Speed benchmark: alkfuse detect against the gzip decompression floor on millions of read pairs.

    python benchmarks/speed.py [--workdir DIR] [--pairs 4000000] [--repeats 3] [--flat-pairs 1000000]
                               [--threads 1,2] [--no-peer] [--no-bam]

1. Builds (once per ``--workdir``; reused while its parameters match ``data.json``) a paired 2x150 gzip
   FASTQ set: ``--pairs`` pairs, nearly all simulated background from the non-ALK transcripts of
   ``../shared/data/reference/grch38_panel`` (vectorised numpy sampler below: log-normal expression,
   normal(250, 50) fragments, FR pairs, unstranded, substitutions rising toward the 3' end,
   Illumina-like names and qualities), plus a few hundred fragments from ``alkfuse.simulate``: EML4::ALK
   v1, v2 and v3b, wild-type ALK and ALK-ATI, scattered at random positions. Gzip is written by ISA-L at
   its highest level (3), which compresses these reads to about the size ``gzip -6`` gives (the
   ratio of both is printed); the first ``--flat-pairs`` pairs also go to a second pair of files.
2. Builds the alkfuse index (and the kallisto index) once, untimed; warms the numba kernel cache.
3. Measures on the same files, rounds interleaved, the median of ``--repeats`` runs:
   ``zcat R1 R2 > /dev/null`` (the decompression floor), ``alkfuse detect --threads N`` for each N,
   ``--bam`` on the same reads as an unaligned BAM (when detect has ``--bam``), and
   ``kallisto quant --fusion`` + ``pizzly`` (when on PATH) as the alignment-free peer;
   plus the memory-flatness row (detect on the first ``--flat-pairs`` pairs).
4. Prints one markdown table, and whether fusions.tsv is byte-identical for every thread count.

Wall seconds are measured here around the child; CPU seconds (user + sys) and peak RSS (max resident
set) are the child's own, as GNU ``/usr/bin/time`` reports them (its rusage covers the child's threads and
waited-for descendants).
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from alkfuse.adapters import KITS  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "data" / "reference" / "grch38_panel"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TIME = "/usr/bin/time"  # GNU time (Debian package "time")
READ_LENGTH = 150
FRAGMENT_MEAN, FRAGMENT_SD = 250, 50
ERROR_RATE = 0.002  # substitutions per base, mean over the read
GZIP_LEVEL = 3  # ISA-L's highest level; compresses these reads like `gzip -6` (see the printed ratio)
BLOCK = 200_000  # pairs generated per numpy block
DATA_VERSION = 1
FUSIONS = ("EML4::ALK:v1@40", "EML4::ALK:v2@25", "EML4::ALK:v3b@30")
WILDTYPE_ALK, ALK_ATI = 300, 60
ADAPTER_R1, ADAPTER_R2 = (a.encode() for a in KITS["truseq"])

_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
_CODE = np.zeros(256, dtype=np.uint8)
for _i, _b in enumerate(b"ACGT"):
    _CODE[_b] = _i
_COMP = np.arange(256, dtype=np.uint8)
for _a, _b in zip(b"ACGTN", b"TGCAN"):
    _COMP[_a] = _b


def log(msg: str) -> None:
    print(f"[speed {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# Data


class Background:
    """Vectorised FR read-pair sampler over a set of transcripts (numpy only, no Python per read)."""

    def __init__(self, seqs: list[str], rng: np.random.Generator):
        L = READ_LENGTH
        self.rng = rng
        self.tlen = np.array([len(s) for s in seqs], dtype=np.int64)
        pad = b"N" * L  # gathered past a short fragment's end, then replaced by adapter + random bases
        fwd = [s.encode() + pad for s in seqs]
        rev = [_COMP[np.frombuffer(s.encode(), np.uint8)[::-1]].tobytes() + pad for s in seqs]
        self.fwd = np.frombuffer(b"".join(fwd), dtype=np.uint8)
        self.rev = np.frombuffer(b"".join(rev), dtype=np.uint8)
        self.off = np.concatenate([[0], np.cumsum(self.tlen + L)[:-1]]).astype(np.int64)
        weight = rng.lognormal(0.0, 1.5, len(seqs)) * self.tlen
        self.cum = np.cumsum(weight / weight.sum())
        self.cum[-1] = 1.0
        pos = np.arange(L) / (L - 1)
        self.p_sub = ERROR_RATE * (0.25 + 1.5 * pos)
        self.q_base = np.round(38 - 10 * pos**2).astype(np.int16)
        tail = lambda adapter: np.frombuffer(adapter + rng.choice(_BASES, L).tobytes(), np.uint8)[:L]  # noqa: E731
        self.tail = (tail(ADAPTER_R1), tail(ADAPTER_R2))

    def _read(self, buf, start, f, tail):
        L = READ_LENGTH
        j = np.arange(L)
        bases = buf[start[:, None] + j]
        short = f < L
        if short.any():  # the read runs through the fragment's end into the adapter
            rows = np.flatnonzero(short)
            jj = j[None, :] - f[rows, None]
            sub = bases[rows]
            sub[jj >= 0] = tail[jj[jj >= 0]]
            bases[rows] = sub
        return bases

    def _errors(self, bases: np.ndarray) -> np.ndarray:
        """Substitute bases in place (rate rising along the read); returns the error mask."""
        rng = self.rng
        m, L = bases.shape
        err = np.zeros((m, L), dtype=bool)
        for j in range(L):  # per position: how many errors, then where (no per-read work)
            k = rng.binomial(m, self.p_sub[j])
            if k:
                rows = rng.integers(0, m, k)
                err[rows, j] = True
                bases[rows, j] = _BASES[(_CODE[bases[rows, j]] + rng.integers(1, 4, k)) % 4]
        return err

    def _qual(self, err: np.ndarray) -> np.ndarray:
        rng = self.rng
        q = self.q_base[None, :] + rng.integers(-2, 3, err.shape, dtype=np.int16)
        bad = rng.random(err.shape[0]) < 0.02  # a few reads with a low-quality 3' end, as real runs have
        q[bad, -40:] -= rng.integers(5, 20, (int(bad.sum()), 1), dtype=np.int16)
        q[err] = rng.integers(2, 13, int(err.sum()), dtype=np.int16)
        return (np.clip(q, 2, 41) + 33).astype(np.uint8)

    def pairs(self, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``m`` pairs: (R1 bases, R1 quals, R2 bases, R2 quals), each an (m, 150) uint8 array."""
        rng = self.rng
        t = np.searchsorted(self.cum, rng.random(m), side="right")
        tl = self.tlen[t]
        f = np.maximum(np.rint(rng.normal(FRAGMENT_MEAN, FRAGMENT_SD, m)).astype(np.int64), READ_LENGTH // 2)
        f = np.minimum(f, tl)
        s = (rng.random(m) * (tl - f + 1)).astype(np.int64)
        r1 = self._read(self.fwd, self.off[t] + s, f, self.tail[0])
        r2 = self._read(self.rev, self.off[t] + (tl - s - f), f, self.tail[1])
        swap = rng.random(m) < 0.5  # unstranded library
        r1[swap], r2[swap] = r2[swap], r1[swap].copy()
        q1, q2 = self._qual(self._errors(r1)), self._qual(self._errors(r2))
        return r1, q1, r2, q2


def _digits(x: np.ndarray, width: int) -> np.ndarray:
    """(m, width) ASCII digits of x, zero-padded."""
    p = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((x[:, None] // p) % 10 + 48).astype(np.uint8)


def fastq_block(first: int, bases: np.ndarray, qual: np.ndarray, mate: int, x: np.ndarray) -> np.ndarray:
    """(m, W) uint8 FASTQ records, Illumina-style names ``@BENCH:1:HBENCHXX:1:TILE:X:Y M:N:0:ACGTACGT``."""
    m, L = bases.shape
    n = first + np.arange(m, dtype=np.int64)
    head = b"@BENCH:1:HBENCHXX:1:"
    tail = f" {mate}:N:0:GATCAGAT\n".encode()
    W = len(head) + 4 + 1 + 5 + 1 + 5 + len(tail) + L + 3 + L + 1
    rec = np.empty((m, W), dtype=np.uint8)
    c = 0
    for part in (head,):
        rec[:, c : c + len(part)] = np.frombuffer(part, np.uint8)
        c += len(part)
    rec[:, c : c + 4] = _digits(1101 + n // 100_000, 4)
    c += 4
    rec[:, c] = 58
    rec[:, c + 1 : c + 6] = _digits(x, 5)
    rec[:, c + 6] = 58
    rec[:, c + 7 : c + 12] = _digits(n % 100_000, 5)
    c += 12
    rec[:, c : c + len(tail)] = np.frombuffer(tail, np.uint8)
    c += len(tail)
    rec[:, c : c + L] = bases
    c += L
    rec[:, c : c + 3] = np.frombuffer(b"\n+\n", np.uint8)
    c += 3
    rec[:, c : c + L] = qual
    rec[:, c + L] = 10
    return rec


def _fastq_records(path: Path) -> list[bytes]:
    with gzip.open(path, "rb") as fh:
        lines = fh.read().split(b"\n")
    return [b"\n".join(lines[i : i + 4]) + b"\n" for i in range(0, len(lines) - 3, 4)]


def simulated_fusion_reads(work: Path, seed: int) -> tuple[list[bytes], list[bytes], str]:
    """Fusion, wild-type ALK and ALK-ATI pairs from alkfuse.simulate (read length 150); and its truth."""
    from alkfuse.annotation import attach_sequences, read_gtf
    from alkfuse.panel import load_panel
    from alkfuse.simulate import panel_canonical, parse_fusion_spec, simulate

    ann = read_gtf(REFERENCE / "annotation.gtf.gz")
    sequences = attach_sequences(ann, transcripts_fasta=REFERENCE / "transcripts.fa.gz")
    panel = load_panel()
    specs = [parse_fusion_spec(s, panel, seed) for s in FUSIONS]
    out = work / "fusion_sim"
    res = simulate(transcripts={t.id: t for t in ann.transcripts}, sequences=sequences, out_dir=out, fusions=specs,
                   n_background_pairs=0, read_length=READ_LENGTH, seed=seed, alk_wildtype_fragments=WILDTYPE_ALK,
                   alk_ati_fragments=ALK_ATI, canonical=panel_canonical(panel, {"EML4", "ALK"}, sequences),
                   panel=panel)
    r1, r2 = (_fastq_records(p) for p in res.read_files)
    rename = lambda rec, mate: rec.replace(b"@sim", b"@BENCHSIM:", 1).replace(b"\n", f" {mate}:N:0:GATCAGAT\n".encode(), 1)  # noqa: E731
    truth = res.truth_path.read_text()
    return [rename(r, 1) for r in r1], [rename(r, 2) for r in r2], truth


def background_sequences() -> list[str]:
    from alkfuse.annotation import attach_sequences, read_gtf

    ann = read_gtf(REFERENCE / "annotation.gtf.gz")
    sequences = attach_sequences(ann, transcripts_fasta=REFERENCE / "transcripts.fa.gz")
    return [sequences[t.id] for t in sorted(ann.transcripts, key=lambda t: t.id)
            if t.gene_name != "ALK" and t.id in sequences]


def make_data(work: Path, pairs: int, flat_pairs: int, seed: int) -> dict:
    """Write R1/R2 (``pairs`` pairs) and the first ``flat_pairs`` of them as a second set, unless present."""
    from isal import igzip_threaded

    params = {"version": DATA_VERSION, "pairs": pairs, "flat_pairs": flat_pairs, "seed": seed,
              "read_length": READ_LENGTH, "gzip": f"isal level {GZIP_LEVEL}", "fusions": list(FUSIONS),
              "wildtype_alk": WILDTYPE_ALK, "alk_ati": ALK_ATI}
    meta_path = work / "data.json"
    files = {"r1": work / "R1.fq.gz", "r2": work / "R2.fq.gz", "r1_flat": work / "R1.first.fq.gz",
             "r2_flat": work / "R2.first.fq.gz"}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("params") == params and all(p.exists() for p in files.values()):
            log(f"reusing the data in {work}")
            return meta
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    sim1, sim2, truth = simulated_fusion_reads(work, seed)
    (work / "truth.tsv").write_text(truth)
    n_sim = len(sim1)
    n_bg = pairs - n_sim
    at = np.sort(rng.choice(pairs, n_sim, replace=False))  # output positions of the simulated pairs
    bg = Background(background_sequences(), rng)
    open_gz = lambda p: igzip_threaded.open(p, "wb", compresslevel=GZIP_LEVEL, threads=1)  # noqa: E731
    outs = [open_gz(files[k]) for k in ("r1", "r2", "r1_flat", "r2_flat")]
    written, done_bg, si = 0, 0, 0
    raw_sample = None
    try:
        while written < pairs:
            m = min(BLOCK, n_bg - done_bg)
            r1, q1, r2, q2 = bg.pairs(m)
            x = rng.integers(1000, 30000, m)
            recs = [fastq_block(done_bg, r1, q1, 1, x), fastq_block(done_bg, r2, q2, 2, x)]
            done_bg += m
            parts: tuple[list[bytes], list[bytes]] = ([], [])
            pos, row = written, 0
            while True:  # background rows, with the simulated pairs at their output positions
                while si < n_sim and at[si] == pos:
                    for k, sim in enumerate((sim1, sim2)):
                        parts[k].append(sim[si])
                    si += 1
                    pos += 1
                if row >= m:
                    if done_bg < n_bg or si == n_sim:
                        break
                    continue
                take = int(min(m - row, (at[si] if si < n_sim else pos + m) - pos))
                for k in range(2):
                    parts[k].append(recs[k][row : row + take].tobytes())
                row += take
                pos += take
            n_out = pos - written
            blobs = [b"".join(p) for p in parts]
            if raw_sample is None:
                raw_sample = blobs[0][: 32 << 20]
            for k in range(2):
                outs[k].write(blobs[k])
            if written < flat_pairs:
                keep = min(flat_pairs - written, n_out)
                for k in range(2):
                    blob = blobs[k]
                    if keep < n_out:
                        cut = 0
                        for _ in range(keep * 4):
                            cut = blob.index(b"\n", cut) + 1
                        blob = blob[:cut]
                    outs[2 + k].write(blob)
            written += n_out
            if (written // BLOCK) % 5 == 0:
                log(f"  {written:,} pairs written ({time.perf_counter() - t0:.0f} s)")
    finally:
        for o in outs:
            o.close()
    assert si == n_sim and written == pairs, (si, n_sim, written, pairs)
    isal_bytes = len(_isal_compress(raw_sample))
    zlib6_bytes = len(zlib.compress(raw_sample, 6))
    meta = {
        "params": params,
        "seconds": round(time.perf_counter() - t0, 1),
        "simulated_pairs": n_sim,
        "sizes": {k: p.stat().st_size for k, p in files.items()},
        "ratio_isal3_vs_gzip6": round(isal_bytes / zlib6_bytes, 3),
        "compressed_fraction_gzip6": round(zlib6_bytes / len(raw_sample), 3),
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    log(f"data written in {meta['seconds']} s: {meta}")
    return meta


def _isal_compress(raw: bytes) -> bytes:
    from isal import igzip

    return igzip.compress(raw, compresslevel=GZIP_LEVEL)


def make_bam(work: Path, r1: Path, r2: Path) -> Path:
    """The same pairs as an unaligned BAM (queryname order, flags 77/141), written with pysam."""
    import pysam

    bam = work / "reads.unaligned.bam"
    if bam.exists() and bam.stat().st_mtime > r1.stat().st_mtime:
        return bam
    log("writing the unaligned BAM (pysam)")
    from alkfuse.reads import iter_batches

    header = {"HD": {"VN": "1.6", "SO": "unsorted", "GO": "query"},
              "RG": [{"ID": "bench", "SM": "bench", "PL": "ILLUMINA"}]}
    tmp = bam.with_suffix(".partial")
    with pysam.AlignmentFile(str(tmp), "wb", header=header, threads=2) as out:
        for batch in iter_batches(str(r1), str(r2), threads=1):
            for i in range(len(batch)):
                name = batch.r1.name(i)
                for mate, rr, flag in ((1, batch.r1, 77), (2, batch.r2, 141)):
                    a = pysam.AlignedSegment(out.header)
                    a.query_name = name
                    a.flag = flag
                    a.query_sequence = rr.seq(i)
                    a.query_qualities = pysam.qualitystring_to_array(rr.qual(i))
                    a.set_tag("RG", "bench")
                    out.write(a)
    os.replace(tmp, bam)
    return bam


# --------------------------------------------------------------------------------------------------
# Measuring


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used so far (from /proc/stat; 0 elsewhere)."""
    try:
        with open("/proc/stat") as fh:
            ticks = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return 0.0
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]  # all but idle and iowait (guest time is inside user)
    return busy / os.sysconf("SC_CLK_TCK")


def wait_quiet(max_wait: float, idle_cores: float = 0.3) -> bool:
    """Wait (up to ``max_wait`` s) until other processes use under ``idle_cores`` cores for 1 s."""
    t_end = time.perf_counter() + max_wait
    while True:
        b0, t0 = machine_busy_seconds(), time.perf_counter()
        time.sleep(1.0)
        if (machine_busy_seconds() - b0) / (time.perf_counter() - t0) < idle_cores:
            return True
        if time.perf_counter() > t_end:
            return False


def run(cmd: list[str], *, stdout=subprocess.DEVNULL, log_path: Path | None = None, env=None) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds (user + sys) and peak RSS (MB) of the child.

    The child runs under GNU ``/usr/bin/time``, which reports its child's rusage: a child forked
    straight from this (large) Python process would inherit its resident size into ``ru_maxrss``.
    """
    err = open(log_path, "wb") if log_path else subprocess.DEVNULL
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        try:
            b0 = machine_busy_seconds()
            t0 = time.perf_counter()
            p = subprocess.run([TIME, "-q", "-o", tf.name, "-f", "%U %S %M", *map(str, cmd)], stdout=stdout,
                               stderr=err, env=env or ENV)
            wall = time.perf_counter() - t0
            busy = machine_busy_seconds() - b0
        finally:
            if log_path:
                err.close()
        if p.returncode != 0:
            tail = log_path.read_text()[-2000:] if log_path else ""
            raise SystemExit(f"failed ({p.returncode}): {' '.join(map(str, cmd))}\n{tail}")
        user, sys_, rss_kb = tf.read().split()[-3:]
    cpu = float(user) + float(sys_)
    # cores that other processes kept busy meanwhile (this script and GNU time are negligible)
    other = max(0.0, busy - cpu) / wall if busy else float("nan")
    return {"wall": wall, "cpu": cpu, "rss_mb": int(rss_kb) / 1024, "other": other}


def alkfuse_cmd(index: Path, out: Path, r1: Path | None, r2: Path | None, threads: int,
                bam: Path | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "alkfuse", "-q", "detect", "--index", str(index), "--out", str(out),
           "--threads", str(threads)]
    return cmd + (["--bam", str(bam)] if bam else ["-1", str(r1), "-2", str(r2)])


def detect_has_bam() -> bool:
    r = subprocess.run([sys.executable, "-m", "alkfuse", "detect", "--help"], capture_output=True, text=True, env=ENV)
    return "--bam" in r.stdout


def code_fingerprint() -> str:
    """Hash of the alkfuse sources (a shared checkout may change while the benchmark runs)."""
    h = hashlib.sha256()
    for p in sorted((ROOT / "alkfuse").glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, help="where data, indexes and outputs go (default: a temp dir)")
    ap.add_argument("--pairs", type=int, default=4_000_000)
    ap.add_argument("--flat-pairs", type=int, default=1_000_000, help="pairs of the memory-flatness row")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts for detect")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-peer", action="store_true", help="skip kallisto + pizzly")
    ap.add_argument("--no-bam", action="store_true", help="skip the unaligned BAM row")
    ap.add_argument("--data-only", action="store_true", help="write the data and stop")
    ap.add_argument("--quiet-wait", type=float, default=120.0,
                    help="before each run, wait up to this many seconds for other processes to go idle (0: don't)")
    a = ap.parse_args(argv)
    threads = [int(x) for x in a.threads.split(",")]
    tmp = None
    if a.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="alkfuse-speed-")
        a.workdir = Path(tmp.name)
    work = a.workdir.resolve()
    meta = make_data(work, a.pairs, min(a.flat_pairs, a.pairs), a.seed)
    if a.data_only:
        return 0
    r1, r2, f1, f2 = (work / n for n in ("R1.fq.gz", "R2.fq.gz", "R1.first.fq.gz", "R2.first.fq.gz"))
    for p in (r1, r2, f1, f2):  # page cache: every tool reads from memory
        with open(p, "rb") as fh:
            while fh.read(1 << 24):
                pass

    index = work / "index"  # rebuilt every time (3 s): the format may have changed since the last run
    if index.exists():
        shutil.rmtree(index)
    log("building the alkfuse index (untimed)")
    run([sys.executable, "-m", "alkfuse", "-q", "index", "--gtf", str(REFERENCE / "annotation.gtf.gz"),
         "--transcripts", str(REFERENCE / "transcripts.fa.gz"), "--out", str(index)])
    runs = work / "runs"
    if runs.exists():
        shutil.rmtree(runs)
    runs.mkdir()
    sim = work / "fusion_sim"
    log("warming the numba kernel cache (untimed)")
    warm = run(alkfuse_cmd(index, runs / "warm", sim / "reads_1.fq.gz", sim / "reads_2.fq.gz", 2),
               log_path=runs / "warm.log")
    log(f"  warm-up run: {warm['wall']:.1f} s")

    # label -> (commands run one after the other, pairs, alkfuse output dir, row labels: one per prefix of
    # the commands, e.g. kallisto alone, then kallisto + pizzly, both from the same run)
    jobs: dict[str, tuple[list[list[str]], int, Path | None, list[str]]] = {}

    def job(label, cmds, n, out=None, rows=None):
        jobs[label] = (cmds, n, out, rows or [label])

    job("zcat R1 R2 > /dev/null", [["zcat", str(r1), str(r2)]], a.pairs)
    for t in threads:
        job(f"alkfuse detect --threads {t}", [alkfuse_cmd(index, runs / f"t{t}", r1, r2, t)], a.pairs, runs / f"t{t}")
    notes = []
    if not a.no_bam:
        if detect_has_bam():
            bam = make_bam(work, r1, r2)
            t = max(threads)
            job(f"alkfuse detect --bam --threads {t}", [alkfuse_cmd(index, runs / "bam", None, None, t, bam)],
                a.pairs, runs / "bam")
        else:
            notes.append("unaligned BAM row skipped: `alkfuse detect` has no --bam option yet")
    tflat = max(threads)
    flat_label = f"alkfuse detect --threads {tflat}, first {a.flat_pairs:,} pairs"
    job(flat_label, [alkfuse_cmd(index, runs / "flat", f1, f2, tflat)], min(a.flat_pairs, a.pairs), runs / "flat")
    if not a.no_peer:
        kal, piz = shutil.which("kallisto"), shutil.which("pizzly")
        if kal and piz:
            kidx = work / "kallisto.idx"
            gtf = work / "annotation.gtf"
            if not kidx.exists():
                log("building the kallisto index (k=31, untimed)")
                run([kal, "index", "-k", "31", "-i", str(kidx), str(REFERENCE / "transcripts.fa.gz")],
                    log_path=work / "kallisto_index.log")
            if not gtf.exists():
                gtf.write_bytes(gzip.decompress((REFERENCE / "annotation.gtf.gz").read_bytes()))
            kout = runs / "kallisto"
            pz = [piz, "-k", "31", "--gtf", str(gtf), "--cache", str(work / "pizzly.cache.txt"),
                  "--align-score", "2", "--insert-size", "400", "--fasta", str(REFERENCE / "transcripts.fa.gz"),
                  "--output", str(runs / "pizzly"), str(kout / "fusion.txt")]
            kq = [kal, "quant", "-i", str(kidx), "--fusion", "-t", "2", "-o", str(kout), str(r1), str(r2)]
            job("kallisto", [kq, pz], a.pairs, None,
                ["kallisto quant --fusion -t 2", "kallisto quant --fusion -t 2, then pizzly"])
        else:
            notes.append("kallisto/pizzly rows skipped: not on PATH (Debian: apt-get install kallisto pizzly)")

    load_before = os.getloadavg()
    results: dict[str, list[dict]] = {row: [] for *_, rows in jobs.values() for row in rows}
    timings: dict[str, list[dict]] = {}
    outputs: list[dict[str, str]] = []  # per round: alkfuse run on all pairs -> fusions.tsv digest + read counts
    code: set[str] = set()
    busy_runs = 0
    for rep in range(a.repeats):
        outputs.append({})
        for label, (cmds, _, out, rows) in jobs.items():
            if out is not None and out.exists():
                shutil.rmtree(out)
            if a.quiet_wait and not wait_quiet(a.quiet_wait):
                busy_runs += 1
                log(f"  the machine stayed busy for {a.quiet_wait:.0f} s: measuring anyway")
            code.add(code_fingerprint())
            parts = [run(c, log_path=runs / "last.log") for c in cmds]
            for i, row in enumerate(rows):
                ps = parts[: i + 1] if len(rows) > 1 else parts
                wall = sum(p["wall"] for p in ps)
                res = {"wall": wall, "cpu": sum(p["cpu"] for p in ps), "rss_mb": max(p["rss_mb"] for p in ps),
                       "other": sum(p["other"] * p["wall"] for p in ps) / wall}
                results[row].append(res)
                log(f"round {rep + 1}: {row}: {res['wall']:.2f} s wall, {res['cpu']:.2f} s CPU, "
                    f"{res['rss_mb']:.0f} MB, other processes {res['other']:.2f} cores")
            if out is not None:
                stats = json.loads((out / "stats.json").read_text())
                timings.setdefault(label, []).append(stats.get("timing", {}))
                if label != flat_label:
                    outputs[-1][label] = digest(out / "fusions.tsv") + " " + json.dumps(stats.get("reads"), sort_keys=True)
            code.add(code_fingerprint())

    load_after = os.getloadavg()
    floor = statistics.median(r["wall"] for r in results["zcat R1 R2 > /dev/null"])
    print(f"\n{a.pairs:,} pairs of 2x{READ_LENGTH} gzip FASTQ (ISA-L level {GZIP_LEVEL}; "
          f"{(meta['sizes']['r1'] + meta['sizes']['r2']) / 1e6:.0f} MB; ISA-L/gzip -6 size ratio "
          f"{meta['ratio_isal3_vs_gzip6']}), {os.cpu_count()} CPUs, median of {a.repeats} runs; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n")
    print("| command | pairs | wall s | CPU s | peak RSS MB | pairs/s | wall / zcat | other load (max) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, (_, n, _, rows) in jobs.items():
        for row in rows:
            rs = results[row]
            wall = statistics.median(r["wall"] for r in rs)
            cpu = statistics.median(r["cpu"] for r in rs)
            rss = max(r["rss_mb"] for r in rs)
            other = f"{statistics.median(r['other'] for r in rs):.2f} ({max(r['other'] for r in rs):.2f})"
            ratio = f"{wall / floor:.2f}" if n == a.pairs else f"({wall / floor * a.pairs / n:.2f} scaled)"
            print(f"| `{row}` | {n:,} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {n / wall:,.0f} | {ratio} | {other} |")
    print()
    for label, ts in timings.items():
        warm = statistics.median(t.get("kernel_warmup_seconds", float("nan")) for t in ts)
        scan = statistics.median(t.get("scan_seconds", float("nan")) for t in ts)
        print(f"- `{label}`: kernel warm-up {warm:.2f} s (cached), scan {scan:.2f} s (medians, from stats.json)")
    same_rounds = all(len(set(o.values())) == 1 for o in outputs)
    across = len({v for o in outputs for v in o.values()}) == 1
    labels = ", ".join(f"`{x}`" for x in outputs[0])
    print(f"- fusions.tsv bytes and stats.json read counts identical across {labels}: "
          f"{'yes' if same_rounds else 'NO'} (within each round); across rounds: {'yes' if across else 'no'}"
          + ("" if len(code) == 1 else " (alkfuse source files changed during the benchmark: compare within rounds)"))
    for i, o in enumerate(outputs, 1):
        if len(set(o.values())) > 1:
            print(f"  - round {i}: " + "; ".join(f"`{k}` {v.split()[0]}" for k, v in o.items()))
    big = f"alkfuse detect --threads {tflat}"
    if big in results:
        r_small = max(r["rss_mb"] for r in results[flat_label])
        r_big = max(r["rss_mb"] for r in results[big])
        print(f"- peak RSS {min(a.flat_pairs, a.pairs):,} -> {a.pairs:,} pairs (--threads {tflat}): "
              f"{r_small:.0f} -> {r_big:.0f} MB ({r_big - r_small:+.0f} MB)")
    calls = (runs / f"t{threads[0]}" / "fusions.tsv").read_text().splitlines()[1:]
    print(f"- calls: {'; '.join(c.split(chr(9))[0] + ' ' + c.split(chr(9))[7] + ' ' + c.split(chr(9))[8] for c in calls) or 'none'} "
          f"(simulated: {', '.join(FUSIONS)})")
    if busy_runs:
        print(f"- {busy_runs} run(s) started while other processes kept the machine busy (see 'other load')")
    for n in notes:
        print(f"- {n}")
    if tmp is not None:
        tmp.cleanup()
    return 0 if same_rounds else 1


if __name__ == "__main__":
    sys.exit(main())
