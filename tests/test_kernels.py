"""Every numba kernel against a slow, obviously correct Python twin, on random and edge-case input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alkfuse import kernels
from alkfuse.seq import revcomp

DNA = st.text(alphabet="ACGTNacgt", max_size=120)


# --- twins --------------------------------------------------------------------------------------------------
def twin_keys(seq: str, k: int):
    out = []
    for i in range(len(seq) - k + 1):
        kmer = seq[i : i + k].upper()
        if all(b in "ACGT" for b in kmer):
            key = 0
            for b in kmer:
                key = key * 4 + "ACGT".index(b)
            out.append((key, True))
        else:
            out.append((0, False))
    return out


def twin_key_of(kmer: str) -> int:
    return twin_keys(kmer, len(kmer))[0][0]


def twin_scan(seq: str, keyset: set[int], k: int, stride: int) -> int:
    n = 0
    for i in range(len(seq) - k + 1):
        kmer = seq[i : i + k].upper()
        if not all(b in "ACGT" for b in kmer) or i % stride:
            continue
        canon = min(twin_key_of(kmer), twin_key_of(revcomp(kmer)))
        n += canon in keyset
    return n


def twin_scan_runs(seq: str, keyset: set[int], k: int, stride: int) -> int:
    """The kernel counts stride from the start of each N-free run; equal to twin_scan when stride is 1."""
    return twin_scan(seq, keyset, k, stride)


def twin_extend(read, ref, rpos, tpos, step, match, mismatch, xdrop):
    best = best_len = best_mm = score = mm = 0
    i = 0
    while 0 <= rpos + step * i < len(read) and 0 <= tpos + step * i < len(ref):
        a, b = read[rpos + step * i], ref[tpos + step * i]
        if a == b and a < 4:
            score += match
        else:
            score -= mismatch
            mm += 1
        i += 1
        if score > best:
            best, best_len, best_mm = score, i, mm
        elif best - score > xdrop:
            break
    return best_len, best_mm


# --- k-mer keys ---------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(DNA, st.integers(1, 31))
def test_kmer_keys_match_twin(seq, k):
    keys, valid = kernels.kmer_keys(kernels.encode(seq), k)
    want = twin_keys(seq, k)
    assert len(keys) == len(want)
    for (key, ok), got_key, got_ok in zip(want, keys, valid):
        assert bool(got_ok) == ok
        if ok:
            assert int(got_key) == key


@pytest.mark.parametrize("seq", ["", "A", "N" * 40, "ACGT" * 10, "acgtNACGT"])
def test_kmer_keys_edges(seq):
    for k in (1, 5, 19, 31):
        keys, valid = kernels.kmer_keys(kernels.encode(seq), k)
        assert len(keys) == max(0, len(seq) - k + 1)
        assert [bool(v) for v in valid] == [ok for _, ok in twin_keys(seq, k)]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ACGT", min_size=19, max_size=19))
def test_revcomp_key_round_trip(kmer):
    k = len(kmer)
    key = np.array([twin_key_of(kmer)], dtype=np.uint64)
    rc = kernels.revcomp_keys(key, k)
    assert int(rc[0]) == twin_key_of(revcomp(kmer))
    assert int(kernels.revcomp_keys(rc, k)[0]) == int(key[0])


# --- hash set ----------------------------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, (1 << 38) - 1), max_size=300), st.lists(st.integers(0, (1 << 38) - 1), max_size=50))
def test_hash_set_matches_python_set(members, probes):
    table, bits = kernels.build_table(np.array(members, dtype=np.uint64))
    queries = np.array(members + probes, dtype=np.uint64)
    got = kernels.table_contains(table, bits, queries)
    want = [q in set(members) for q in members + probes]
    assert list(got) == want


def test_hash_set_empty_and_read_only():
    table, bits = kernels.build_table(np.zeros(0, dtype=np.uint64))
    table.setflags(write=False)  # index arrays are memory-mapped read-only
    assert not kernels.table_contains(table, bits, np.array([0, 5], dtype=np.uint64)).any()


# --- the scan kernel ---------------------------------------------------------------------------------------
def _batch(reads):
    buf = "\n".join(reads).encode()
    starts, pos = [], 0
    for r in reads:
        starts.append(pos)
        pos += len(r) + 1
    return (np.frombuffer(buf, dtype=np.uint8), np.array(starts, dtype=np.int64),
            np.array([len(r) for r in reads], dtype=np.int32))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ACGTNacgt", max_size=90), min_size=1, max_size=8),
       st.integers(0, 2**32), st.sampled_from([5, 11, 19]))
def test_scan_reads_matches_twin(reads, seed, k):
    rng = np.random.default_rng(seed)
    # members: some k-mers taken from the reads (both strands) plus random ones
    members = set()
    for r in reads:
        for i in range(0, max(0, len(r) - k + 1), 3):
            kmer = r[i : i + k].upper()
            if all(b in "ACGT" for b in kmer) and rng.random() < 0.5:
                members.add(min(twin_key_of(kmer), twin_key_of(revcomp(kmer))))
    members |= {int(x) for x in rng.integers(0, 4**k, size=20)}
    table, bits = kernels.build_table(np.array(sorted(members), dtype=np.uint64))
    buf, starts, lens = _batch(reads)
    got = kernels.scan_reads(buf, starts, lens, table, bits, k, 1)
    assert list(got) == [twin_scan(r, members, k, 1) for r in reads]


def test_scan_reads_strand_and_stride():
    rng = np.random.default_rng(1)
    target = "".join(rng.choice(list("ACGT"), 60))
    k = 19
    keys, _ = kernels.kmer_keys(kernels.encode(target), k)
    table, bits = kernels.build_table(kernels.canonical(keys, k))
    reads = [target, revcomp(target), "N" * 10 + target[:30], "A" * 50]
    buf, starts, lens = _batch(reads)
    got = kernels.scan_reads(buf, starts, lens, table, bits, k, 1)
    assert list(got) == [42, 42, 12, 0]
    every4 = kernels.scan_reads(buf, starts, lens, table, bits, k, 4)
    assert every4[0] == len(range(0, 42, 4))


def test_scan_reads_empty_batch():
    table, bits = kernels.build_table(np.array([1], dtype=np.uint64))
    out = kernels.scan_reads(np.zeros(0, np.uint8), np.zeros(0, np.int64), np.zeros(0, np.int32), table, bits, 19)
    assert out.shape == (0,)


# --- X-drop extension --------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ACGTN", min_size=1, max_size=60), st.text(alphabet="ACGTN", min_size=1, max_size=60),
       st.data())
def test_extend_matches_twin(read, ref, data):
    rc, tc = kernels.encode(read), kernels.encode(ref)
    rpos = data.draw(st.integers(0, len(read) - 1))
    tpos = data.draw(st.integers(0, len(ref) - 1))
    step = data.draw(st.sampled_from([1, -1]))
    xdrop = data.draw(st.integers(0, 20))
    got = kernels.extend(rc, tc, rpos, tpos, step, 1, 4, xdrop)
    assert tuple(got) == twin_extend(list(rc), list(tc), rpos, tpos, step, 1, 4, xdrop)


def test_extend_stops_at_divergence():
    a = kernels.encode("ACGTACGTAC" + "TTTTTTTTTTTTTTTTTTTT")
    b = kernels.encode("ACGTACGTAC" + "GGGGGGGGGGGGGGGGGGGG")
    assert kernels.extend(a, b, 0, 0, 1) == (10, 0)
    assert kernels.extend(a, b, 9, 9, -1) == (10, 0)


# --- fenced look-up in a sorted key array -------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 60), max_size=300), st.lists(st.integers(0, 64), max_size=40),
       st.sampled_from([1, 2, 3, 7, 16]))
def test_lookup_matches_searchsorted(keys, queries, step):
    keys = np.array(sorted(keys), dtype=np.uint64)  # few distinct values: long runs across fences
    q = np.array(queries, dtype=np.uint64)
    lo, hi = kernels.lookup(keys, keys[::step], step, q)
    assert list(lo) == list(np.searchsorted(keys, q, side="left"))
    assert list(hi) == list(np.searchsorted(keys, q, side="right"))


@pytest.mark.parametrize("run", [1, kernels.RUN_SCAN - 1, kernels.RUN_SCAN, kernels.RUN_SCAN + 1, 40])
@pytest.mark.parametrize("step", [1, 3, 16, 64])
def test_lookup_runs_shorter_and_longer_than_the_step_over(run, step):
    """_find steps over a k-mer's first RUN_SCAN rows and searches for the end of a longer run: runs of
    every length around it, at the array's end and before other keys."""
    for tail in ([], [9, 9, 12]):
        keys = np.array([1, 2] + [5] * run + tail, dtype=np.uint64)
        q = np.array([0, 1, 5, 6, 9, 12, 13], dtype=np.uint64)
        lo, hi = kernels.lookup(keys, keys[::step], step, q)
        assert list(lo) == list(np.searchsorted(keys, q, side="left"))
        assert list(hi) == list(np.searchsorted(keys, q, side="right"))


