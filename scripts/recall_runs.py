#!/usr/bin/env python3
"""Call a benchmark's saved evidence again with the alkfuse this Python imports: a caller change measured
on hundreds of samples in minutes, without simulating or scanning again.

    python scripts/recall_runs.py ROOT --out OUT
    python scripts/recall_runs.py ROOT --out OUT --scan [--threads 2]   # detect again from the saved reads
    python scripts/compare_runs.py ROOT OUT        # what the change did, sample by sample

ROOT is a benchmark's ``--out`` directory (``benchmarks/accuracy.py``, ``independent.py`` or
``independent_long.py``): its ``index/`` and each sample's ``<sample>/detect/evidence.jsonl.gz``, ``<sample>``
a directory at any depth under ROOT. Each sample is called again into ``OUT/<sample>/detect/`` under its
own name (its directory's name), as the benchmark's ``alkfuse detect`` did, so a caller that
did not change writes byte-identical tables. The scan is not re-run, unless ``--scan``: then each sample's
saved reads (``<sample>/sim/reads_1.fq.gz`` and ``reads_2.fq.gz``, or ``reads.f[aq].gz``; ``<sample>/`` for
``independent.py``) go through ``alkfuse detect`` again with ROOT's index (built by a compatible version): a
scan change on a benchmark's samples without simulating them again. The alkfuse called is this checkout's (an installed copy, which may be older, is not
used: re-calls once measured a stale installed copy instead of the change); to call with another
checkout's code, put it on the path: ``PYTHONPATH=/path/to/checkout python scripts/recall_runs.py ...``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def saved_reads(sample_dir: Path) -> list[Path]:
    """A benchmark sample's reads: both mates, or its one file (single-end or long reads)."""
    for where in (sample_dir / "sim", sample_dir):
        reads = sorted(where.glob("reads_[12].f*q.gz")) or sorted(where.glob("reads.f[aq].gz"))
        if reads:
            return reads
    from alkfuse.errors import InputError

    raise InputError(f"no reads_1/reads_2 or reads.fq.gz/.fa.gz in {sample_dir} or its sim/: --scan needs the saved reads")


def recall(root: Path, out: Path, scan: bool = False, threads: int = 1) -> list[str]:
    """Re-call (``scan``: detect again) every sample under ``root`` into ``out``; returns the sample names,
    in order."""
    from alkfuse.errors import InputError
    from alkfuse.evidence import read_evidence
    from alkfuse.index import Index
    from alkfuse.pipeline import call_evidence, detect

    files = sorted(root.glob("**/detect/evidence.jsonl.gz"))
    if not files:
        raise InputError(f"no <sample>/detect/evidence.jsonl.gz under {root}: give a benchmark's --out directory")
    index = Index(root / "index")
    samples = []
    for ev in files:
        sample = ev.parent.parent.relative_to(root)
        if scan:
            reads = saved_reads(root / sample)
            detect(root / "index", out / sample / "detect", *map(str, reads), sample=sample.name, threads=threads)
        else:
            call_evidence(index, read_evidence(ev), out / sample / "detect", sample=sample.name)
        samples.append(str(sample))
    return samples


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", type=Path, help="a benchmark's --out directory")
    ap.add_argument("--out", type=Path, required=True, help="where the new calls go (OUT/<sample>/detect/)")
    ap.add_argument("--scan", action="store_true", help="detect again from each sample's saved reads")
    ap.add_argument("--threads", type=int, default=1, help="with --scan: detect's threads")
    args = ap.parse_args(argv)
    from alkfuse.errors import AlkfuseError

    try:
        samples = recall(args.root, args.out, args.scan, args.threads)
    except AlkfuseError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    import alkfuse

    print(f"{len(samples)} samples {'detected' if args.scan else 'called'} again into {args.out} by the alkfuse in "
          f"{Path(alkfuse.__file__).parent}")
    return 0


if __name__ == "__main__":
    if not os.environ.get("PYTHONPATH"):
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an installed copy
    sys.exit(main())
