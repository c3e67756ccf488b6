"""Speed when ALK is strongly expressed: most reads reach the per-fragment classification.

    python benchmarks/strong_expression.py [--workdir DIR] [--fragments 1500] [--repeats 3]
                                           [--error-rate 0.002] [--baseline REV ...]

An ALCL with NPM1::ALK, or a targeted RNA panel whose primers sit in ALK, puts a large share of all reads
on ALK; the ALK pre-filter passes them all and each is classified in Python around numba kernels. This
script measures that case; ``speed.py`` measures the common one (few ALK reads among millions).

1. Simulates (``alkfuse simulate``, once per ``--workdir`` and parameters) 2x150 paired reads from the
   shared GRCh38 panel: NPM1::ALK E4;A20 and EML4::ALK v1 at ``--fragments`` supporting fragments each,
   EML4::ALK v5b (a 117-base insert: reads of the insert are classified the long way) at a quarter of
   that, wild-type ALK at four times it, ALK-ATI at one, and ``--background`` background pairs.
2. Builds the index (untimed) and warms the kernel cache.
3. Times, rounds interleaved, median of ``--repeats``: ``zcat R1 R2 > /dev/null`` on the same files,
   ``alkfuse detect --threads 1`` and ``--threads 2`` of this checkout, and ``--threads 1`` of each
   ``--baseline`` git revision (checked out with ``git worktree`` under the workdir, run from source).
4. Prints one table (medians: wall, wall / zcat, scan and call seconds from stats.json, ALK-k-mer
   fragments per second of scan), whether 1 and 2 threads wrote the same fusions.tsv, and the calls of
   any baseline whose fusions.tsv differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "data" / "reference" / "grch38_panel"
DATA_VERSION = 1


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def alkfuse(*args: str) -> list[str]:
    """The alkfuse command line of the source tree on PYTHONPATH (``env_for``)."""
    return [sys.executable, "-m", "alkfuse", *args]


def env_for(src: Path) -> dict:
    """Run alkfuse from ``src``: on PYTHONPATH, and as the working directory (``python -m`` puts the working
    directory first on sys.path, so a run from another checkout would import that one)."""
    return {**os.environ, "PYTHONPATH": str(src), "ALKFUSE_BENCH_SRC": str(src)}


def run(cmd: list[str], env: dict | None, **kw) -> subprocess.CompletedProcess:
    cwd = env.get("ALKFUSE_BENCH_SRC") if env else None
    return subprocess.run(cmd, check=True, env=env, cwd=cwd, **kw)


def make_data(work: Path, a) -> dict:
    params = {"version": DATA_VERSION, "fragments": a.fragments, "background": a.background, "seed": a.seed}
    if a.error_rate != 0.002:  # the default's data keep their key
        params["error_rate"] = a.error_rate
    meta_path = work / "data.json"
    if meta_path.exists() and json.loads(meta_path.read_text()).get("params") == params:
        return json.loads(meta_path.read_text())
    sim = work / "sim"
    if sim.exists():
        shutil.rmtree(sim)
    f = a.fragments
    cmd = ["simulate", "--gtf", str(REFERENCE / "annotation.gtf.gz"), "--transcripts",
           str(REFERENCE / "transcripts.fa.gz"), "--out", str(sim), "--read-length", "150",
           "--fusion", f"NPM1::ALK:E4;A20@{f}", "--fusion", f"EML4::ALK:v1@{f}",
           "--fusion", f"EML4::ALK:v5b@{max(1, f // 4)}", "--wildtype-alk", str(4 * f), "--ati", str(f),
           "--background-pairs", str(a.background), "--seed", str(a.seed), "--error-rate", str(a.error_rate)]
    log(f"simulating: {' '.join(cmd)}")
    run(alkfuse(*cmd), env_for(ROOT), stdout=subprocess.DEVNULL)
    meta = {"params": params, "truth": (sim / "truth.tsv").read_text()}
    meta_path.write_text(json.dumps(meta))
    return meta


def timed(cmd: list[str], env=None) -> float:
    t = time.perf_counter()
    run(cmd, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, help="where data, indexes and outputs go (default: a temp dir)")
    ap.add_argument("--fragments", type=int, default=1500, help="supporting fragments of NPM1::ALK and v1")
    ap.add_argument("--background", type=int, default=100_000, help="background pairs")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--error-rate", type=float, default=0.002,
                    help="substitutions per base (rising toward the 3' end), e.g. 0.01: more reads miss the quick path")
    ap.add_argument("--baseline", action="append", default=[], metavar="REV",
                    help="also time --threads 1 of this git revision (repeatable)")
    a = ap.parse_args(argv)
    tmp = None
    if a.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="alkfuse-strong-")
        a.workdir = Path(tmp.name)
    work = a.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    meta = make_data(work, a)
    r1, r2 = work / "sim" / "reads_1.fq.gz", work / "sim" / "reads_2.fq.gz"

    sources = {"this checkout": ROOT}
    for rev in a.baseline:
        tree = work / f"rev_{rev}"  # a revision's code, its numba cache beside it
        if not tree.exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(tree), rev], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sources[rev] = tree
    runs = work / "runs"
    if runs.exists():
        shutil.rmtree(runs)
    runs.mkdir()
    jobs: dict[str, tuple[list[str], dict | None, Path | None]] = {"zcat R1 R2 > /dev/null": (
        ["zcat", str(r1), str(r2)], None, None)}
    for name, src in sources.items():
        index = runs / f"index_{len(jobs)}"  # each revision builds its own (the format may differ)
        log(f"{name}: building the index and warming the kernel cache (untimed)")
        run(alkfuse("-q", "index", "--gtf", str(REFERENCE / "annotation.gtf.gz"), "--transcripts",
                    str(REFERENCE / "transcripts.fa.gz"), "--out", str(index)), env_for(src))
        for t in ((1, 2) if src == ROOT else (1,)):
            out = runs / f"out_{len(jobs)}"
            cmd = alkfuse("-q", "detect", "--index", str(index), "-1", str(r1), "-2", str(r2), "--out", str(out),
                          "--threads", str(t))
            run(cmd, env_for(src), stdout=subprocess.DEVNULL)  # warm-up
            jobs[f"alkfuse detect --threads {t}" + ("" if src == ROOT else f" (at {name})")] = (cmd, env_for(src), out)

    walls: dict[str, list[float]] = {k: [] for k in jobs}
    stats: dict[str, list[dict]] = {}
    for rep in range(a.repeats):
        for label, (cmd, env, out) in jobs.items():
            walls[label].append(timed(cmd, env))
            log(f"round {rep + 1}: {label}: {walls[label][-1]:.2f} s")
            if out is not None:
                stats.setdefault(label, []).append(json.loads((out / "stats.json").read_text()))
    floor = statistics.median(walls["zcat R1 R2 > /dev/null"])

    first = next(iter(stats.values()))[0]["reads"]
    print(f"\n{first['fragments']:,} pairs of 2x150 gzip FASTQ, {first['alk_kmer_fragments']:,} with ALK k-mers "
          f"(simulated: NPM1::ALK and EML4::ALK v1 at {a.fragments:,} supporting fragments, v5b at "
          f"{max(1, a.fragments // 4):,}, wild-type ALK {4 * a.fragments:,}, ALK-ATI {a.fragments:,}); "
          f"{os.cpu_count()} CPUs, median of {a.repeats} runs\n")
    print("| command | wall s | wall / zcat | scan s | call s | ALK-k-mer fragments per scan second |")
    print("|---|---:|---:|---:|---:|---:|")
    for label in jobs:
        wall = statistics.median(walls[label])
        if label not in stats:
            print(f"| `{label}` | {wall:.2f} | 1.00 | | | |")
            continue
        scan = statistics.median(st.get("timing", {}).get("scan_seconds", float("nan")) for st in stats[label])
        call = statistics.median(st.get("timing", {}).get("call_seconds", float("nan")) for st in stats[label])
        rate = stats[label][0]["reads"]["alk_kmer_fragments"] / scan
        print(f"| `{label}` | {wall:.2f} | {wall / floor:.2f} | {scan:.2f} | {call:.2f} | {rate:,.0f} |")
    digests = {label: digest(out / "fusions.tsv") for label, (_, _, out) in jobs.items() if out is not None}
    ours = {d for label, d in digests.items() if "(at " not in label}
    same = len(ours) == 1
    print(f"\n- fusions.tsv identical for --threads 1 and 2: {'yes' if same else 'NO: ' + str(digests)}")

    def calls(out: Path) -> list[str]:
        rows = [line.split("\t") for line in (out / "fusions.tsv").read_text().splitlines()[1:]]
        return [f"{c[0]} {c[7]} {c[8]}, {c[14]} unique fragments, {c[16]}" for c in rows]

    for line in calls(jobs["alkfuse detect --threads 1"][2]):
        print(f"- call: {line}")
    for label, (_, _, out) in jobs.items():
        if "(at " in label:
            if digests[label] in ours:
                print(f"- `{label}`: the same fusions.tsv")
            else:
                print(f"- `{label}`: another fusions.tsv: " + "; ".join(calls(out)))
    for rev in a.baseline:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / f"rev_{rev}")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if tmp is not None:
        tmp.cleanup()
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
