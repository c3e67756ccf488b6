"""Junction alignment: the gapped prefix kernel against its Python twin, and junction refinement."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from alkfuse.align import JunctionSeq, JunctionTable, coded_read, prefix_scores, refine_junction
from alkfuse.kernels import encode
from alkfuse.seq import revcomp


def twin_prefix_scores(read, ref, match=1, mismatch=2, gap=2):
    """Plain dynamic programming over the whole matrix."""
    n, m = len(read), len(ref)
    S = [[0] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        S[0][j] = -gap * j
    for i in range(1, n + 1):
        S[i][0] = -gap * i
        for j in range(1, m + 1):
            same = read[i - 1] == ref[j - 1] and read[i - 1] < 4
            S[i][j] = max(S[i - 1][j - 1] + (match if same else -mismatch), S[i - 1][j] - gap, S[i][j - 1] - gap)
    scores = [max(row) for row in S]
    ends = [row.index(max(row)) for row in S]
    return scores, ends, [row[m] for row in S]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ACGTN", max_size=40), st.text(alphabet="ACGTN", max_size=40))
def test_prefix_scores_match_twin(read, ref):
    score, end, whole = prefix_scores(encode(read), encode(ref))
    want_s, want_e, want_w = twin_prefix_scores(list(encode(read)), list(encode(ref)))
    assert list(score) == want_s
    assert list(end) == want_e
    assert list(whole) == want_w


def _rand(rng, n):
    return "".join(rng.choice(list("ACGT"), n))


def test_refine_finds_insert_between_sides():
    rng = np.random.default_rng(3)
    left, ins, right = _rand(rng, 60), _rand(rng, 25), _rand(rng, 60)
    read = left[10:] + ins + right[:40]
    # one insertion error on each side
    read = read[:20] + "A" + read[20:95] + "T" + read[95:]
    i, j, le, rs, _ = refine_junction(encode(read), encode(left[10:] + _rand(rng, 40)),
                                      encode(_rand(rng, 40) + right[:40]))
    assert abs(le - 50) <= 1 and abs(rs - 40) <= 1  # a chance match may shift a side by one base
    assert abs((j - i) - 25) <= 1


def test_junction_seq_alignment_anchors():
    rng = np.random.default_rng(5)
    left, right = _rand(rng, 200), _rand(rng, 200)
    js = JunctionSeq(left, "", right)
    hit = js.align(left[-30:] + right[:70])
    assert (hit.anchor5, hit.anchor3, hit.mismatches) == (30, 70, 0)
    assert js.align(right[:100]) is None  # does not cross the junction


def _crossable_slow(seqs, reads, anchor):
    """Every seed a read shares with every junction sequence, one by one: the junctions where one lies on a
    diagonal that leaves ``anchor`` read bases each side of the junction (twin of JunctionTable.crossable)."""
    out = set()
    for n, js in enumerate(seqs):
        kmers = {}
        for p in range(len(js.seq) - 10):
            kmers.setdefault(js.seq[p : p + 11], []).append(p)
        for read in reads:
            for i in range(len(read) - 10):
                for p in kmers.get(read[i : i + 11], ()):
                    d = p - i
                    first, last = max(0, -d) + d, min(len(read), len(js.seq) - d) + d
                    if js.j5 - first >= anchor and last - js.j3 >= anchor:
                        out.add(n)
    return sorted(out)


def test_junction_table_finds_what_the_slow_loop_finds_and_nothing_align_would_place():
    """Junctions sharing one ALK side (as dozens of weak junctions at a strong fusion's ALK start do), reads
    from them with errors, from the ALK side alone, from a partner alone, shifted and reversed: the table
    gives the junctions the slow loop gives, and every junction it leaves out gives no placement with
    ``anchor`` bases each side."""
    rng = np.random.default_rng(11)
    alk = _rand(rng, 150)
    seqs = [JunctionSeq(_rand(rng, 120), _rand(rng, int(rng.integers(0, 30))), alk) for _ in range(12)]
    seqs.append(JunctionSeq(seqs[0].left[-60:], "", alk))  # a shorter left side of the same partner
    table = JunctionTable(seqs)
    for _ in range(120):
        js = seqs[int(rng.integers(len(seqs)))]
        length = int(rng.integers(30, 120))
        start = int(rng.integers(0, len(js.seq) - length + 1))
        read = list(js.seq[start : start + length])
        for p in rng.integers(0, length, int(rng.integers(0, 4))):
            read[p] = "ACGT"[("ACGT".index(read[p]) + 1) % 4]
        read = "".join(read)
        if rng.random() < 0.3:
            read = _rand(rng, 12) + read
        reads = [read, revcomp(read)]
        for anchor in (1, 8, 10, 15):
            got = table.crossable([coded_read(r) for r in reads], anchor)
            assert got == _crossable_slow(seqs, reads, anchor)
            for n in set(range(len(seqs))) - set(got):
                for r in reads:
                    h = seqs[n].align(r)
                    assert h is None or min(h.anchor5, h.anchor3) < anchor
    assert JunctionTable([]).crossable([coded_read("ACGT" * 10)], 10) == []
