"""The plain functions behind the CLI: scan, call, detect. Each returns its results."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from . import __version__
from .evidence import Evidence, merge_evidence, write_evidence
from .index import Index
from .scan import ScanParams, scan_batches

log = logging.getLogger("alkfuse")


def warm_kernels(index: Index) -> float:
    """Compile (or load from cache) the scan kernels on a tiny input; returns the seconds it took."""
    import numpy as np

    from .kernels import scan_reads

    t0 = time.perf_counter()
    table, bits = index.filter_table()
    buf = np.frombuffer(b"ACGT" * 10, dtype=np.uint8)
    scan_reads(buf, np.array([0], np.int64), np.array([40], np.int32), table, bits, index.k)
    return time.perf_counter() - t0


def _prefetch(batches: Iterable, threads: int) -> Iterator:
    """With threads > 1, read the next batch in a worker while the current one is scanned."""
    if threads <= 1:
        yield from batches
        return
    it = iter(batches)
    with ThreadPoolExecutor(1) as pool:
        fut = pool.submit(next, it, None)
        while True:
            b = fut.result()
            if b is None:
                return
            fut = pool.submit(next, it, None)
            yield b


def scan(index: Index, r1: str | None = None, r2: str | None = None, *, bam: str | None = None,
         threads: int = 1, params: ScanParams = ScanParams(), **bam_opts) -> Evidence:
    """Reads -> evidence (in memory)."""
    if bam is not None:
        from .bam import iter_bam_batches

        batches = iter_bam_batches(bam, index=index, threads=threads, **bam_opts)
    else:
        from .reads import iter_batches

        batches = iter_batches(r1, r2, threads=max(0, threads - 1))
    return scan_batches(_prefetch(batches, threads), index, params)


@dataclass
class DetectResult:
    calls: list
    evidence: Evidence
    stats: dict
    paths: dict


def call_evidence(index: Index, evidence: Evidence, outdir: str | Path, *, sample: str,
                  disabled_filters: Iterable[str] = (), blocklist: frozenset = frozenset(),
                  timing: dict | None = None) -> DetectResult:
    from .caller import call
    from .panel import load_panel
    from .writers import write_outputs

    if evidence.index != index.checksum():
        from .errors import InputError

        raise InputError("the evidence was scanned with another index: call it with the index it was scanned with")
    t0 = time.perf_counter()
    panel = load_panel()
    calls = call(evidence, index, panel, disabled_filters=frozenset(disabled_filters), blocklist=blocklist)
    timing = dict(timing or {})
    timing["call_seconds"] = round(time.perf_counter() - t0, 3)
    stats = {
        "version": __version__,
        "sample": sample,
        "index": index.checksum(),
        "reads": evidence.stats.to_json(),
        "calls": {"passed": sum(c.passed for c in calls), "discarded": sum(not c.passed for c in calls)},
        "evidence_fragments": len(evidence.fragments),
        "timing": timing,
    }
    paths = write_outputs(calls, outdir, sample=sample, stats=stats)
    return DetectResult(calls, evidence, stats, paths)


def call_files(index_dir: str | Path, evidence_files: list[str], outdir: str | Path, *, sample: str,
               **kw) -> DetectResult:
    index = Index(index_dir)
    return call_evidence(index, merge_evidence(evidence_files), outdir, sample=sample, **kw)


def scan_to_file(index_dir: str | Path, out: str | Path, r1: str | None = None, r2: str | None = None,
                 **kw) -> Evidence:
    index = Index(index_dir)
    warm_kernels(index)
    ev = scan(index, r1, r2, **kw)
    write_evidence(ev, out)
    return ev


def detect(index_dir: str | Path, outdir: str | Path, r1: str | None = None, r2: str | None = None, *,
           sample: str = "sample", threads: int = 1, disabled_filters: Iterable[str] = (),
           blocklist: frozenset = frozenset(), keep_evidence: bool = True, **kw) -> DetectResult:
    """Scan then call, in one process."""
    index = Index(index_dir)
    compile_s = warm_kernels(index)
    t0 = time.perf_counter()
    ev = scan(index, r1, r2, threads=threads, **kw)
    timing = {"kernel_warmup_seconds": round(compile_s, 3), "scan_seconds": round(time.perf_counter() - t0, 3)}
    log.info("scan: %d fragments, %d with ALK k-mers, %d kept as evidence (%.1f s)",
             ev.stats.fragments, ev.stats.alk_kmer_fragments, len(ev.fragments), timing["scan_seconds"])
    res = call_evidence(index, ev, outdir, sample=sample, disabled_filters=disabled_filters,
                        blocklist=blocklist, timing=timing)
    if keep_evidence:
        write_evidence(ev, Path(outdir) / "evidence.jsonl.gz")
    return res