# --- fragment lengths of sampled pairs ----------------------------------------------------------------------
def twin_pair_length(r1: str, r2: str, transcripts: list[str], k: int, select_bits: int, max_rows: int,
                     max_len: int) -> int:
    """Brute force: where does the pair lie, by scanning every transcript position."""
    def first(r):
        kmer = r[:k].upper()
        return kmer if len(kmer) == k and all(b in "ACGT" for b in kmer) else None

    f1, f2 = first(r1), first(r2)
    if f1 is None:
        return -1
    if select_bits and (twin_key_of(f1) * 0x9E3779B97F4A7C15 % 2**64) >> (64 - select_bits):
        return -1
    if f2 is None:
        return -1

    def places(kmer):
        return [(t, i) for t, s in enumerate(transcripts) for i in range(len(s) - k + 1) if s[i : i + k] == kmer]

    def span(start_kmer, end_kmer):
        p5, p3 = places(start_kmer), places(end_kmer)
        if not p5 or not p3 or len(p5) > max_rows or len(p3) > max_rows:
            return -1
        found = {j + k - i for t, i in p5 for u, j in p3 if t == u and j >= i}
        return found.pop() if len(found) == 1 and max(found | {0}) <= max_len else -1

    a, b = span(f1, revcomp(f2)), span(f2, revcomp(f1))
    return a if a >= 0 > b else b if b >= 0 > a else -1


def _positional_index(transcripts: list[str], k: int):
    rows = []
    for t, s in enumerate(transcripts):
        keys, valid = kernels.kmer_keys(kernels.encode(s), k)
        rows += [(int(key), t, i) for i, (key, ok) in enumerate(zip(keys, valid)) if ok]
    rows.sort()
    keys = np.array([r[0] for r in rows], dtype=np.uint64)
    return keys, np.array([r[1] for r in rows], dtype=np.int32), np.array([r[2] for r in rows], dtype=np.int32)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([5, 7, 11]), st.sampled_from([0, 1, 2]), st.sampled_from([1, 2, 16]),
       st.sampled_from([1, 3, 64]))
def test_pair_lengths_matches_twin(seed, k, select_bits, max_rows, step):
    rng = np.random.default_rng(seed)
    # short alphabet runs and a shared piece between transcripts give repeats and isoform-like sharing
    base = "".join(rng.choice(list("ACGT"), 80))
    transcripts = [base, base[:40] + "".join(rng.choice(list("ACGT"), 50)), "".join(rng.choice(list("AC"), 60))]
    keys, tx, pos = _positional_index(transcripts, k)
    pairs = []
    for _ in range(30):
        t = transcripts[rng.integers(len(transcripts))]
        a = int(rng.integers(0, len(t) - 10))
        b = int(rng.integers(a + 1, len(t) + 1))
        frag = t[a:b]
        r1, r2 = frag[:25], revcomp(frag)[:25]
        if rng.random() < 0.3:
            r1, r2 = r2, r1
        if rng.random() < 0.1:
            r1 = "N" + r1[1:]
        if rng.random() < 0.1:
            r2 = "".join(rng.choice(list("ACGT"), 25))
        pairs.append((r1, r2))
    buf1, s1, l1 = _batch([p[0] for p in pairs])
    buf2, s2, l2 = _batch([p[1] for p in pairs])
    got = kernels.pair_lengths(buf1, s1, l1, buf2, s2, l2, keys, keys[::step], step, tx, pos, k, select_bits,
                               max_rows, max_len=60)
    assert list(got) == [twin_pair_length(r1, r2, transcripts, k, select_bits, max_rows, 60) for r1, r2 in pairs]


