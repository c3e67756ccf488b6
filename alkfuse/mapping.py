"""Place the parts of one read on indexed transcripts: k-mer seeds, diagonal votes, X-drop extension.

Only reads that passed the ALK pre-filter get here; the work per read is two kernels (seeds, segments).
A read is always looked at in the orientation in which its ALK part reads like the ALK transcript
("fusion sense"): there the partner part comes first (5') and ALK last (3').
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .index import FENCE_STEP, KINASE, Index
from .kernels import diagonal_segments, encode, kmer_keys, seed_hits, strand_counts
from .seq import revcomp

MAX_ROWS_PER_KMER = 64  # a k-mer in more places than this is repetitive: no vote
XDROP = 12
SEED_MEMO = 64  # reads whose seed hits are remembered


@dataclass(frozen=True, slots=True)
class Segment:
    """Read bases [read_start, read_end) aligned without gaps to transcript ``tx`` from ``tx_start``."""

    tx: int
    read_start: int
    read_end: int
    tx_start: int
    mismatches: int
    seeds: int  # k-mer hits on this diagonal
    unique_seeds: int  # of which not known to be held by another gene (panel k-mers are counted exactly)

    @property
    def tx_end(self) -> int:
        return self.tx_start + self.read_end - self.read_start

    @property
    def length(self) -> int:
        return self.read_end - self.read_start


class ReadMapper:
    """Finds ungapped segments of a read on the index's transcripts (kernels ``seed_hits`` and
    ``diagonal_segments``; this class keeps the per-read memo and the transcript sets)."""

    def __init__(self, index: Index):
        self.index = index
        self.k = index.k
        self.alk_tx = {ti.idx for ti in index.genes[KINASE]}
        self.tx_gene = [ti.gene for ti in index.transcripts]
        # plain-array views of the memory-mapped index (numba dispatches on ndarrays fastest)
        self._table = (np.asarray(index.kmer_keys), np.asarray(index.kmer_fences), FENCE_STEP,
                       np.asarray(index.kmer_tx), np.asarray(index.kmer_pos), np.asarray(index.kmer_genes))
        self._seq, self._offsets = np.asarray(index.seq), np.ascontiguousarray(index.seq_offsets, dtype=np.int64)
        self._seeds: dict[str, tuple] = {}  # the last reads' seed hits: a read is mapped several times
        self._masks: dict[tuple, np.ndarray] = {}  # (txs, exclude) as boolean arrays over transcripts
        self._alk_seeds: tuple[np.ndarray, np.ndarray] | None = None  # orient's table, built on first use

    def seeds(self, seq: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All (read position, transcript, transcript position, genes-holding-kmer) seed hits of ``seq``
        (remembered for the last SEED_MEMO reads: classifying a fragment maps each read several times)."""
        got = self._seeds.get(seq)
        if got is None:
            if len(self._seeds) >= SEED_MEMO:
                self._seeds.clear()
            got = seed_hits(encode(seq), self.k, *self._table, MAX_ROWS_PER_KMER)
            for a in got:
                a.setflags(write=False)  # shared by every caller of the memo
            self._seeds[seq] = got
            if self.index.large:
                self.index.release_pages()
        return got

    def _mask(self, txs, exclude=None) -> np.ndarray:
        key = (frozenset(txs) if txs is not None else None, frozenset(exclude) if exclude is not None else None)
        m = self._masks.get(key)
        if m is None:
            m = np.zeros(len(self.tx_gene), dtype=bool)
            if key[0] is None:
                m[:] = True
            else:
                m[list(key[0])] = True
            if key[1] is not None:
                m[list(key[1])] = False
            self._masks[key] = m
        return m

    def segments(self, seq: str, txs: set[int] | None = None, exclude: set[int] | None = None,
                 max_diagonals: int = 8) -> list[Segment]:
        """Best ungapped segments of ``seq`` (by seed count), one per (transcript, diagonal).

        ``txs`` restricts to these transcripts; ``exclude`` leaves these out.
        """
        hits = self.seeds(seq)
        if not len(hits[0]):
            return []
        rows = diagonal_segments(encode(seq), hits, self._mask(txs, exclude), self._seq, self._offsets, self.k,
                                 max_diagonals, XDROP)
        return [Segment(*r) for r in rows.tolist()]

    def best_alk(self, seq: str) -> Segment | None:
        """The ALK segment of a fusion-sense read: on the canonical ALK transcript when it holds seeds."""
        segs = self.segments(seq, txs=self.alk_tx)
        if not segs:
            return None
        canon = self.index.alk.idx
        on_canon = [s for s in segs if s.tx == canon]
        pool = on_canon or segs
        return max(pool, key=lambda s: (s.length, -s.mismatches, -s.tx))

    def alk_covers(self, seq: str, tolerance: int) -> bool:
        """True when one ALK isoform explains the read up to ``tolerance`` unaligned bases (not a fusion)."""
        for s in self.segments(seq, txs=self.alk_tx):
            if s.length >= len(seq) - tolerance:
                return True
        return False

    def orient(self, seq: str) -> tuple[str, bool]:
        """(fusion-sense sequence, reversed?) by which strand holds more ALK seeds (``seeds`` hits on ALK
        transcripts; ties: as read)."""
        if self._alk_seeds is None:
            self._alk_seeds = self._alk_seed_table()
        fw, rv = strand_counts(encode(seq), self.k, *self._alk_seeds)
        return (revcomp(seq), True) if rv > fw else (seq, False)

    def _alk_seed_table(self) -> tuple[np.ndarray, np.ndarray]:
        """(sorted k-mer keys, rows on ALK transcripts) of the index k-mers that ``seeds`` reports on ALK:
        those of the ALK isoforms' sequences held by 1..MAX_ROWS_PER_KMER rows. A read's ALK seed count on
        a strand is the sum over its k-mers, without looking up the rest of the index."""
        keys = []
        for tx in sorted(self.alk_tx):
            kk, ok = kmer_keys(encode(self.index.sequence(tx)), self.k)
            keys.append(kk[ok])
        keys = np.unique(np.concatenate(keys)) if keys else np.zeros(0, np.uint64)
        lo, hi = self.index.lookup(keys)
        is_alk = self._mask(self.alk_tx)
        counts = np.zeros(len(keys), dtype=np.int64)
        tx = self._table[3]
        for i in np.flatnonzero((hi > lo) & (hi - lo <= MAX_ROWS_PER_KMER)).tolist():
            counts[i] = int(np.count_nonzero(is_alk[tx[lo[i] : hi[i]]]))
        keep = counts > 0
        return np.ascontiguousarray(keys[keep]), counts[keep]
