"""numba kernels: pure functions over numpy arrays (no I/O, no logging, no globals).

Each private ``_kernel`` has a public wrapper that checks dtypes and allocates outputs, and a slow,
obviously correct twin in ``tests/test_kernels.py``. Thresholds are arguments, never globals.

Bases are 2-bit codes A=0 C=1 G=2 T=3; anything else (N, IUPAC, '\\n') is code 4 and breaks a k-mer.
A k-mer's key is its codes read as a base-4 number, first base most significant (k <= 31).
"""

from __future__ import annotations

import numpy as np

from ._numba import njit

EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)  # hash-table slot marker; no k-mer with k <= 31 has this key
_MULT = np.uint64(0x9E3779B97F4A7C15)

# ASCII -> 2-bit code (4 = not ACGT); lower case counts as upper case.
CODE = np.full(256, 4, dtype=np.uint8)
for _i, _b in enumerate(b"ACGT"):
    CODE[_b] = _i
    CODE[_b + 32] = _i


def encode(seq: str | bytes) -> np.ndarray:
    """ASCII sequence -> uint8 codes."""
    raw = seq.encode() if isinstance(seq, str) else seq
    return CODE[np.frombuffer(raw, dtype=np.uint8)]


@njit
def _kmer_keys(codes, k, keys, valid):
    n = codes.shape[0]
    mask = (np.uint64(1) << np.uint64(2 * k)) - np.uint64(1)
    key = np.uint64(0)
    run = 0
    for i in range(n):
        c = codes[i]
        if c > 3:
            run = 0
            key = np.uint64(0)
        else:
            key = ((key << np.uint64(2)) | np.uint64(c)) & mask
            run += 1
        if i >= k - 1:
            j = i - k + 1
            keys[j] = key
            valid[j] = run >= k