def test_pair_lengths_fr_pairs_and_edges():
    rng = np.random.default_rng(3)
    t = "".join(rng.choice(list("ACGT"), 500))
    keys, tx, pos = _positional_index([t], 19)
    frag = t[100:350]
    pairs = [(frag[:50], revcomp(frag)[:50]), (revcomp(frag)[:50], frag[:50]),  # both orientations: 250
             (frag[:10], revcomp(frag)[:50]),  # a mate shorter than k
             (frag[:50], frag[:50])]  # same strand: not a pair of this library
    buf1, s1, l1 = _batch([p[0] for p in pairs])
    buf2, s2, l2 = _batch([p[1] for p in pairs])
    got = kernels.pair_lengths(buf1, s1, l1, buf2, s2, l2, keys, keys[::4], 4, tx, pos, 19, 0)
    assert list(got) == [250, 250, -1, -1]
    empty = kernels.pair_lengths(buf1, s1[:0], l1[:0], buf2, s2[:0], l2[:0], keys, keys[::4], 4, tx, pos, 19, 0)
    assert empty.shape == (0,)


# --- seeds and segments of one read on a positional index (mapping.ReadMapper) ------------------------------
def twin_seed_hits(read: str, rows: list[tuple[int, int, int, int]], k: int, max_rows: int):
    """Every (read position, transcript, position, genes) of the read's N-free k-mers, from the index rows
    (key, transcript, position, genes) sorted; nothing for k-mers in more than ``max_rows`` rows."""
    out = []
    for i, (key, ok) in enumerate(twin_keys(read, k)):
        found = [r for r in rows if r[0] == key] if ok else []
        if len(found) <= max_rows:
            out += [(i, t, p, g) for _, t, p, g in found]
    return out


def twin_diagonal_segments(read: str, hits, allowed, transcripts: list[str], k: int, max_diagonals: int, xdrop: int):
    """Group hits by (transcript, diagonal); the groups with most hits (ties: transcript, then diagonal)
    span their first to last seed, extended both ways base by base (twin_extend)."""
    rc = list(kernels.encode(read))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for rp, t, p, g in hits:
        if allowed[t]:
            groups.setdefault((t, p - rp), []).append((rp, g))
    out = []
    for (t, d), members in sorted(groups.items(), key=lambda x: (-len(x[1]), x[0]))[:max_diagonals]:
        ref = list(kernels.encode(transcripts[t]))
        first, last = min(r for r, _ in members), max(r for r, _ in members) + k
        inner = sum(rc[r] != ref[r + d] for r in range(first, last))
        left, lmm = twin_extend(rc, ref, first - 1, first - 1 + d, -1, 1, 4, xdrop)
        right, rmm = twin_extend(rc, ref, last, last + d, 1, 1, 4, xdrop)
        out.append((t, first - left, last + right, first - left + d, inner + lmm + rmm, len(members),
                    sum(g <= 1 for _, g in members)))
    return out


def _seed_index(transcripts: list[str], k: int, rng):
    keys, tx, pos = _positional_index(transcripts, k)
    genes = rng.integers(0, 4, len(keys)).astype(np.uint16)
    rows = [(int(a), int(b), int(c), int(g)) for a, b, c, g in zip(keys, tx, pos, genes)]
    seq = np.frombuffer("".join(transcripts).encode(), np.uint8)
    offsets = np.cumsum([0] + [len(t) for t in transcripts]).astype(np.int64)
    return keys, tx, pos, genes, rows, seq, offsets


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([5, 7, 11]), st.sampled_from([1, 3, 64]), st.sampled_from([1, 2, 16]),
       st.sampled_from([1, 2, 8]), st.sampled_from([0, 4, 12]))
def test_seed_hits_and_segments_match_twins(seed, k, max_rows, step, max_diagonals, xdrop):
    """Isoform-like transcripts (shared pieces, a low-complexity one: repeats), reads with errors, Ns, lower
    case, pieces of two transcripts, and random reads; every transcript subset."""
    rng = np.random.default_rng(seed)

    def rand(n, alphabet="ACGT"):
        return "".join(rng.choice(list(alphabet), n))

    base = rand(90)
    transcripts = [base, base[:45] + rand(50), rand(40) + base[30:], rand(70, "AC")]
    keys, tx, pos, genes, rows, seq, offsets = _seed_index(transcripts, k, rng)
    for _ in range(15):
        t = transcripts[int(rng.integers(len(transcripts)))]
        a = int(rng.integers(0, len(t) - 5))
        read = t[a : a + int(rng.integers(5, 60))]
        roll = rng.random()
        if roll < 0.3:
            read = read + transcripts[int(rng.integers(len(transcripts)))][:20]
        elif roll < 0.4:
            read = rand(len(read), "ACGTN")
        read = "".join(b if rng.random() > 0.05 else rand(1, "ACGTNa") for b in read)
        hits = kernels.seed_hits(kernels.encode(read), k, keys, keys[::step], step, tx, pos, genes, max_rows)
        assert list(zip(*(h.tolist() for h in hits))) == twin_seed_hits(read, rows, k, max_rows)
        for allowed in (np.ones(4, bool), np.array([True, False, True, False]), np.zeros(4, bool)):
            got = kernels.diagonal_segments(kernels.encode(read), hits, allowed, seq, offsets, k, max_diagonals, xdrop)
            assert [tuple(r) for r in got.tolist()] == twin_diagonal_segments(
                read, zip(*(h.tolist() for h in hits)), allowed, transcripts, k, max_diagonals, xdrop)


