"""Align a read to a candidate junction sequence (ungapped, seeded) and measure its anchors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._numba import njit
from .kernels import encode, extend, kmer_keys, seed_diagonals

SEED_K = 11


@dataclass(frozen=True, slots=True)
class JunctionHit:
    diag: int  # junction-sequence position = read position + diag
    read_start: int
    read_end: int
    anchor5: int  # aligned bases before the junction (partner side, insert excluded)
    anchor3: int  # aligned bases after the insert (ALK side)
    mismatches: int
    short_mismatches: int  # mismatches within the shorter anchor
    reverse: bool = False  # the read aligned as its reverse complement
    doubtful: int = 0  # of the mismatches, those at bases the read doubts (quality under 20; set by the caller)

    def five_prime(self, read_length: int) -> int:
        """Junction-sequence position of the read's 5' end (what PCR duplicates share)."""
        return self.diag + read_length if self.reverse else self.diag


class JunctionSeq:
    """partner bases | insert | ALK bases, with an 11-mer seed table."""

    def __init__(self, left: str, insert: str, right: str):
        self.left, self.insert, self.right = left, insert, right
        self.seq = left + insert + right
        self.codes = encode(self.seq)
        self.j5 = len(left)  # first insert base (= first ALK base when no insert)
        self.j3 = len(left) + len(insert)  # first ALK base
        keys, valid = kmer_keys(self.codes, SEED_K)
        pos = np.flatnonzero(valid)
        order = np.argsort(keys[pos], kind="stable")
        self._keys = np.ascontiguousarray(keys[pos][order], dtype=np.uint64)  # seed table: sorted 11-mers,
        self._pos = np.ascontiguousarray(pos[order], dtype=np.int64)  # and their positions

    def align(self, read: str | None = None, xdrop: int = 12, coded: tuple | None = None) -> JunctionHit | None:
        """Best ungapped placement of a fusion-sense read that covers the junction, or None. ``coded`` is
        ``coded_read(read)``, to encode a read once for many junctions. Placements are tried on the four
        diagonals with most seed hits (ties: the smallest diagonal first)."""
        rc, keys, valid = coded if coded is not None else coded_read(read)
        best = None
        for d in seed_diagonals(keys, valid, self._keys, self._pos, len(self.codes)):
            hit = self._place(rc, int(d), xdrop)
            if hit is not None and (best is None or _rank(hit) > _rank(best)):
                best = hit
        return best

    def _place(self, rc: np.ndarray, d: int, xdrop: int) -> JunctionHit | None:
        # Extend from the seed-rich middle: start at the read base facing the insert's first base.
        n = len(rc)
        lo, hi = max(0, -d), min(n, len(self.codes) - d)
        if hi - lo < SEED_K:
            return None
        mid = min(max(self.j5 - d, lo), hi - 1)
        left, _ = extend(rc, self.codes, mid - 1, mid - 1 + d, -1, 1, 4, xdrop)
        right, _ = extend(rc, self.codes, mid, mid + d, 1, 1, 4, xdrop)
        rs, re_ = mid - left, mid + right
        if re_ - rs < SEED_K:
            return None
        a5 = self.j5 - (rs + d)
        a3 = (re_ + d) - self.j3
        if a5 <= 0 or a3 <= 0:
            return None
        ref = self.codes[rs + d : re_ + d]
        mism = rc[rs:re_] != ref
        mm = int(mism.sum())
        if a5 <= a3:
            short = int(mism[: a5].sum())
        else:
            short = int(mism[len(mism) - a3 :].sum())
        return JunctionHit(d, rs, re_, a5, a3, mm, short)


class JunctionTable:
    """The seed tables of many junction sequences as one sorted table, to find the few junctions a read can
    cross before aligning it to any: a strongly expressed fusion brings dozens of weak junctions at its ALK
    start, and every ALK read shares seeds with all of them."""

    def __init__(self, seqs: list[JunctionSeq]):
        keys = np.concatenate([js._keys for js in seqs]) if seqs else np.zeros(0, np.uint64)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.pos = np.concatenate([js._pos for js in seqs])[order] if seqs else np.zeros(0, np.int64)
        self.ids = np.concatenate([np.full(len(js._keys), n, np.int64) for n, js in enumerate(seqs)])[order] \
            if seqs else np.zeros(0, np.int64)
        self.j5 = np.array([js.j5 for js in seqs], np.int64)
        self.j3 = np.array([js.j3 for js in seqs], np.int64)
        self.length = np.array([len(js.codes) for js in seqs], np.int64)

    def crossable(self, coded: list[tuple], anchor: int) -> list[int]:
        """The junctions (sorted) that one of the ``coded`` reads (``coded_read``) shares a seed with on a
        diagonal where it holds ``anchor`` or more bases each side of the junction. ``JunctionSeq.align``
        places a read by extending along a seed's diagonal, never past the read's ends: a junction left out
        here gives no placement with anchors of ``anchor`` bases."""
        found = []
        for codes, keys, valid in coded:
            at = np.flatnonzero(valid)
            lo = np.searchsorted(self.keys, keys[at], "left")
            count = np.searchsorted(self.keys, keys[at], "right") - lo
            total = int(count.sum())
            if not total:
                continue
            first = np.repeat(np.cumsum(count) - count, count)
            rows = np.repeat(lo, count) + np.arange(total) - first
            d = self.pos[rows] - np.repeat(at, count)
            n = self.ids[rows]
            start = np.maximum(0, -d) + d  # the read's first and last bases on the junction sequence
            end = np.minimum(len(codes), self.length[n] - d) + d
            found.append(n[(self.j5[n] - start >= anchor) & (end - self.j3[n] >= anchor)])
        return np.unique(np.concatenate(found)).tolist() if found else []


def coded_read(read: str) -> tuple:
    """A read's base codes and 11-mer seeds, for ``JunctionSeq.align``."""
    codes = encode(read)
    return (codes, *kmer_keys(codes, SEED_K))