def kmer_keys(codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of every k-mer of ``codes`` (position i = k-mer starting at i) and whether it is valid (no N)."""
    if not 1 <= k <= 31:
        raise ValueError("k must be 1..31")
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    m = max(codes.shape[0] - k + 1, 0)
    keys = np.zeros(m, dtype=np.uint64)
    valid = np.zeros(m, dtype=np.bool_)
    if m:
        _kmer_keys(codes, k, keys, valid)
    return keys, valid


def revcomp_keys(keys: np.ndarray, k: int) -> np.ndarray:
    """Keys of the reverse complements (vectorised in numpy)."""
    keys = np.asarray(keys, dtype=np.uint64)
    out = np.zeros_like(keys)
    x = keys.copy()
    for _ in range(k):
        out = (out << np.uint64(2)) | (np.uint64(3) - (x & np.uint64(3)))
        x >>= np.uint64(2)
    return out


@njit
def _table_insert(table, bits, key):
    size = table.shape[0]
    slot = (key * _MULT) >> np.uint64(64 - bits)
    while True:
        cur = table[slot]
        if cur == key:
            return
        if cur == EMPTY:
            table[slot] = key
            return
        slot = (slot + np.uint64(1)) & np.uint64(size - 1)


@njit
def _table_build(keys, bits, table):
    for i in range(keys.shape[0]):
        _table_insert(table, bits, keys[i])


def build_table(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """Open-addressing hash set of ``keys`` (load <= 1/4, so a miss usually costs one probe)."""
    keys = np.ascontiguousarray(keys, dtype=np.uint64)
    bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
    table = np.full(1 << bits, EMPTY, dtype=np.uint64)
    _table_build(keys, bits, table)
    return table, bits


@njit
def _table_contains(table, bits, key):
    size = table.shape[0]
    slot = (key * _MULT) >> np.uint64(64 - bits)
    while True:
        cur = table[slot]
        if cur == key:
            return True
        if cur == EMPTY:
            return False
        slot = (slot + np.uint64(1)) & np.uint64(size - 1)


def table_contains(table: np.ndarray, bits: int, keys: np.ndarray) -> np.ndarray:
    out = np.zeros(len(keys), dtype=np.bool_)
    _contains_many(table, bits, np.ascontiguousarray(keys, dtype=np.uint64), out)
    return out


@njit
def _contains_many(table, bits, keys, out):
    for i in range(keys.shape[0]):
        out[i] = _table_contains(table, bits, keys[i])


@njit
def _revcomp_key_fast(key, k):
    """Reverse complement of a k-mer key by bit tricks (no loop over bases)."""
    x = ~key
    x = ((x >> np.uint64(2)) & np.uint64(0x3333333333333333)) | ((x & np.uint64(0x3333333333333333)) << np.uint64(2))
    x = ((x >> np.uint64(4)) & np.uint64(0x0F0F0F0F0F0F0F0F)) | ((x & np.uint64(0x0F0F0F0F0F0F0F0F)) << np.uint64(4))
    x = ((x >> np.uint64(8)) & np.uint64(0x00FF00FF00FF00FF)) | ((x & np.uint64(0x00FF00FF00FF00FF)) << np.uint64(8))
    x = ((x >> np.uint64(16)) & np.uint64(0x0000FFFF0000FFFF)) | ((x & np.uint64(0x0000FFFF0000FFFF)) << np.uint64(16))
    x = (x >> np.uint64(32)) | (x << np.uint64(32))
    return x >> np.uint64(64 - 2 * k)


@njit
def _prefilter_build(table, k, nbits, words):
    """Set the bit of both strands of every key in ``table`` (bit = top ``nbits`` of key * _MULT)."""
    sh = np.uint64(64 - nbits)
    for i in range(table.shape[0]):
        key = table[i]
        if key == EMPTY:
            continue
        for x in (key, _revcomp_key_fast(key, k)):
            h = (x * _MULT) >> sh
            words[h >> np.uint64(6)] |= np.uint64(1) << (h & np.uint64(63))


def prefilter_bits(bits: int) -> int:
    """Size (log2 of bits) of the bit filter in front of a table of ``2**bits`` slots: 32x the slots, so
    about 1 in 64 absent k-mers passes it at load 1/4 (both strands set), capped at 2**20 bits (128 KiB,
    cache-resident); a larger table only makes more absent k-mers pass (never changes a count)."""
    return min(max(bits + 5, 10), 20)


def scan_prefilter(table: np.ndarray, bits: int, k: int, extra: np.ndarray | None = None) -> np.ndarray:
    """Bit filter of ``table`` for :func:`scan_reads` (pass it to skip rebuilding it per call); with
    ``extra`` keys (the partner-tail probes of :func:`scan_reads_tails`) their bits are set too."""
    nbits = prefilter_bits(bits)
    words = np.zeros(1 << (nbits - 6), dtype=np.uint64)
    _prefilter_build(table, k, nbits, words)
    if extra is not None and len(extra):
        _prefilter_build(np.ascontiguousarray(extra, dtype=np.uint64), k, nbits, words)
    return words


@njit
def _probe(fwd, k, table, bits):
    """1 if the canonical key of forward k-mer ``fwd`` is in ``table``, else 0."""
    rev = _revcomp_key_fast(fwd, k)
    return 1 if _table_contains(table, bits, fwd if fwd < rev else rev) else 0


@njit
def _count_every(buf, code, s, e, table, bits, words, sh_bits, k, mask):
    fwd = np.uint64(0)
    valid = s + k - 1  # first position at which the k-mer ending there is free of non-ACGT
    count = 0
    for p in range(s, e):
        c = code[buf[p]]
        if c > 3:
            valid = p + k
            continue
        fwd = ((fwd << np.uint64(2)) | np.uint64(c)) & mask
        h = (fwd * _MULT) >> sh_bits
        if (words[h >> np.uint64(6)] >> (h & np.uint64(63))) & np.uint64(1) and p >= valid:
            count += _probe(fwd, k, table, bits)
    return count


@njit
def _count_strided(buf, code, s, e, table, bits, words, sh_bits, k, mask, stride):
    fwd = np.uint64(0)
    valid = s + k - 1
    phase = (1 - k) % stride  # (start of the k-mer ending at p - read start) mod stride
    count = 0
    for p in range(s, e):
        c = code[buf[p]]
        ph = phase
        phase = phase + 1 if phase + 1 < stride else 0
        if c > 3:
            valid = p + k
            continue
        fwd = ((fwd << np.uint64(2)) | np.uint64(c)) & mask
        if ph != 0:
            continue
        h = (fwd * _MULT) >> sh_bits
        if (words[h >> np.uint64(6)] >> (h & np.uint64(63))) & np.uint64(1) and p >= valid:
            count += _probe(fwd, k, table, bits)
    return count


@njit
def _scan_reads(buf, code, seq_start, seq_len, table, bits, words, nbits, k, stride, hits):
    """Count, per read, the positions whose canonical k-mer is in ``table`` (k-mers starting at a
    multiple of ``stride`` from the read start).

    Only the forward k-mer is rolled. ``words`` is a bit filter holding both strands of every table key:
    a k-mer whose bit is clear is absent, which is nearly every k-mer of a non-ALK read, so the reverse
    complement, the canonical key and the table probe are computed for the few that pass. A k-mer is
    valid from ``k - 1`` bases after the read start or after the read's last non-ACGT base.
    """
    mask = (np.uint64(1) << np.uint64(2 * k)) - np.uint64(1)
    sh_bits = np.uint64(64 - nbits)
    for r in range(seq_start.shape[0]):
        s = seq_start[r]
        e = s + seq_len[r]
        if stride == 1:
            hits[r] = _count_every(buf, code, s, e, table, bits, words, sh_bits, k, mask)
        else:
            hits[r] = _count_strided(buf, code, s, e, table, bits, words, sh_bits, k, mask, stride)


def scan_reads(
    buf: np.ndarray, seq_start: np.ndarray, seq_len: np.ndarray, table: np.ndarray, bits: int, k: int, stride: int = 1,
    prefilter: np.ndarray | None = None,
) -> np.ndarray:
    """Per read of a raw batch: how many of its canonical k-mers are in the hash set ``table``.

    ``buf`` holds ASCII bases; reads are ``buf[seq_start[i] : seq_start[i] + seq_len[i]]``. With
    ``stride`` > 1 only k-mers starting at a multiple of it are looked up. ``prefilter`` is
    :func:`scan_prefilter` of the table (built here when not given). Releases the GIL.
    """
    hits = np.zeros(len(seq_start), dtype=np.int32)
    if len(seq_start):
        if prefilter is None:
            prefilter = scan_prefilter(table, bits, k)
        elif prefilter.dtype != np.uint64 or prefilter.size < 16 or prefilter.size & (prefilter.size - 1):
            raise ValueError("prefilter must come from scan_prefilter")
        _scan_reads(
            np.ascontiguousarray(buf, dtype=np.uint8),
            CODE,
            np.ascontiguousarray(seq_start, dtype=np.int64),
            np.ascontiguousarray(seq_len, dtype=np.int64),
            table,
            bits,
            prefilter,
            int(prefilter.size * 64).bit_length() - 1,
            k,
            max(1, stride),
            hits,
        )
    return hits


def canonical(keys: np.ndarray, k: int) -> np.ndarray:
    rc = revcomp_keys(keys, k)
    return np.minimum(keys, rc)


@njit
def _extend(read, ref, code, ref0, ref_len, rpos, tpos, step, match, mismatch, xdrop):
    """Ungapped X-drop extension from (rpos, tpos) in direction ``step`` (+1 or -1), positions included,
    against the reference ``code[ref[ref0 + t]]`` for t in [0, ref_len) (``code`` turns stored bytes into
    2-bit codes: identity for codes, ``CODE`` for ASCII).

    Returns (length of the best extension, mismatches within it).
    """
    score = 0
    best = 0
    best_len = 0
    best_mm = 0
    mm = 0
    i = 0
    while True:
        r = rpos + step * i
        t = tpos + step * i
        if r < 0 or r >= read.shape[0] or t < 0 or t >= ref_len:
            break
        if read[r] == code[ref[ref0 + t]] and read[r] < 4:
            score += match
        else:
            score -= mismatch
            mm += 1
        i += 1
        if score > best:
            best = score
            best_len = i
            best_mm = mm
        elif best - score > xdrop:
            break
    return best_len, best_mm


IDENTITY = np.arange(256, dtype=np.uint8)  # code table for references already in 2-bit codes


def extend(read: np.ndarray, ref: np.ndarray, rpos: int, tpos: int, step: int,
           match: int = 1, mismatch: int = 4, xdrop: int = 12) -> tuple[int, int]:
    """Public wrapper of the X-drop extension (codes arrays, 0-based positions)."""
    if step not in (1, -1):
        raise ValueError("step must be +1 or -1")
    ref = np.ascontiguousarray(ref, dtype=np.uint8)
    return _extend(np.ascontiguousarray(read, dtype=np.uint8), ref, IDENTITY, 0, ref.shape[0], rpos, tpos, step,
                   match, mismatch, xdrop)


@njit
def _seed_diagonals(keys, valid, table_keys, table_pos, seq_len, out):
    n = keys.shape[0]
    m = table_keys.shape[0]
    counts = np.zeros(seq_len + n + 1, dtype=np.int64)
    touched = np.empty(seq_len + n + 1, dtype=np.int64)
    nt = 0
    for i in range(n):
        if not valid[i]:
            continue
        lo = np.searchsorted(table_keys, keys[i])
        while lo < m and table_keys[lo] == keys[i]:
            d = table_pos[lo] - i + n
            if counts[d] == 0:
                touched[nt] = d
                nt += 1
            counts[d] += 1
            lo += 1
    w = 0
    for slot in range(out.shape[0]):
        best = -1
        for t in range(nt):
            d = touched[t]
            if counts[d] > 0 and (best < 0 or counts[d] > counts[best] or (counts[d] == counts[best] and d < best)):
                best = d
        if best < 0:
            break
        out[slot] = best - n
        counts[best] = 0
        w += 1
    return w


def seed_diagonals(keys: np.ndarray, valid: np.ndarray, table_keys: np.ndarray, table_pos: np.ndarray,
                   seq_len: int, top: int = 4) -> np.ndarray:
    """The ``top`` diagonals (sequence position - read position) on which a read's valid k-mer ``keys``
    hit a sequence's seed table most often (``table_keys`` sorted, ``table_pos`` their positions in a
    sequence of ``seq_len`` bases), most hits first, ties smallest diagonal first; fewer if fewer hit."""
    out = np.zeros(top, dtype=np.int64)
    w = _seed_diagonals(np.ascontiguousarray(keys, dtype=np.uint64), np.ascontiguousarray(valid, dtype=np.bool_),
                        np.ascontiguousarray(table_keys, dtype=np.uint64),
                        np.ascontiguousarray(table_pos, dtype=np.int64), seq_len, out)
    return out[:w]


RUN_SCAN = 16  # rows of one k-mer _find steps over before it searches for the end of the run


@njit
def _find(keys, fences, step, q):
    """[lo, hi) rows of ``q`` in the sorted ``keys``, touching only the rows near it: the in-memory
    ``fences`` (every ``step``-th key) narrow each binary search to one or two fence windows."""
    n = keys.shape[0]
    b = np.searchsorted(fences, q, side="left") - 1  # last fence < q: the first q is after it
    a = b * step if b >= 0 else 0
    e = min(a + step + 1, n)
    lo = a + np.searchsorted(keys[a:e], q, side="left")
    hi = lo  # most k-mers are in a few rows: step over them rather than search again
    end = min(lo + RUN_SCAN, n)
    while hi < end and keys[hi] == q:
        hi += 1
    if hi < end or hi == n or keys[hi] != q:
        return lo, hi
    b = np.searchsorted(fences, q, side="right")  # first fence > q: the last q is before it
    a = max((b - 1) * step, hi)
    e = min(b * step, n) if b < fences.shape[0] else n
    return lo, a + np.searchsorted(keys[a:e], q, side="right")


@njit
def _lookup(keys, fences, step, queries, lo, hi):
    for i in range(queries.shape[0]):
        lo[i], hi[i] = _find(keys, fences, step, queries[i])


def lookup(keys: np.ndarray, fences: np.ndarray, step: int, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like ``np.searchsorted(keys, q, 'left'/'right')`` for every query, for a memory-mapped ``keys``
    too large to page in: ``fences`` must be ``keys[::step]``."""
    queries = np.ascontiguousarray(queries, dtype=np.uint64)
    lo = np.zeros(len(queries), dtype=np.int64)
    hi = np.zeros(len(queries), dtype=np.int64)
    if len(queries) and len(keys):
        _lookup(keys, np.ascontiguousarray(fences, dtype=np.uint64), step, queries, lo, hi)
    return lo, hi