def test_seed_hits_and_segments_edges():
    """A read shorter than k, an empty index, and a read running off both ends of its transcript."""
    rng = np.random.default_rng(0)
    t = "".join(rng.choice(list("ACGT"), 60))
    keys, tx, pos, genes, rows, seq, offsets = _seed_index([t], 7, rng)
    short = kernels.seed_hits(kernels.encode("ACGT"), 7, keys, keys, 1, tx, pos, genes, 64)
    assert all(len(h) == 0 for h in short)
    empty = kernels.seed_hits(kernels.encode(t), 7, keys[:0], keys[:0], 1, tx[:0], pos[:0], genes[:0], 64)
    assert all(len(h) == 0 for h in empty)
    read = "GG" + t + "CC"  # the transcript's ends stop the extension
    hits = kernels.seed_hits(kernels.encode(read), 7, keys, keys, 1, tx, pos, genes, 64)
    got = kernels.diagonal_segments(kernels.encode(read), hits, np.ones(1, bool), seq, offsets, 7, 8, 12)
    assert got.tolist()[0][:5] == [0, 2, 62, 0, 0]
    assert kernels.diagonal_segments(kernels.encode("ACGT"), short, np.ones(1, bool), seq, offsets, 7, 8, 12).shape \
        == (0, 7)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ACGTNacgt", max_size=80), st.sampled_from([3, 5, 11]), st.integers(0, 2**32))
def test_strand_counts_match_twin(read, k, seed):
    """Per strand, the counts of the read's k-mers (and its reverse complement's) found in the table."""
    rng = np.random.default_rng(seed)
    pool = [read[i : i + k] for i in range(len(read) - k + 1)] + [revcomp(read)[i : i + k] for i in range(len(read) - k + 1)]
    chosen = {kmer.upper() for kmer in pool if "N" not in kmer.upper() and rng.random() < 0.5}
    chosen |= {"".join(rng.choice(list("ACGT"), k)) for _ in range(5)}
    table = {twin_key_of(kmer): int(rng.integers(1, 6)) for kmer in chosen}
    keys = np.array(sorted(table), dtype=np.uint64)
    counts = np.array([table[int(x)] for x in keys], dtype=np.int64)
    twin = tuple(sum(table.get(key, 0) for key, ok in twin_keys(s, k) if ok) for s in (read, revcomp(read)))
    assert kernels.strand_counts(kernels.encode(read), k, keys, counts) == twin
    assert kernels.strand_counts(kernels.encode(read), k, keys[:0], counts[:0]) == (0, 0)


# --- edit distance ------------------------------------------------------------------------------------------
def twin_edit_distance(a: str, b: str, cap: int) -> int:
    """The textbook dynamic programme, row by row, giving up (cap + 1) once a whole row exceeds ``cap``."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > cap:
            return cap + 1
        prev = cur
    return prev[-1]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ACGTN", max_size=40), st.text(alphabet="ACGTN", max_size=40), st.integers(0, 6))
def test_edit_distance_matches_twin(a, b, cap):
    assert kernels.edit_distance(a, b, cap) == twin_edit_distance(a, b, cap)


def test_edit_distance_edges():
    insert = "ACGTTGCAGTCAGGATCCATGCAAGTCCTA" * 4
    assert kernels.edit_distance(insert, insert[:50] + "C" + insert[50:], 5) == 1
    assert kernels.edit_distance(insert, insert[1:], 0) == 1  # over the cap: cap + 1
    assert kernels.edit_distance("", "ACG", 9) == 3 and kernels.edit_distance("ACG", "", 1) == 2


# --- how much of a reference a read piece covers ---------------------------------------------------------
def twin_covered_prefix(a: str, b: str, cap: int) -> int:
    """Every prefix of b by the plain edit distance; least cost, then the length nearest len(a), then shorter."""
    costs = [(twin_edit_distance(a, b[:j], 10 ** 6), abs(j - len(a)), j) for j in range(len(b) + 1)]
    best = min(costs)
    return -1 if best[0] > cap else best[2]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ACGT", max_size=30), st.text(alphabet="ACGT", max_size=40), st.integers(0, 8))
def test_covered_prefix_matches_twin(a, b, cap):
    assert kernels.covered_prefix(a, b, cap) == twin_covered_prefix(a, b, cap)


def test_covered_prefix_edges():
    import random

    rng = random.Random(11)
    ref = "".join(rng.choice("ACGT") for _ in range(300))
    assert kernels.covered_prefix(ref[:200], ref, 5) == 200
    gained = ref[:50] + "T" + ref[50:120] + "GA" + ref[120:197]  # 3 bases gained: 200 read bases, 197 of ref
    assert kernels.covered_prefix(gained, ref, 10) == 197
    lost = ref[:80] + ref[82:204]  # 2 lost: 202 read bases, 204 of ref
    assert kernels.covered_prefix(lost, ref, 10) == 204
    assert kernels.covered_prefix("", ref, 0) == 0 and kernels.covered_prefix("ACGT", "", 3) == -1
    for _ in range(200):  # random pieces: the kernel against the twin, caps around the true cost
        b = "".join(rng.choice("ACGT") for _ in range(rng.randint(0, 25)))
        a = list(b[: rng.randint(0, len(b))])
        for _ in range(rng.randint(0, 4)):
            i = rng.randint(0, len(a))
            a[i:i + 1] = rng.choice([[], [rng.choice("ACGT")], a[i:i + 1] + [rng.choice("ACGT")]])
        a = "".join(a)
        cap = rng.randint(0, 5)
        assert kernels.covered_prefix(a, b, cap) == twin_covered_prefix(a, b, cap), (a, b, cap)


# --- semi-global edit distance at a reference's end ------------------------------------------------------
def test_ends_within_matches_brute_force():
    """kernels.ends_within against the plain edit distance to every stretch of ref that ends in its last
    bases; ``ends`` up to twice the reference's length (all of it)."""
    import random


    rng = random.Random(4)
    for _ in range(300):
        ref = "".join(rng.choice("ACGT") for _ in range(rng.randint(0, 30)))
        seq = "".join(rng.choice("ACGT") for _ in range(rng.randint(1, 20)))
        if ref and rng.random() < 0.6:  # a mutated stretch of ref, so that some fit
            a = rng.randint(0, len(ref) - 1)
            seq = list(ref[a : a + rng.randint(1, 20)])
            for _ in range(rng.randint(0, 3)):
                if not seq:
                    break
                i = rng.randrange(len(seq))
                seq[i : i + 1] = rng.choice([[], [rng.choice("ACGT")], [seq[i], rng.choice("ACGT")]])
            seq = "".join(seq) or "A"
        ends, cap = rng.randint(1, max(7, 2 * len(ref) + 2)), rng.randint(0, 4)
        brute = any(twin_edit_distance(seq, ref[s:e], cap) <= cap
                    for e in range(max(0, len(ref) + 1 - ends), len(ref) + 1) for s in range(e + 1))
        assert kernels.ends_within(seq, ref, ends, cap) == brute, (seq, ref, ends, cap)
    assert kernels.ends_within("", "ACGT", 1, 0) and not kernels.ends_within("A", "", 1, 0) and kernels.ends_within("A", "", 1, 1)
    with pytest.raises(ValueError):
        kernels.ends_within("A", "A", 0, 1)


