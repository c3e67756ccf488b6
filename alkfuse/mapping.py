"""Place the parts of one read on indexed transcripts: k-mer seeds, diagonal votes, X-drop extension.

Only reads that passed the ALK pre-filter get here, so this is plain Python/numpy around the kernels.
A read is always looked at in the orientation in which its ALK part reads like the ALK transcript
("fusion sense"): there the partner part comes first (5') and ALK last (3').
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .index import KINASE, Index
from .kernels import encode, extend, kmer_keys
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
    """Finds ungapped segments of a read on the index's transcripts."""

    def __init__(self, index: Index):
        self.index = index
        self.k = index.k
        self.alk_tx = {ti.idx for ti in index.genes[KINASE]}
        self.tx_gene = [ti.gene for ti in index.transcripts]
        self._codes: dict[int, np.ndarray] = {}
        self._seeds: dict[str, tuple] = {}  # the last reads' seed hits: a read is mapped several times
        self._masks: dict[frozenset, np.ndarray] = {}  # transcript sets as boolean arrays over transcripts

    def tx_codes(self, tx: int) -> np.ndarray:
        c = self._codes.get(tx)
        if c is None:
            c = encode(self.index.sequence(tx))
            self._codes[tx] = c
        return c

    def seeds(self, seq: str, with_reverse: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All (read position, transcript, transcript position, genes-holding-kmer) seed hits of ``seq``
        (remembered for the last SEED_MEMO reads: classifying a fragment maps each read several times).
        ``with_reverse``: look up the reverse complement in the same pass and remember it too."""
        got = self._seeds.get(seq)
        if got is None:
            if len(self._seeds) >= SEED_MEMO:
                self._seeds.clear()
            seqs = [seq, revcomp(seq)] if with_reverse else [seq]
            for s, hits in zip(seqs, self._find_seeds(seqs)):
                for a in hits:
                    a.setflags(write=False)  # shared by every caller of the memo
                self._seeds[s] = hits
            got = self._seeds[seq]
        return got

    def _mask(self, txs) -> np.ndarray:
        key = frozenset(txs)
        m = self._masks.get(key)
        if m is None:
            m = np.zeros(len(self.tx_gene), dtype=bool)
            m[list(key)] = True
            self._masks[key] = m
        return m

    def _find_seeds(self, seqs: list[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """``seeds`` of several reads with one look-up in the positional index."""
        per, which = [], []
        for n, seq in enumerate(seqs):
            keys, valid = kmer_keys(encode(seq), self.k)
            rpos = np.flatnonzero(valid)
            per.append((keys[rpos], rpos))
            which.append(np.full(len(rpos), n, dtype=np.int64))
        keys = np.concatenate([k for k, _ in per])
        rpos = np.concatenate([r for _, r in per])
        read = np.concatenate(which)
        z = np.zeros(0, np.int64)
        if not len(keys):
            return [(z, z, z, z) for _ in seqs]
        lo, hi = self.index.lookup(keys)
        n = hi - lo
        keep = (n > 0) & (n <= MAX_ROWS_PER_KMER)
        rpos, lo, n, read = rpos[keep], lo[keep], n[keep], read[keep]
        if not len(rpos):
            return [(z, z, z, z) for _ in seqs]
        rows = np.repeat(lo - np.cumsum(np.r_[0, n[:-1]]), n) + np.arange(n.sum())
        rp, read = np.repeat(rpos, n), np.repeat(read, n)
        tx, tp, ng = (np.array(self.index.kmer_tx[rows]), np.array(self.index.kmer_pos[rows]),
                      np.array(self.index.kmer_genes[rows]))
        if self.index.large:
            self.index.release_pages()
        out = []
        for r in range(len(seqs)):
            m = read == r
            out.append((rp[m], tx[m], tp[m], ng[m]))
        return out

    def segments(self, seq: str, txs: set[int] | None = None, exclude: set[int] | None = None,
                 max_diagonals: int = 8) -> list[Segment]:
        """Best ungapped segments of ``seq`` (by seed count), one per (transcript, diagonal).

        ``txs`` restricts to these transcripts; ``exclude`` leaves these out.
        """
        rp, tx, tp, ng = self.seeds(seq)
        if not len(rp):
            return []
        if txs is not None or exclude is not None:
            m = np.ones(len(tx), bool)
            if txs is not None:
                m &= self._mask(txs)[tx]
            if exclude is not None:
                m &= ~self._mask(exclude)[tx]
            rp, tx, tp, ng = rp[m], tx[m], tp[m], ng[m]
            if not len(rp):
                return []
        diag = tp - rp
        order = np.lexsort((rp, diag, tx))
        rp, tx, diag, ng = rp[order], tx[order], diag[order], ng[order]
        brk = np.flatnonzero((np.diff(tx) != 0) | (np.diff(diag) != 0)) + 1
        starts = np.r_[0, brk]
        ends = np.r_[brk, len(rp)]
        counts = ends - starts
        best = np.lexsort((tx[starts], -counts))[:max_diagonals]
        read = encode(seq)
        out = []
        for b in best:
            s, e = starts[b], ends[b]
            t, d = int(tx[s]), int(diag[s])
            first, last = int(rp[s]), int(rp[e - 1]) + self.k
            out.append(self._extend(read, t, d, first, last, int(e - s), int((ng[s:e] <= 1).sum())))
        return out

    def _extend(self, read, t, d, first, last, seeds, unique) -> Segment:
        ref = self.tx_codes(t)
        inner = int(np.count_nonzero(read[first:last] != ref[first + d : last + d]))
        left, lmm = extend(read, ref, first - 1, first - 1 + d, -1, 1, 4, XDROP)
        right, rmm = extend(read, ref, last, last + d, 1, 1, 4, XDROP)
        rs, re_ = first - left, last + right
        return Segment(t, rs, re_, rs + d, inner + lmm + rmm, seeds, unique)

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
        """(fusion-sense sequence, reversed?) by which strand holds more ALK seeds."""
        self.seeds(seq, with_reverse=True)
        fw = len(self.seeds_for(seq, self.alk_tx))
        rc_seq = revcomp(seq)
        rv = len(self.seeds_for(rc_seq, self.alk_tx))
        return (rc_seq, True) if rv > fw else (seq, False)

    def seeds_for(self, seq: str, txs: set[int]) -> np.ndarray:
        rp, tx, _, _ = self.seeds(seq)
        return rp[self._mask(txs)[tx]]