# --------------------------------------------------------------------------------------------------
# Seeds and ungapped segments of one read on the positional index (mapping.ReadMapper)


@njit
def _seed_hits(codes, k, keys, fences, step, kmer_tx, kmer_pos, kmer_genes, max_rows):
    m = max(codes.shape[0] - k + 1, 0) if keys.shape[0] else 0
    kk = np.zeros(m, dtype=np.uint64)
    ok = np.zeros(m, dtype=np.bool_)
    if m > 0:
        _kmer_keys(codes, k, kk, ok)
    lo = np.zeros(m, dtype=np.int64)
    hi = np.zeros(m, dtype=np.int64)
    total = 0
    for i in range(m):
        if ok[i]:
            a, b = _find(keys, fences, step, kk[i])
            if 0 < b - a <= max_rows:
                lo[i], hi[i] = a, b
                total += b - a
    rp = np.empty(total, dtype=np.int64)
    tx = np.empty(total, dtype=kmer_tx.dtype)
    tp = np.empty(total, dtype=kmer_pos.dtype)
    ng = np.empty(total, dtype=kmer_genes.dtype)
    w = 0
    for i in range(m):
        for row in range(lo[i], hi[i]):
            rp[w], tx[w], tp[w], ng[w] = i, kmer_tx[row], kmer_pos[row], kmer_genes[row]
            w += 1
    return rp, tx, tp, ng