def doubtful_mismatches(h: JunctionHit, js: JunctionSeq, coded: tuple, qual: str, below: int) -> int:
    """How many of ``h``'s mismatches fall on read bases of Phred quality under ``below`` (``coded``: the
    read's ``coded_read`` as it was aligned, ``qual`` its qualities as sequenced; 0 without qualities)."""
    if not h.mismatches or len(qual) != len(coded[0]):
        return 0
    q = np.frombuffer(qual.encode(), np.uint8)[::-1] if h.reverse else np.frombuffer(qual.encode(), np.uint8)
    wrong = coded[0][h.read_start : h.read_end] != js.codes[h.read_start + h.diag : h.read_end + h.diag]
    return int(np.count_nonzero(wrong & (q[h.read_start : h.read_end] < below + 33)))


def _rank(h: JunctionHit) -> tuple:
    return (min(h.anchor5, h.anchor3), -h.mismatches, h.read_end - h.read_start)


# ---- gapped refinement of a junction (long reads with indels) ----------------------------------------------


@njit
def _prefix_scores(read, ref, match, mismatch, gap, score, end, whole):
    """Global-start, free-end alignment of every prefix of ``read`` to ``ref`` (both start at 0).

    ``score[i]`` = best score aligning read[:i] to some ref[:j]; ``end[i]`` = the smallest such j;
    ``whole[i]`` = the score aligning read[:i] to all of ``ref``. Linear gap cost; codes > 3 never match.
    """
    n, m = read.shape[0], ref.shape[0]
    prev = np.empty(m + 1, dtype=np.int64)
    cur = np.empty(m + 1, dtype=np.int64)
    for j in range(m + 1):
        prev[j] = -gap * j
    best, arg = prev[0], 0
    for j in range(1, m + 1):
        if prev[j] > best:
            best, arg = prev[j], j
    score[0], end[0], whole[0] = best, arg, prev[m]
    for i in range(1, n + 1):
        cur[0] = -gap * i
        for j in range(1, m + 1):
            a, b = read[i - 1], ref[j - 1]
            d = prev[j - 1] + (match if a == b and a < 4 else -mismatch)
            u = prev[j] - gap
            left = cur[j - 1] - gap
            v = d if d >= u else u
            cur[j] = v if v >= left else left
        best, arg = cur[0], 0
        for j in range(1, m + 1):
            if cur[j] > best:
                best, arg = cur[j], j
        score[i], end[i], whole[i] = best, arg, cur[m]
        for j in range(m + 1):
            prev[j] = cur[j]


def prefix_scores(read: np.ndarray, ref: np.ndarray, match: int = 1, mismatch: int = 2,
                  gap: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Public wrapper of the prefix alignment kernel (codes arrays): (score, end, whole) per read prefix."""
    read = np.ascontiguousarray(read, dtype=np.uint8)
    ref = np.ascontiguousarray(ref, dtype=np.uint8)
    score = np.zeros(len(read) + 1, dtype=np.int64)
    end = np.zeros(len(read) + 1, dtype=np.int64)
    whole = np.zeros(len(read) + 1, dtype=np.int64)
    _prefix_scores(read, ref, match, mismatch, gap, score, end, whole)
    return score, end, whole


def refine_junction(region: np.ndarray, left: np.ndarray, right: np.ndarray, insert_cost: int = 0):
    """Split ``region`` (read codes) into left-aligned prefix, inserted bases, right-aligned suffix.

    ``left`` starts where the region starts (partner side); ``right`` ends where the region ends (ALK
    side). Returns (i, j, left_end, right_start, score): region[:i] aligns to left[:left_end], region[i:j]
    is inserted, region[j:] aligns to right[right_start:].
    """
    f, fend, _ = prefix_scores(region, left)
    b, bend, _ = prefix_scores(region[::-1].copy(), right[::-1].copy())
    n = len(region)
    best = None
    top, top_i = -(1 << 60), 0
    for j in range(n + 1):
        i_cand = f[j] + insert_cost * j
        if i_cand > top:
            top, top_i = i_cand, j
        s = top - insert_cost * j + b[n - j]
        if best is None or s > best[0]:
            best = (s, top_i, j)
    s, i, j = best
    return i, j, int(fend[i]), len(right) - int(bend[n - j]), int(s)


def anchored_junction(region: np.ndarray, left: np.ndarray, right: np.ndarray) -> tuple[int, int, int]:
    """``refine_junction`` with both sides fixed: all of ``left`` (the partner up to a hypothetical exon
    end) aligns to a prefix of ``region`` and all of ``right`` (ALK from a hypothetical start) to a suffix;
    the read bases between are inserted (free). Returns (i, j, score): region[:i] ~ left, region[j:] ~ right.
    Read positions come from the alignment itself, so an indel near the junction does not shift them."""
    _, _, f = prefix_scores(region, left)
    _, _, b = prefix_scores(region[::-1].copy(), right[::-1].copy())
    n = len(region)
    best = None
    top, top_i = -(1 << 60), 0
    for j in range(n + 1):
        if f[j] > top:
            top, top_i = int(f[j]), j
        s = top + int(b[n - j])
        if best is None or s > best[0]:
            best = (s, top_i, j)
    s, i, j = best
    return i, j, s