def twin_end_edits(seq: str, ref: str) -> list[int]:
    """Per end position of ref, the least plain edit distance of seq to any stretch of ref ending there."""
    return [min(twin_edit_distance(seq, ref[s:e], 10 ** 6) for s in range(e + 1)) for e in range(len(ref) + 1)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ACGT", min_size=1, max_size=12), st.text(alphabet="ACGTN", max_size=30), st.integers(0, 4))
def test_end_edits_matches_twin(seq, ref, cap):
    """Every end position at once; empty exactly when no end is within the cap (ends_within says so too)."""
    row = kernels.end_edits(seq, ref, cap)
    twin = twin_end_edits(seq, ref)
    if min(twin) > cap:
        assert len(row) == 0
    else:
        assert list(row) == twin
    assert [len(row) > 0 and row[p] <= cap for p in range(len(ref) + 1)] == [
        kernels.ends_within(seq, ref[:p], 1, cap) for p in range(len(ref) + 1)]


# --- an adapter placed with a mismatch per 10 --------------------------------------------------------------
def twin_approx_end(read: str, adapter: str, min_shown: int) -> int:
    n = len(adapter)
    padded = "\0" * n + read + "\0" * n
    best = 0
    for w in range(len(read) + n + 1):  # the adapter ends at read position w
        window = padded[w : w + n]
        shown = [(x, y) for x, y in zip(window, adapter) if x != "\0"]
        if len(shown) >= min_shown and sum(x != y for x, y in shown) <= len(shown) // 10:
            best = w
    return best


def _codes(s: str) -> np.ndarray:
    return np.frombuffer(s.encode(), np.uint8)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ACGTN", max_size=60), st.text(alphabet="ACGT", min_size=1, max_size=35),
       st.integers(1, 14), st.data())
def test_approx_end_matches_twin(read, adapter, min_shown, data):
    if data.draw(st.booleans()):  # a piece of the adapter with errors, so that some placements fit
        a, b = sorted(data.draw(st.tuples(st.integers(0, len(adapter)), st.integers(0, len(adapter)))))
        piece = list(adapter[a:b])
        for i in data.draw(st.lists(st.integers(0, max(0, len(piece) - 1)), max_size=3)):
            if piece:
                piece[i] = "A" if piece[i] != "A" else "C"
        cut = data.draw(st.integers(0, len(read)))
        read = read[:cut] + "".join(piece) + read[cut:]
    assert kernels.approx_end(_codes(read), _codes(adapter), min_shown) == twin_approx_end(read, adapter, min_shown)


def test_approx_end_edges():
    adapter = "ACACTCTTTCCCTACACGACGCTCTTCCGATCT"
    assert kernels.approx_end(_codes(""), _codes(adapter), 12) == 0
    assert kernels.approx_end(_codes(adapter), _codes(adapter), 12) == len(adapter)
    assert kernels.approx_end(_codes(adapter[-12:] + "GGTA"), _codes(adapter), 12) == 12  # its end at the read's start
    assert kernels.approx_end(_codes(adapter[-11:] + "GGTA"), _codes(adapter), 12) == 0  # too few shown
    assert kernels.approx_end(_codes("TTTT" + adapter[:14]), _codes(adapter), 12) == 4 + len(adapter)  # past the end
    with pytest.raises(ValueError):
        kernels.approx_end(np.zeros(5, np.int64), _codes(adapter), 12)


# --- a fragment shorter than its reads, from the two reads alone -------------------------------------------
def twin_mate_overlap(read1: str, read2: str, min_overlap: int, per: int) -> int:
    """Try every fragment length n shorter than the longer read, longest first: the fragment's bases as read 1
    gives them (its first n) and as read 2 gives them (reverse complement of its first n), compared where
    both reads reach."""
    for n in range(max(len(read1), len(read2)) - 1, 0, -1):
        from1 = {f: read1[f] for f in range(min(n, len(read1)))}
        back = revcomp(read2[:n])  # read 2 covers the fragment's last min(n, len(read2)) bases
        from2 = {n - len(back) + t: b for t, b in enumerate(back)}
        both = sorted(set(from1) & set(from2))
        wrong = sum(from1[f] != from2[f] or from1[f] == "N" for f in both)
        if len(both) >= min_overlap and wrong <= len(both) // per:
            return n
    return 0


def _pair_of(fragment: str, length1: int, length2: int, tail: str) -> tuple[str, str]:
    """Reads of ``fragment`` from both ends, running past it into ``tail`` (as adapter)."""
    return (fragment + tail)[:length1], (revcomp(fragment) + tail[::-1])[:length2]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ACGT", min_size=1, max_size=80), st.text(alphabet="ACGTN", min_size=60, max_size=60),
       st.integers(1, 90), st.integers(1, 90), st.integers(1, 25), st.integers(1, 12),
       st.lists(st.tuples(st.booleans(), st.integers(0, 89)), max_size=6), st.booleans())