def seed_hits(codes: np.ndarray, k: int, keys: np.ndarray, fences: np.ndarray, step: int, kmer_tx: np.ndarray,
              kmer_pos: np.ndarray, kmer_genes: np.ndarray, max_rows: int):
    """Every (read position, transcript, transcript position, genes holding the k-mer) of a read's valid
    k-mers in a positional index (``keys`` sorted, ``fences`` = ``keys[::step]``, and per row its
    transcript, position and gene count), read positions ascending, rows in index order; k-mers in more
    than ``max_rows`` rows (repeats) give none."""
    if not 1 <= k <= 31:
        raise ValueError("k must be 1..31")
    return _seed_hits(np.ascontiguousarray(codes, dtype=np.uint8), k, keys, np.ascontiguousarray(fences, np.uint64),
                      step, kmer_tx, kmer_pos, kmer_genes, max_rows)


@njit
def _strand_counts(codes, k, keys, counts):
    m = codes.shape[0] - k + 1
    if m < 1:
        return 0, 0
    kk = np.zeros(m, dtype=np.uint64)
    ok = np.zeros(m, dtype=np.bool_)
    totals = np.zeros(2, dtype=np.int64)
    rc = np.empty_like(codes)
    n = codes.shape[0]
    for i in range(n):
        c = codes[n - 1 - i]
        rc[i] = 3 - c if c < 4 else c
    for strand in range(2):
        _kmer_keys(codes if strand == 0 else rc, k, kk, ok)
        for i in range(m):
            if ok[i]:
                j = np.searchsorted(keys, kk[i])
                if j < keys.shape[0] and keys[j] == kk[i]:
                    totals[strand] += counts[j]
    return totals[0], totals[1]


def strand_counts(codes: np.ndarray, k: int, keys: np.ndarray, counts: np.ndarray) -> tuple[int, int]:
    """(forward, reverse complement): the sum of ``counts`` over a read's valid k-mers found in the sorted
    ``keys``, on each strand (which strand of a read holds more seeds of a gene)."""
    if not 1 <= k <= 31:
        raise ValueError("k must be 1..31")
    fw, rv = _strand_counts(np.ascontiguousarray(codes, dtype=np.uint8), k, keys, counts)
    return int(fw), int(rv)


@njit
def _diagonal_segments(read, rp, tx, tp, ng, allowed, seq, offsets, code, k, max_diagonals, xdrop, out):
    idx = np.empty(rp.shape[0], dtype=np.int64)
    diag = np.empty(rp.shape[0], dtype=np.int64)
    nk = 0
    for i in range(rp.shape[0]):
        if allowed[tx[i]]:
            idx[nk] = i
            diag[nk] = np.int64(tp[i]) - rp[i]
            nk += 1
    idx, diag = idx[:nk], diag[:nk]
    # (transcript, diagonal, read position) order: rp ascends already; two stable sorts do the rest
    o1 = np.argsort(diag, kind="mergesort")
    idx, diag = idx[o1], diag[o1]
    t = np.empty(nk, dtype=np.int64)
    for i in range(nk):
        t[i] = tx[idx[i]]
    o2 = np.argsort(t, kind="mergesort")
    idx, diag, t = idx[o2], diag[o2], t[o2]
    starts = np.empty(nk + 1, dtype=np.int64)
    ng_groups = 0
    for i in range(nk):
        if i == 0 or t[i] != t[i - 1] or diag[i] != diag[i - 1]:
            starts[ng_groups] = i
            ng_groups += 1
    starts[ng_groups] = nk
    taken = np.zeros(ng_groups, dtype=np.bool_)
    written = 0
    for slot in range(min(max_diagonals, ng_groups)):
        best = -1
        for g in range(ng_groups):  # most seeds, then smallest transcript, then smallest diagonal
            if not taken[g] and (best < 0 or starts[g + 1] - starts[g] > starts[best + 1] - starts[best]):
                best = g
        taken[best] = True
        s, e = starts[best], starts[best + 1]
        tr, d = t[s], diag[s]
        first, last = rp[idx[s]], rp[idx[e - 1]] + k
        ref0, ref_len = offsets[tr], offsets[tr + 1] - offsets[tr]
        inner = 0
        for r in range(first, last):
            if read[r] != code[seq[ref0 + r + d]]:
                inner += 1
        left, lmm = _extend(read, seq, code, ref0, ref_len, first - 1, first - 1 + d, -1, 1, 4, xdrop)
        right, rmm = _extend(read, seq, code, ref0, ref_len, last, last + d, 1, 1, 4, xdrop)
        unique = 0
        for i in range(s, e):
            if ng[idx[i]] <= 1:
                unique += 1
        rs = first - left
        out[written, 0] = tr
        out[written, 1] = rs
        out[written, 2] = last + right
        out[written, 3] = rs + d
        out[written, 4] = inner + lmm + rmm
        out[written, 5] = e - s
        out[written, 6] = unique
        written += 1
    return written


def diagonal_segments(read: np.ndarray, hits: tuple, allowed: np.ndarray, seq: np.ndarray, offsets: np.ndarray,
                      k: int, max_diagonals: int, xdrop: int) -> np.ndarray:
    """The ungapped segments of a read (codes) on its best-seeded diagonals: seed ``hits`` (``seed_hits``)
    on ``allowed`` transcripts grouped by (transcript, diagonal); the ``max_diagonals`` groups with most
    seeds (ties: smaller transcript, then smaller diagonal), each from its first seed's start to its last
    seed's end, extended both ways by X-drop (match +1, mismatch -4). ``seq``: the index's transcripts as
    ASCII, concatenated (``offsets``). Rows: transcript, read start, read end, transcript start, mismatches,
    seeds, seeds held by at most one gene."""
    out = np.zeros((max_diagonals, 7), dtype=np.int64)
    rp, tx, tp, ng = hits
    w = _diagonal_segments(np.ascontiguousarray(read, dtype=np.uint8), rp, tx, tp, ng,
                           np.ascontiguousarray(allowed, dtype=np.bool_), seq, offsets, CODE, k, max_diagonals, xdrop,
                           out)
    return out[:w]


