"""The plain functions behind the CLI: scan, call, detect. Each returns its results."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from . import __version__
from .evidence import Evidence, Stats, merge_evidence, write_evidence
from .index import Index
from .scan import ScanParams, scan_batches

log = logging.getLogger("alkfuse")


def warm_kernels(index: Index) -> float:
    """Compile (or load from cache) the scan kernels on a tiny input; returns the seconds it took."""
    import numpy as np

    from .reads import ReadBatch, parse_chunk
    from .scan import Prefilter, fragment_ends

    t0 = time.perf_counter()
    buf = np.frombuffer(b"@r\n" + b"ACGT" * 10 + b"\n+\n" + b"I" * 40 + b"\n", dtype=np.uint8).copy()  # writable, as batches are
    reads = parse_chunk(buf)[0]
    Prefilter(index, ScanParams())(ReadBatch(reads, None, 0))
    index.pair_lengths(reads, reads, 0)
    fragment_ends("ACGT" * 10, "TTGCA" * 8)  # both overlap kernels (no diagonal holds these)
    return time.perf_counter() - t0


class _Failed:
    """An exception raised in the reading thread, carried to the consumer."""

    def __init__(self, exc: BaseException):
        self.exc = exc


def _prefetch(batches: Iterable, threads: int, depth: int | None = None) -> Iterator:
    """With threads > 1, read batches (decompress + parse) in a background thread, ``depth`` ahead.

    Errors raised while reading come out of this iterator, as they would without the thread. Closing it
    early (an error downstream) stops the reader and closes the input.
    """
    if threads <= 1:
        yield from batches
        return
    import queue
    import threading

    it = iter(batches)
    q: queue.Queue = queue.Queue(depth or 2 * threads)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                pass
        return False

    def produce() -> None:
        try:
            for b in it:
                if not put(b):
                    break
            else:
                put(end)
        except BaseException as e:  # noqa: BLE001 - re-raised in the consumer
            put(_Failed(e))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=produce, name="alkfuse-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = q.get()
            if item is end:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        reader.join()


def _scan_parallel(batches: Iterable, index: Index, params: ScanParams, threads: int) -> Evidence:
    """:func:`scan_batches` with the ALK pre-filter of many batches running at once in ``threads`` workers.

    The kernels release the GIL. Workers reduce each batch to its fragments with an ALK k-mer hit or a
    partner tail (``scan.Prefilter``); this thread hands those (in input order) to :func:`scan_batches`,
    which scans them again (a few reads) and classifies them, and then adds the fragments, reads and bases
    of everything the workers dropped.
    Evidence and stats are those of ``scan_batches`` over all batches.
    """
    from collections import deque

    import numpy as np

    from .scan import Prefilter, mates_of

    pick = Prefilter(index, params)
    dropped = {"fragments": 0, "reads": 0, "bases": 0}
    lengths = Stats()

    def prefilter_batch(batch):
        hit, tails = pick(batch)
        bases = sum(int(rr.seq_len.sum()) for rr in mates_of(batch))
        measured = index.pair_lengths(batch.r1, batch.r2, params.length_sample_bits) if batch.r2 is not None \
            else np.zeros(0, dtype=np.int32)
        return batch, np.flatnonzero(Prefilter.kept(hit, tails)), bases, measured[measured >= 0]

    def reduce(fut):
        batch, idx, bases, measured = fut.result()
        lengths.add_fragment_lengths(measured)
        sub = type(batch)(*(rr.select(idx) if rr is not None else None for rr in (batch.r1, batch.r2)), batch.first)
        ms = mates_of(sub)
        dropped["fragments"] += len(batch) - len(sub)
        dropped["reads"] += (len(batch) - len(sub)) * len(ms)
        dropped["bases"] += bases - sum(int(rr.seq_len.sum()) for rr in ms)
        return sub

    def candidates():
        with ThreadPoolExecutor(threads, thread_name_prefix="alkfuse-scan") as pool:
            pending: deque = deque()
            try:
                for batch in _prefetch(batches, threads):
                    pending.append(pool.submit(prefilter_batch, batch))
                    while pending and (len(pending) > threads or pending[0].done()):
                        sub = reduce(pending.popleft())
                        if len(sub):
                            yield sub
                while pending:
                    sub = reduce(pending.popleft())
                    if len(sub):
                        yield sub
            finally:
                for fut in pending:
                    fut.cancel()

    ev = scan_batches(candidates(), index, params, sample_lengths=False)
    ev.stats.fragment_lengths = [a + b for a, b in zip(ev.stats.fragment_lengths, lengths.fragment_lengths)]
    ev.stats.fragments += dropped["fragments"]
    ev.stats.reads += dropped["reads"]
    ev.stats.bases += dropped["bases"]
    return ev


def scan(index: Index, r1: str | None = None, r2: str | None = None, *, bam: str | None = None,
         threads: int = 1, params: ScanParams = ScanParams(), **bam_opts) -> Evidence:
    """Reads -> evidence (in memory).

    ``threads`` 1 does everything in this thread. With more, gzip input is decompressed in one thread per
    file, a reader thread parses batches, ``threads`` workers run the ALK pre-filter over several
    batches at once, and this thread classifies the few fragments with ALK k-mers. Results are the same
    for every thread count.
    """
    if bam is not None:
        from .bam import iter_bam_batches

        batches = iter_bam_batches(bam, index=index, threads=threads, **bam_opts)
    else:
        from .reads import iter_batches

        batches = iter_batches(r1, r2, threads=0 if threads <= 1 else 1)
    if threads <= 1:
        return scan_batches(batches, index, params)
    return _scan_parallel(batches, index, params, threads)


RECIPROCAL_ALONE = 3  # reciprocal fragments of a partner without a partner::ALK call that make a warning


@dataclass
class DetectResult:
    calls: list
    evidence: Evidence
    stats: dict
    paths: dict
    warnings: list[str] = field(default_factory=list)  # for a person to read (the CLI logs them)


def _reciprocal_warnings(calls, by_partner: dict[str, int]) -> list[str]:
    """Partners whose reciprocal ALK::partner transcript shows in RECIPROCAL_ALONE or more fragments while
    no passing partner::ALK call stands beside it: the forward fusion may have been missed."""
    called = {c.gene5 for c in calls if c.passed}
    return [f"ALK::{g} (reciprocal transcript) in {n} fragments, but no {g}::ALK call: the fusion may be "
            "missed or not expressed; review its rows in fusions.discarded.tsv and the reads"
            for g, n in by_partner.items() if n >= RECIPROCAL_ALONE and g not in called]


def call_evidence(index: Index, evidence: Evidence, outdir: str | Path, *, sample: str,
                  disabled_filters: Iterable[str] = (), blocklist: frozenset = frozenset(),
                  timing: dict | None = None) -> DetectResult:
    from .annotate import reciprocal_by_partner
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
    by_partner = reciprocal_by_partner(evidence.reciprocal)
    stats = {
        "version": __version__,
        "sample": sample,
        "index": index.checksum(),
        "reads": evidence.stats.to_json(),
        "calls": {"passed": sum(c.passed for c in calls), "discarded": sum(not c.passed for c in calls)},
        "evidence_fragments": len(evidence.fragments),
        "reciprocal_by_partner": by_partner,
        "timing": timing,
    }
    paths = write_outputs(calls, outdir, sample=sample, stats=stats)
    return DetectResult(calls, evidence, stats, paths, _reciprocal_warnings(calls, by_partner))


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