def test_mate_overlap_matches_twin(fragment, tail, length1, length2, min_overlap, per, errors, unrelated):
    read1, read2 = _pair_of(fragment, length1, length2, tail)
    if unrelated:  # two reads of nothing in common
        read2 = (tail + fragment)[:length2]
    for first, i in errors:  # read errors, N included
        read = read1 if first else read2
        if i < len(read):
            read = read[:i] + "ACGTN"[("ACGTN".index(read[i]) + 1 + i % 4) % 5] + read[i + 1:]
        read1, read2 = (read, read2) if first else (read1, read)
    got = kernels.mate_overlap(_codes(read1), _codes(revcomp(read2)), min_overlap, per)
    assert got == twin_mate_overlap(read1, read2, min_overlap, per)


def test_mate_overlap_edges():
    rng = np.random.default_rng(5)
    fragment = "".join(rng.choice(list("ACGT"), 60))
    tail = "".join(rng.choice(list("ACGT"), 100))
    for n1, n2 in ((100, 100), (100, 70), (61, 100), (100, 45)):  # a read as long as the fragment, or shorter
        r1, r2 = _pair_of(fragment, n1, n2, tail)
        assert kernels.mate_overlap(_codes(r1), _codes(revcomp(r2)), 20, 10) == 60
    r1, r2 = _pair_of(fragment, 60, 60, tail)  # reads end where the fragment ends: nothing read past it
    assert kernels.mate_overlap(_codes(r1), _codes(revcomp(r2)), 20, 10) == 0
    r1, r2 = _pair_of(fragment[:19], 100, 100, tail)  # overlap below min_overlap
    assert kernels.mate_overlap(_codes(r1), _codes(revcomp(r2)), 20, 10) == 0
    r1, r2 = _pair_of(fragment, 100, 100, tail)
    bad = "".join("A" if i in (3, 17, 40, 55, 58, 59, 61) and b != "A" else ("C" if i in (3, 17, 40, 55, 58, 59)
                  else b) for i, b in enumerate(r1))  # 6 of 60 overlapping bases wrong: one per 10, allowed
    assert kernels.mate_overlap(_codes(bad), _codes(revcomp(r2)), 20, 10) == 60
    worse = bad[:10] + ("A" if bad[10] != "A" else "C") + bad[11:]  # a 7th
    assert kernels.mate_overlap(_codes(worse), _codes(revcomp(r2)), 20, 10) != 60
    n_read = "N" * 100
    assert kernels.mate_overlap(_codes(n_read), _codes(n_read), 1, 10) == 0  # N agrees with nothing
    assert kernels.mate_overlap(_codes(""), _codes(""), 1, 10) == 0
    with pytest.raises(ValueError):
        kernels.mate_overlap(np.zeros(5, np.int64), _codes("ACGT"), 20, 10)
    with pytest.raises(ValueError):
        kernels.mate_overlap(_codes("ACGT"), _codes("ACGT"), 0, 10)


def twin_mate_overlap_indel(read1: str, read2: str, min_overlap: int, per: int, seed: int) -> tuple[int, int]:
    """Every pair of fragment lengths as the two reads show them (n1 of read 1, n2 of read 2, one apart),
    every place of the extra base: the fragment as read 1 gives it against read 2's reverse complement."""
    back = revcomp(read2)
    la, lb = len(read1), len(back)
    found = []
    for n1 in range(1, la + 1):
        for n2 in (n1 - 1, n1 + 1):
            if not 1 <= n2 <= lb or (n1 == la and n2 == lb) or min(n1, n2) < min_overlap:
                continue
            seeded = (len(read1) >= seed and back[lb - n2 : lb - n2 + seed] == read1[:seed]) or (
                len(back) >= seed and n1 >= seed and read1[n1 - seed : n1] == back[lb - seed :])
            if not seeded:
                continue
            one, two = read1[:n1], back[lb - n2 :]
            costs = []  # not the base next to what lies past the fragment: read 1's last, read 2's first
            for p in range(n1 - 1) if n1 > n2 else range(1, n1 + 1):
                if n1 > n2:  # read 1's base p is the extra one
                    pairs = list(zip(one[:p], two[:p])) + list(zip(one[p + 1 :], two[p:]))
                else:  # read 2's base p (reversed) is
                    pairs = list(zip(one[:p], two[:p])) + list(zip(one[p:], two[p + 1 :]))
                costs.append(sum(x != y or x == "N" for x, y in pairs))
            if not costs:
                continue
            cost = 1 + min(costs)
            if cost <= min(n1, n2) // per:
                found.append((cost, n1 + n2, n1, n1, n2))
    return min(found)[3:] if found else (0, 0)


def _indel(read: str, at: int, gain: bool) -> str:
    return read[:at] + "T" + read[at:] if gain else read[:at] + read[at + 1 :]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ACGT", min_size=1, max_size=70), st.text(alphabet="ACGT", min_size=60, max_size=60),
       st.integers(10, 80), st.integers(10, 80), st.integers(1, 25), st.integers(1, 12), st.integers(4, 14),
       st.booleans(), st.integers(0, 79), st.booleans(), st.lists(st.integers(0, 79), max_size=3))
def test_mate_overlap_indel_matches_twin(fragment, tail, length1, length2, min_overlap, per, seed, first, at,
                                         gain, errors):
    read1, read2 = _pair_of(fragment, length1 + 1, length2 + 1, tail)
    read = read1 if first else read2
    read = _indel(read, min(at, len(read) - 1), gain)  # one read gains or loses a base
    read1, read2 = (read[:length1], read2[:length2]) if first else (read1[:length1], read[:length2])
    for i in errors:
        if i < len(read1):
            read1 = read1[:i] + "ACGTN"[("ACGTN".index(read1[i]) + 1 + i % 4) % 5] + read1[i + 1:]
    got = kernels.mate_overlap_indel(_codes(read1), _codes(revcomp(read2)), min_overlap, per, seed)
    assert got == twin_mate_overlap_indel(read1, read2, min_overlap, per, seed)