@njit
def _last_row(a, b, cap, free_start):
    """The last row of the unit-cost edit-distance programme of ``a`` against ``b`` (``free_start``: any
    start in ``b`` costs nothing), or an empty array as soon as a whole row exceeds ``cap``."""
    m = b.shape[0]
    prev = np.zeros(m + 1, dtype=np.int64) if free_start else np.arange(m + 1).astype(np.int64)
    cur = np.empty(m + 1, dtype=np.int64)
    for i in range(1, a.shape[0] + 1):
        ca = a[i - 1]
        cur[0] = i
        low = i
        for j in range(1, m + 1):
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (1 if ca != b[j - 1] else 0))
            cur[j] = v
            if v < low:
                low = v
        if low > cap:
            return np.zeros(0, dtype=np.int64)
        prev, cur = cur, prev
    return prev


@njit
def _ends_within(seq, ref, ends, cap):
    row = _last_row(seq, ref, cap, True)
    m = ref.shape[0]
    for j in range(max(0, m + 1 - ends), row.shape[0]):
        if row[j] <= cap:
            return True
    return False


@njit
def _approx_end(read, adapter, min_shown):
    n, m = adapter.shape[0], read.shape[0]
    for w in range(m + n, -1, -1):
        lo, hi = max(0, w - n), min(m, w)
        shown = hi - lo
        if shown < min_shown:
            continue
        wrong = 0
        for p in range(lo, hi):
            if read[p] != adapter[p - (w - n)]:
                wrong += 1
        if wrong <= shown // 10:
            return w
    return 0


def approx_end(read: np.ndarray, adapter: np.ndarray, min_shown: int) -> int:
    """The largest read position w (0..len(read) + len(adapter)) where ``adapter`` placed to end at w (its
    bases before the read's start or past its end not shown) shows ``min_shown`` or more bases inside
    ``read``, at most one in 10 of them unequal; 0 when none. 1-D uint8 arrays of base codes."""
    if read.dtype != np.uint8 or adapter.dtype != np.uint8 or read.ndim != 1 or adapter.ndim != 1:
        raise ValueError("approx_end takes 1-D uint8 arrays of base codes")
    return int(_approx_end(read, adapter, min_shown))


@njit
def _unequal(x, y):
    return x != y or x == 78  # 78: N


@njit
def _mate_overlap(a, b, min_overlap, per):
    la, lb = a.shape[0], b.shape[0]
    for n in range(max(la, lb) - 1, 0, -1):
        lo, hi = max(0, n - lb), min(n, la)
        shown = hi - lo
        if shown < min_overlap:
            continue
        allowed, wrong = shown // per, 0
        for i in range(lo, hi):
            if _unequal(a[i], b[i - n + lb]):
                wrong += 1
                if wrong > allowed:
                    break
        if wrong <= allowed:
            return n
    return 0


def mate_overlap(read1: np.ndarray, read2_rc: np.ndarray, min_overlap: int, per: int) -> int:
    """The length n of a fragment shorter than one of its reads, told by the reads alone: the largest n below
    the longer read's length such that read 1's first bases and the reverse complement of read 2's first
    bases, both taken as the fragment's n bases from its two ends, agree where they overlap: ``min_overlap``
    or more bases there, at most one in ``per`` of them unequal (N is unequal to everything). 0 when none.
    Read 1's bases past n, and read 2's, are then whatever the sequencer read after the fragment (adapter
    of any kit). ``read2_rc`` is read 2 reverse-complemented; 1-D uint8 arrays of base codes."""
    for x in (read1, read2_rc):
        if x.dtype != np.uint8 or x.ndim != 1:
            raise ValueError("mate_overlap takes 1-D uint8 arrays of base codes")
    if min_overlap < 1 or per < 1:
        raise ValueError("min_overlap and per must be at least 1")
    return int(_mate_overlap(read1, read2_rc, min_overlap, per))


MATE_SEED = 12  # exact bases of a fragment end that propose where a read with an indel ends


@njit
def _one_indel_mismatches(a, b, n1, n2):
    """Fewest mismatches of read 1's first n1 bases against the last n2 of ``b`` (read 2 reversed), one base
    more in the longer of them (|n1 - n2| == 1) placed anywhere but next to the bases past the fragment
    (read 1's last, read 2's first): there an extra base is the first one read past it."""
    s = b.shape[0] - n2
    if n1 > n2:  # read 1's base p (0 .. n1 - 2) is the extra one
        first, last = 0, n1 - 2
    else:  # read 2's base after read 1's first p (1 .. n1) is
        first, last = 1, n1
    suffix = np.zeros(last + 2, np.int64)  # mismatches after the extra base, per place
    acc = 0
    for p in range(last, first - 1, -1):
        if n1 > n2:
            acc += _unequal(a[p + 1], b[s + p])
        else:
            acc += _unequal(a[p], b[s + p + 1]) if p < n1 else 0
        suffix[p] = acc
    best, prefix = n1 + n2, 0
    for p in range(last + 1):
        if p >= first and prefix + suffix[p] < best:
            best = prefix + suffix[p]
        if p < n1:
            prefix += _unequal(a[p], b[s + p])
    return best


@njit
def _mate_overlap_indel(a, b, min_overlap, per, seed):
    la, lb = a.shape[0], b.shape[0]
    best_cost, best1, best2 = -1, 0, 0
    if la < seed or lb < seed:
        return 0, 0
    for side in range(2):
        if side == 0:  # read 1's first bases found in read 2: read 2's fragment length
            probe, text, n_text = a[:seed], b, lb
        else:  # read 2's last (reversed) bases found in read 1: read 1's fragment length
            probe, text, n_text = b[lb - seed:], a, la
        for q in range(n_text - seed + 1):
            hit = True
            for t in range(seed):
                if text[q + t] != probe[t]:
                    hit = False
                    break
            if not hit:
                continue
            for d in (1, -1):
                if side == 0:
                    n2 = lb - q
                    n1 = n2 + d
                else:
                    n1 = q + seed
                    n2 = n1 + d
                if n1 < 1 or n2 < 1 or n1 > la or n2 > lb or (n1 == la and n2 == lb):
                    continue
                if min(n1, n2) < min_overlap:
                    continue
                cost = 1 + _one_indel_mismatches(a, b, n1, n2)
                if cost > min(n1, n2) // per:
                    continue
                better = best_cost < 0 or cost < best_cost or (cost == best_cost and (
                    n1 + n2 < best1 + best2 or (n1 + n2 == best1 + best2 and n1 < best1)))
                if better:
                    best_cost, best1, best2 = cost, n1, n2
    return best1, best2


