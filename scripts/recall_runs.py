#!/usr/bin/env python3
"""Call a benchmark's saved evidence again with the alkfuse this Python imports: a caller change measured
on hundreds of samples in minutes, without simulating or scanning again.

    python scripts/recall_runs.py ROOT --out OUT
    python scripts/compare_runs.py ROOT OUT        # what the change did, sample by sample

ROOT is a benchmark's ``--out`` directory (``benchmarks/accuracy.py``, ``independent.py`` or
``independent_long.py``): its ``index/`` and each sample's ``<sample>/detect/evidence.jsonl.gz``, ``<sample>``
a directory at any depth under ROOT. Each sample is called again into ``OUT/<sample>/detect/`` under its
own name (its directory's name), as the benchmark's ``alkfuse detect`` did, so a caller that
did not change writes byte-identical tables. The scan is not re-run: a change to the scan needs the
benchmark itself. The alkfuse called is this checkout's (an installed copy, which may be older, is not
used: re-calls once measured a stale installed copy instead of the change); to call with another
checkout's code, put it on the path: ``PYTHONPATH=/path/to/checkout python scripts/recall_runs.py ...``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def recall(root: Path, out: Path) -> list[str]:
    """Re-call every sample under ``root`` into ``out``; returns the sample names, in order."""
    from alkfuse.errors import InputError
    from alkfuse.evidence import read_evidence
    from alkfuse.index import Index
    from alkfuse.pipeline import call_evidence

    files = sorted(root.glob("**/detect/evidence.jsonl.gz"))
    if not files:
        raise InputError(f"no <sample>/detect/evidence.jsonl.gz under {root}: give a benchmark's --out directory")
    index = Index(root / "index")
    samples = []
    for ev in files:
        sample = ev.parent.parent.relative_to(root)
        call_evidence(index, read_evidence(ev), out / sample / "detect", sample=sample.name)
        samples.append(str(sample))
    return samples


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", type=Path, help="a benchmark's --out directory")
    ap.add_argument("--out", type=Path, required=True, help="where the new calls go (OUT/<sample>/detect/)")
    args = ap.parse_args(argv)
    from alkfuse.errors import AlkfuseError

    try:
        samples = recall(args.root, args.out)
    except AlkfuseError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    import alkfuse

    print(f"{len(samples)} samples called again into {args.out} by the alkfuse in {Path(alkfuse.__file__).parent}")
    return 0


if __name__ == "__main__":
    if not os.environ.get("PYTHONPATH"):
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an installed copy
    sys.exit(main())