def test_mate_overlap_indel_edges():
    rng = np.random.default_rng(7)
    fragment = "".join(rng.choice(list("ACGT"), 80))
    tail = "".join(rng.choice(list("ACGT"), 100))
    r1, r2 = _pair_of(fragment, 100, 100, tail)
    for at in (3, 40, 70, 78):  # read 1 gains a base in the fragment: its 81 bases, read 2's 80
        g = _indel(r1, at, True)[:100]
        assert kernels.mate_overlap_indel(_codes(g), _codes(revcomp(r2)), 20, 10) == (81, 80), at
        if at == 40:  # near an end the shift is a few mismatches on one diagonal; in the middle, no diagonal
            assert kernels.mate_overlap(_codes(g), _codes(revcomp(r2)), 20, 10) == 0
    lost = _indel(r2, 30, False) + "A"  # read 2 loses one
    assert kernels.mate_overlap_indel(_codes(r1), _codes(revcomp(lost)), 20, 10) == (80, 79)
    r1, r2 = _pair_of(fragment, 80, 100, tail)  # read 1 ends where the fragment does, read 2 runs past it
    assert kernels.mate_overlap_indel(_codes(r1), _codes(revcomp(_indel(r2, 30, True)[:100])), 20, 10) == (80, 81)
    long1, long2 = _pair_of(fragment + tail, 100, 100, "")  # a fragment longer than both reads
    assert kernels.mate_overlap_indel(_codes(long1), _codes(revcomp(long2)), 20, 10) == (0, 0)
    assert kernels.mate_overlap_indel(_codes("ACGT"), _codes("ACGT"), 1, 10) == (0, 0)  # shorter than a seed
    with pytest.raises(ValueError):
        kernels.mate_overlap_indel(_codes("ACGT"), _codes("ACGT"), 20, 0)


# --- reads starting with one of a few sequences -------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="ACGTN", max_size=34), min_size=1, max_size=10),
       st.sampled_from([(1, 3), (10, 18), (10, 29)]), st.data())
def test_starts_with_any_matches_twin(reads, bounds, data):
    lo, hi = bounds
    heads = [r[:n] for r in reads for n in range(lo, hi + 1) if len(r) >= n and "N" not in r[:n]]
    chosen = set(data.draw(st.lists(st.sampled_from(heads), max_size=3)) if heads else []) | {"A" * lo}
    buf, starts, lens = _batch(reads)
    got = kernels.starts_with_any(buf, starts, lens, kernels.prefix_keys(sorted(chosen)), lo, hi)
    assert list(got) == [any(r.startswith(p) for p in chosen) for r in reads]


def test_prefix_keys_refuse_what_a_key_cannot_hold():
    """29 bases fill a key's 58 bits; a 30th would spill into the length bits and look like another key."""
    assert len(kernels.prefix_keys(["A" * 29, "T" * 29])) == 2
    with pytest.raises(ValueError):
        kernels.prefix_keys(["A" * 30])


# --- seed diagonals of a read against a junction sequence ---------------------------------------------------
def twin_seed_diagonals(read: str, seq: str, k: int, top: int) -> list[int]:
    votes: dict[int, int] = {}
    for i in range(len(read) - k + 1):
        kmer = read[i : i + k].upper()
        if not all(b in "ACGT" for b in kmer):
            continue
        for p in range(len(seq) - k + 1):
            if seq[p : p + k].upper() == kmer:
                votes[p - i] = votes.get(p - i, 0) + 1
    return [d for d, _ in sorted(votes.items(), key=lambda x: (-x[1], x[0]))[:top]]


def _seed_table(seq: str, k: int):
    keys, valid = kernels.kmer_keys(kernels.encode(seq), k)
    pos = np.flatnonzero(valid)
    order = np.argsort(keys[pos], kind="stable")
    return keys[pos][order], pos[order]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ACGTN", max_size=60), st.text(alphabet="ACGTN", max_size=150), st.integers(2, 8),
       st.integers(1, 5), st.data())
def test_seed_diagonals_match_twin(read, seq, k, top, data):
    if data.draw(st.booleans()) and len(seq) > 10:  # a read taken from the sequence, so that seeds hit
        a = data.draw(st.integers(0, len(seq) - 5))
        read = seq[a : a + data.draw(st.integers(5, 60))] + read[:10]
    tk, tp = _seed_table(seq, k)
    keys, valid = kernels.kmer_keys(kernels.encode(read), k)
    got = kernels.seed_diagonals(keys, valid, tk, tp, len(seq), top)
    assert list(got) == twin_seed_diagonals(read, seq, k, top)


def test_seed_diagonals_edge_cases():
    tk, tp = _seed_table("ACGTACGTAC" * 3, 4)
    empty = np.zeros(0, dtype=np.uint64)
    assert len(kernels.seed_diagonals(empty, np.zeros(0, dtype=bool), tk, tp, 30)) == 0  # empty read
    keys, valid = kernels.kmer_keys(kernels.encode("TTTTTTTT"), 4)
    assert len(kernels.seed_diagonals(keys, valid, tk, tp, 30)) == 0  # no seed hits
    assert len(kernels.seed_diagonals(keys, valid, empty, np.zeros(0, dtype=np.int64), 0)) == 0  # empty table
    tk, tp = _seed_table("ACGT" * 8, 4)
    keys, valid = kernels.kmer_keys(kernels.encode("ACGTACGT"), 4)
    assert list(kernels.seed_diagonals(keys, valid, tk, tp, 32, 3)) == [0, 4, 8]  # repeats: ties smallest first


# --- partner tails: reads that run from an exon end into other bases ---------------------------------------
def twin_partner_tails(read: str, probes: list[tuple[str, list[str]]], k: int, tail: int, min_diff: int):
    """(end in the fusion-sense read, probe row, reverse) of the first probe k-mer (scanning k-mers by their
    last base, forward strand before reverse) followed by ``tail`` bases unlike every continuation."""
    row_of = {p: r for r, (p, _) in enumerate(probes)}

    def differs(t, row):  # an N in the read agrees; a base past the continuation's end differs
        return all(sum(a in "ACGT" and (j >= len(c) or a != c[j]) for j, a in enumerate(t)) >= min_diff
                   for c in probes[row][1])

    up = read.upper()
    for p in range(k - 1, len(up)):
        kmer = up[p - k + 1 : p + 1]
        if not set(kmer) <= set("ACGT"):
            continue
        if kmer in row_of and p + 1 + tail <= len(up) and differs(up[p + 1 : p + 1 + tail], row_of[kmer]):
            return p + 1, row_of[kmer], False
        first = p - k + 1
        rk = revcomp(kmer)
        if rk in row_of and first - tail >= 0 and differs(revcomp(up[first - tail : first]), row_of[rk]):
            return len(up) - first, row_of[rk], True
    return -1, -1, False