def mate_overlap_indel(read1: np.ndarray, read2_rc: np.ndarray, min_overlap: int, per: int,
                       seed: int = MATE_SEED) -> tuple[int, int]:
    """``mate_overlap`` for a fragment one of whose reads gained or lost a base in it: how many of read 1's
    first bases (n1) and of read 2's (n2, |n1 - n2| = 1) are the fragment, neither more than the read has
    and not both all of it; (0, 0) when none. Candidates come from ``seed`` exact bases of a fragment end
    (read 1's first found in reversed read 2, or reversed read 2's last found in read 1: one indel leaves
    one of them whole); a candidate holds when the indel plus the fewest mismatches over its placements are
    at most one per ``per`` of the shorter length (N is unequal to everything), that length ``min_overlap``
    or more. Of several: fewest edits, then the shorter (at the fragment's ends an adapter base may pass for
    the extra one: cutting a fragment base too many keeps no adapter base), then the shorter read 1."""
    for x in (read1, read2_rc):
        if x.dtype != np.uint8 or x.ndim != 1:
            raise ValueError("mate_overlap_indel takes 1-D uint8 arrays of base codes")
    if min_overlap < 1 or per < 1 or seed < 1:
        raise ValueError("min_overlap, per and seed must be at least 1")
    n1, n2 = _mate_overlap_indel(read1, read2_rc, min_overlap, per, seed)
    return int(n1), int(n2)


def end_edits(seq: str, ref: str, cap: int) -> np.ndarray:
    """Per end position p in ``ref`` (0..len(ref)), the fewest unit-cost edits aligning ``seq`` to a stretch
    of ``ref`` that ends at p (free start): ``ends_within(seq, ref[:p], 1, cap)`` for every p in one pass.
    Empty when no p is within ``cap``; values above ``cap`` are exact too."""
    return _last_row(np.frombuffer(seq.encode(), np.uint8), np.frombuffer(ref.encode(), np.uint8), cap, True)


def ends_within(seq: str, ref: str, ends: int, cap: int) -> bool:
    """Does ``seq`` align to some stretch of ``ref`` that ends in its last ``ends`` bases (end positions
    len(ref) + 1 - ends .. len(ref)) with at most ``cap`` unit-cost edits (free start in ``ref``)? One
    dynamic-programming pass over the bytes as they are, stopping once a whole row exceeds ``cap``."""
    if ends < 1:
        raise ValueError("ends must be at least 1")
    return bool(_ends_within(np.frombuffer(seq.encode(), np.uint8), np.frombuffer(ref.encode(), np.uint8), ends, cap))


@njit
def _edit_distance(a, b, cap):
    row = _last_row(a, b, cap, False)
    return row[b.shape[0]] if row.shape[0] else cap + 1


def edit_distance(a: str, b: str, cap: int) -> int:
    """Unit-cost edit distance of ``a`` and ``b`` (their bytes), or ``cap + 1`` as soon as a whole row of
    the dynamic programme exceeds ``cap``."""
    return int(_edit_distance(np.frombuffer(a.encode(), np.uint8), np.frombuffer(b.encode(), np.uint8), cap))


@njit
def _covered_prefix(a, b, cap):
    row = _last_row(a, b, cap, False)
    if row.shape[0] == 0:
        return -1
    n = a.shape[0]
    best = 0
    for j in range(1, row.shape[0]):  # least cost; of equal costs, the length nearest len(a), then shorter
        if row[j] < row[best] or (row[j] == row[best] and abs(j - n) < abs(best - n)):
            best = j
    return best


def covered_prefix(a: str, b: str, cap: int) -> int:
    """How many of ``b``'s first bases ``a`` reads: the j for which the unit-cost edit distance of ``a`` and
    ``b[:j]`` is least (of equal ones, j nearest ``len(a)``, then the smaller); -1 when every j costs more
    than ``cap``. A long read's piece against the reference it came from: its length over j is the read's
    bases per reference base (insertion errors > 1, deletions < 1)."""
    return int(_covered_prefix(np.frombuffer(a.encode(), np.uint8), np.frombuffer(b.encode(), np.uint8), cap))


# --------------------------------------------------------------------------------------------------
# Library fragment lengths from a sample of pairs


@njit
def _first_key(buf, code, start, length, k):
    """Key of the first k-mer of a read and whether it is valid (k bases, no N)."""
    if length < k:
        return np.uint64(0), False
    key = np.uint64(0)
    for i in range(start, start + k):
        c = code[buf[i]]
        if c > 3:
            return np.uint64(0), False
        key = (key << np.uint64(2)) | np.uint64(c)
    return key, True


@njit
def _span_length(keys, fences, step, ktx, kpos, q5, q3, k, max_rows, max_len):
    """Length of the piece of one transcript that starts with k-mer ``q5`` and ends with k-mer ``q3``,
    when every transcript holding both (at most ``max_rows`` places each) gives the same length; else -1."""
    lo5, hi5 = _find(keys, fences, step, q5)
    lo3, hi3 = _find(keys, fences, step, q3)
    if hi5 == lo5 or hi3 == lo3 or hi5 - lo5 > max_rows or hi3 - lo3 > max_rows:
        return -1
    best = -1
    for r5 in range(lo5, hi5):
        for r3 in range(lo3, hi3):
            if ktx[r5] == ktx[r3] and kpos[r3] >= kpos[r5]:
                length = kpos[r3] + k - kpos[r5]
                if best >= 0 and length != best:
                    return -1
                best = length
    if best > max_len:
        return -1
    return best


@njit
def _pair_lengths(buf1, s1, l1, buf2, s2, l2, code, keys, fences, step, ktx, kpos, k, select_bits, max_rows,
                  max_len, out):
    shift = np.uint64(64 - select_bits)
    for i in range(s1.shape[0]):
        out[i] = -1
        f1, ok1 = _first_key(buf1, code, s1[i], l1[i], k)
        if not ok1:
            continue
        if select_bits > 0 and (f1 * np.uint64(0x9E3779B97F4A7C15)) >> shift != np.uint64(0):
            continue
        f2, ok2 = _first_key(buf2, code, s2[i], l2[i], k)
        if not ok2:
            continue
        a = _span_length(keys, fences, step, ktx, kpos, f1, _revcomp_key_fast(f2, k), k, max_rows, max_len)  # R1 forward
        b = _span_length(keys, fences, step, ktx, kpos, f2, _revcomp_key_fast(f1, k), k, max_rows, max_len)  # R2 forward
        if a >= 0 and b < 0:
            out[i] = a
        elif b >= 0 and a < 0:
            out[i] = b


def pair_lengths(buf1: np.ndarray, s1: np.ndarray, l1: np.ndarray, buf2: np.ndarray, s2: np.ndarray,
                 l2: np.ndarray, keys: np.ndarray, fences: np.ndarray, step: int, ktx: np.ndarray,
                 kpos: np.ndarray, k: int, select_bits: int = 4, max_rows: int = 16,
                 max_len: int = 2000) -> np.ndarray:
    """Fragment length of each pair of reads (mate 1 ``buf1[s1[i]:s1[i]+l1[i]]``, mate 2 likewise), or -1.

    A pair is measured when the first k-mer of one mate and the reverse complement of the other mate's
    first k-mer lie on one indexed transcript (forward k-mers, ``keys`` sorted with rows ``ktx``/``kpos``,
    ``fences = keys[::step]``) in that order, giving one length in every transcript that holds both and
    in one orientation only. Only pairs whose mate-1 first k-mer hashes into the top ``2**-select_bits``
    are looked at, a sample that does not depend on how reads are split into batches or shards.
    """
    n = len(s1)
    out = np.full(n, -1, dtype=np.int32)
    if n and len(keys):
        _pair_lengths(np.ascontiguousarray(buf1, dtype=np.uint8), np.ascontiguousarray(s1, dtype=np.int64),
                      np.ascontiguousarray(l1, dtype=np.int64), np.ascontiguousarray(buf2, dtype=np.uint8),
                      np.ascontiguousarray(s2, dtype=np.int64), np.ascontiguousarray(l2, dtype=np.int64), CODE,
                      keys, np.ascontiguousarray(fences, dtype=np.uint64), step, ktx, kpos, k, select_bits,
                      max_rows, max_len, out)
    return out


# --------------------------------------------------------------------------------------------------
# Reads that start with the reverse complement of the first 10-18 bases of an ALK exon (fragments ending
# a few bases into the exon)


@njit
def _starts_with_any(buf, code, seq_start, seq_len, keys, lo, hi, first, out):
    """keys: sorted (n << 58) | key of an n-mer, lo <= n <= hi; first: a byte per ``lo``-mer, set for the
    first ``lo`` bases of every key (nearly every read stops at that one look-up)."""
    for r in range(seq_start.shape[0]):
        s = seq_start[r]
        if seq_len[r] < lo:
            continue
        key = np.uint64(0)
        ok = True
        for i in range(lo):
            c = code[buf[s + i]]
            if c > 3:
                ok = False
                break
            key = (key << np.uint64(2)) | np.uint64(c)
        if not ok or first[key] == 0:
            continue
        key = np.uint64(0)
        for i in range(min(seq_len[r], hi)):
            c = code[buf[s + i]]
            if c > 3:
                break
            key = (key << np.uint64(2)) | np.uint64(c)
            n = i + 1
            if n >= lo:
                q = (np.uint64(n) << np.uint64(58)) | key
                j = np.searchsorted(keys, q)
                if j < keys.shape[0] and keys[j] == q:
                    out[r] = True
                    break


def prefix_keys(prefixes: list[str]) -> np.ndarray:
    """Sorted look-up keys of sequences (ACGT only, at most 29 bases) for :func:`starts_with_any`."""
    out = set()
    for p in prefixes:
        if len(p) > 29:
            raise ValueError(f"prefix of {len(p)} bases: a key holds 29")
        key = 0
        for b in p:
            key = key * 4 + "ACGT".index(b)
        out.add((len(p) << 58) | key)
    return np.array(sorted(out), dtype=np.uint64)


def starts_with_any(buf: np.ndarray, seq_start: np.ndarray, seq_len: np.ndarray, keys: np.ndarray, lo: int,
                    hi: int) -> np.ndarray:
    """Per read: does it start with one of the sequences behind ``keys`` (:func:`prefix_keys`, lengths
    ``lo``..``hi``)?"""
    out = np.zeros(len(seq_start), dtype=np.bool_)
    if len(seq_start) and len(keys):
        keys = np.ascontiguousarray(keys, dtype=np.uint64)
        n = (keys >> np.uint64(58)).astype(np.int64)
        first = np.zeros(4**lo, dtype=np.uint8)
        mask = np.uint64((1 << 58) - 1)
        first[((keys & mask) >> (2 * (n - lo)).astype(np.uint64)).astype(np.int64)] = 1
        _starts_with_any(np.ascontiguousarray(buf, dtype=np.uint8), CODE,
                         np.ascontiguousarray(seq_start, dtype=np.int64), np.ascontiguousarray(seq_len, dtype=np.int64),
                         keys, lo, hi, first, out)
    return out


# --------------------------------------------------------------------------------------------------
# Reads that run from the end of a partner exon into bases that are not the transcript's next bases
# (an insert, an intron, ALK): their tails place junctions that no read crosses whole.


def tail_prefilter(keys: np.ndarray, k: int) -> np.ndarray:
    """Bit filter (both strands) of the sorted sense k-mer keys given to :func:`scan_reads_tails`."""
    keys = np.ascontiguousarray(keys, dtype=np.uint64)
    bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
    nbits = max(prefilter_bits(bits), 16)  # 8 KiB at least: about 1 base in 250 passes for 100 probes
    words = np.zeros(1 << (nbits - 6), dtype=np.uint64)
    _prefilter_build(keys, k, nbits, words)
    return words