def _tail_inputs(probes: list[tuple[str, list[str]]], k: int, tail: int):
    """kernels.scan_reads_tails tail arguments for (sense k-mer, continuations) probes (distinct k-mers)."""
    order = sorted(range(len(probes)), key=lambda r: twin_key_of(probes[r][0]))
    keys = np.array([twin_key_of(probes[r][0]) for r in order], dtype=np.uint64)
    rows = np.array(order, dtype=np.int64)
    width = max([len(c) for _, c in probes] + [1])
    conts = np.full((len(probes), width, tail), 4, dtype=np.uint8)
    for r, (_, cs) in enumerate(probes):
        for i, c in enumerate(cs):
            conts[r, i, : len(c)] = kernels.encode(c)
    return keys, rows, kernels.tail_prefilter(keys, k), conts, np.array([len(c) for _, c in probes], dtype=np.int64)


def _run_tails(reads, probes, k, tail, min_diff):
    buf, starts, lens = _batch(reads)
    keys, rows, words, conts, n = _tail_inputs(probes, k, tail)
    table, bits = kernels.build_table(np.zeros(0, dtype=np.uint64))  # tails alone: no k-mers to count
    _, end, row, rev = kernels.scan_reads_tails(buf, starts, lens, table, bits, k,
                                                kernels.scan_prefilter(table, bits, k, extra=keys), keys, rows, words,
                                                conts, n, tail, min_diff)
    return [(int(a), int(b), bool(c)) for a, b, c in zip(end, row, rev)]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([5, 9, 19]), st.sampled_from([4, 12]), st.integers(1, 4))
def test_partner_tails_match_twin(seed, k, tail, min_diff):
    rng = np.random.default_rng(seed)

    def rand(n, alphabet="ACGT"):
        return "".join(rng.choice(list(alphabet), n))

    probes = {}
    for _ in range(int(rng.integers(1, 5))):
        probes.setdefault(rand(k), [rand(int(rng.integers(tail - 2, tail + 1))) for _ in range(rng.integers(1, 3))])
    probes = sorted(probes.items())
    reads = []
    for _ in range(8):  # a probe, then a continuation with a few changes or random bases, on either strand
        kmer, conts = probes[int(rng.integers(len(probes)))]
        after = list(conts[0] + rand(tail)) if rng.random() < 0.5 else list(rand(tail + 5))
        for i in rng.integers(0, len(after), int(rng.integers(0, 4))):
            after[i] = rng.choice(list("ACGTNa"))
        read = rand(int(rng.integers(0, 20))) + kmer + "".join(after)[: int(rng.integers(0, tail + 6))]
        reads.append(revcomp(read) if rng.random() < 0.5 else read)
    reads += [rand(int(rng.integers(0, 60)), "ACGTN") for _ in range(3)]
    assert _run_tails(reads, probes, k, tail, min_diff) == [twin_partner_tails(r, probes, k, tail, min_diff)
                                                            for r in reads]


def test_partner_tails_edges():
    k, tail = 9, 6
    probe, cont, short = "ACGTTGCAG", "CCCTTT", "TTGACCAGT"
    probes = [(probe, [cont])]
    reads = [
        "GG" + probe + "AAAGGG",        # 5 of 6 differ: a tail ending at the read's end
        "GG" + probe + "AAAGG",         # one base short of a tail
        "GG" + probe + cont,            # reads on as the transcript
        "GG" + probe + "CCCTAA",        # two differences: below min_diff 3
        revcomp("GG" + probe + "AAAGGG"),  # the reverse strand: the same tail
        "GG" + probe + "NNNNNN",        # N agrees with everything
        "",
        "GG" + short + "CAAGGG",        # an isoform ends one base after the exon: 5 bases past it differ
        "GG" + short + "CNNNNG",        # ... but read Ns still agree: one difference
    ]
    probes.append((short, ["C"]))
    got = _run_tails(reads, probes, k, tail, 3)
    assert got == [(11, 0, False), (-1, -1, False), (-1, -1, False), (-1, -1, False), (11, 0, True),
                   (-1, -1, False), (-1, -1, False), (11, 1, False), (-1, -1, False)]
    assert got == [twin_partner_tails(r, probes, k, tail, 3) for r in reads]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([5, 9, 19]), st.sampled_from([4, 12]))
def test_scan_reads_tails_counts_and_finds_tails_at_once(seed, k, tail):
    """With k-mers to count and tails to find in the same reads: the hit counts of scan_reads' twin and the
    first tail of the tails' twin."""
    rng = np.random.default_rng(seed)

    def rand(n):
        return "".join(rng.choice(list("ACGT"), n))

    probes = sorted({rand(k): [rand(tail)] for _ in range(3)}.items())
    reads = []
    for _ in range(10):
        kmer, _ = probes[int(rng.integers(len(probes)))]
        read = rand(int(rng.integers(0, 30))) + kmer + rand(int(rng.integers(0, tail + 20)))
        reads.append(revcomp(read) if rng.random() < 0.5 else read)
    members = {min(twin_key_of(r[i : i + k]), twin_key_of(revcomp(r[i : i + k])))
               for r in reads for i in range(0, max(0, len(r) - k + 1), 4)}
    table, bits = kernels.build_table(np.array(sorted(members), dtype=np.uint64))
    keys, rows, words, conts, n = _tail_inputs(probes, k, tail)
    buf, starts, lens = _batch(reads)
    hits, end, row, rev = kernels.scan_reads_tails(buf, starts, lens, table, bits, k,
                                                   kernels.scan_prefilter(table, bits, k, extra=keys), keys, rows,
                                                   words, conts, n, tail, 3)
    assert list(hits) == [twin_scan(r, members, k, 1) for r in reads]
    assert [(int(a), int(b), bool(c)) for a, b, c in zip(end, row, rev)] == [
        twin_partner_tails(r, probes, k, tail, 3) for r in reads]