@njit
def _differs(buf, code, at, step, complement, conts, n_conts, row, tail, min_diff):
    """Do the ``tail`` read bases from ``at`` (walking by ``step``; complemented when reading the reverse
    strand) differ from every continuation of probe ``row`` at ``min_diff`` or more positions? An N in the
    read counts as agreeing; a continuation base 4 (past a transcript end) as differing: an isoform that ends
    just after the exon explains nothing a read shows beyond it (one such EML4 isoform hid every read
    running on from EML4 exon 2, the exon of v5a/v5b)."""
    for c in range(n_conts[row]):
        wrong = 0
        for j in range(tail):
            x = code[buf[at + step * j]]
            if x > 3:
                continue
            if complement:
                x = 3 - x
            if x != conts[row, c, j]:
                wrong += 1
        if wrong < min_diff:
            return False
    return True


@njit
def _tail_at(buf, code, s, e, p, fwd, k, keys, rows, conts, n_conts, tail, min_diff, out_end, out_row, out_rev, r):
    """Record in row ``r`` of the outputs a partner tail at the k-mer ``fwd`` that ends at read base ``p``
    (read ``buf[s:e]``), if there is one; True when recorded."""
    nkeys = keys.shape[0]
    # the read is fusion sense: the exon ends after base p, its tail follows
    if p + 1 + tail <= e:
        i = np.searchsorted(keys, fwd)
        if i < nkeys and keys[i] == fwd and _differs(buf, code, p + 1, 1, False, conts, n_conts, rows[i], tail,
                                                     min_diff):
            out_end[r], out_row[r], out_rev[r] = p + 1 - s, rows[i], False
            return True
    # the read is antisense: its reverse complement holds the exon end, the tail lies before the k-mer
    first = p - k + 1
    if first - tail >= s:
        rc = _revcomp_key_fast(fwd, k)
        i = np.searchsorted(keys, rc)
        if i < nkeys and keys[i] == rc and _differs(buf, code, first - 1, -1, True, conts, n_conts, rows[i], tail,
                                                    min_diff):
            out_end[r], out_row[r], out_rev[r] = e - first, rows[i], True
            return True
    return False


@njit
def _scan_reads_tails(buf, code, seq_start, seq_len, table, bits, words, nbits, k, keys, rows, twords, tnbits, conts,
                      n_conts, tail, min_diff, hits, out_end, out_row, out_rev):
    """:func:`_scan_reads` (stride 1) and the partner-tail search (:func:`_tail_at`) in one pass over the
    bases. ``words`` holds the bits of the table's keys and of the tail probes: a base whose bit is clear
    (nearly all) costs one test, as in :func:`_scan_reads`; the tail probes' own filter ``twords`` (other
    top bits of the same hash) is looked at only for the few that pass."""
    mask = (np.uint64(1) << np.uint64(2 * k)) - np.uint64(1)
    sh = np.uint64(64 - nbits)
    tsh = np.uint64(64 - tnbits)
    for r in range(seq_start.shape[0]):
        s = seq_start[r]
        e = s + seq_len[r]
        fwd = np.uint64(0)
        valid = s + k - 1
        count = 0
        found = False
        for p in range(s, e):
            c = code[buf[p]]
            if c > 3:
                valid = p + k
                continue
            fwd = ((fwd << np.uint64(2)) | np.uint64(c)) & mask
            x = fwd * _MULT
            h = x >> sh
            if (words[h >> np.uint64(6)] >> (h & np.uint64(63))) & np.uint64(1) and p >= valid:
                count += _probe(fwd, k, table, bits)
                t = x >> tsh
                if not found and (twords[t >> np.uint64(6)] >> (t & np.uint64(63))) & np.uint64(1):
                    found = _tail_at(buf, code, s, e, p, fwd, k, keys, rows, conts, n_conts, tail, min_diff, out_end,
                                     out_row, out_rev, r)
        hits[r] = count


def scan_reads_tails(buf: np.ndarray, seq_start: np.ndarray, seq_len: np.ndarray, table: np.ndarray, bits: int,
                     k: int, prefilter: np.ndarray, keys: np.ndarray, rows: np.ndarray, tail_words: np.ndarray,
                     conts: np.ndarray, n_conts: np.ndarray, tail: int, min_diff: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per read of a raw batch: :func:`scan_reads` (every k-mer; ``prefilter`` must be
    ``scan_prefilter(table, bits, k, extra=keys)``), and, in the same pass, whether its fusion-sense
    sequence (the read or its reverse complement) holds a probe k-mer (``keys``: sorted sense keys of
    k-mers that end an exon; ``rows``: the probe of each) and then ``tail`` or more bases that differ from
    every continuation of that probe in the transcripts (``conts[row, :n_conts[row]]``: codes of the
    ``tail`` bases after each occurrence) at ``min_diff`` or more positions (``tail_words``:
    :func:`tail_prefilter` of ``keys``). Returns the hit counts and, per read, the position in the
    fusion-sense read one past the first such probe (-1: none), its row, and whether the fusion-sense
    sequence is the reverse complement. Releases the GIL."""
    n = len(seq_start)
    hits = np.zeros(n, dtype=np.int32)
    out_end = np.full(n, -1, dtype=np.int64)
    out_row = np.full(n, -1, dtype=np.int64)
    out_rev = np.zeros(n, dtype=np.bool_)
    if n:
        for w in (prefilter, tail_words):
            if w.dtype != np.uint64 or w.size < 16 or w.size & (w.size - 1):
                raise ValueError("bit filters must come from scan_prefilter / tail_prefilter")
        _scan_reads_tails(np.ascontiguousarray(buf, dtype=np.uint8), CODE, np.ascontiguousarray(seq_start, dtype=np.int64),
                          np.ascontiguousarray(seq_len, dtype=np.int64), table, bits, prefilter,
                          int(prefilter.size * 64).bit_length() - 1, k, np.ascontiguousarray(keys, dtype=np.uint64),
                          np.ascontiguousarray(rows, dtype=np.int64), tail_words, int(tail_words.size * 64).bit_length() - 1,
                          np.ascontiguousarray(conts, dtype=np.uint8), np.ascontiguousarray(n_conts, dtype=np.int64),
                          tail, min_diff, hits, out_end, out_row, out_rev)
    return hits, out_end, out_row, out_rev
