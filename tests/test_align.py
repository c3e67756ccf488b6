"""Junction alignment: the gapped prefix kernel against its Python twin, and junction refinement."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from alkfuse.align import JunctionSeq, prefix_scores, refine_junction
from alkfuse.kernels import encode


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
    return scores, ends


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ACGTN", max_size=40), st.text(alphabet="ACGTN", max_size=40))
def test_prefix_scores_match_twin(read, ref):
    score, end = prefix_scores(encode(read), encode(ref))
    want_s, want_e = twin_prefix_scores(list(encode(read)), list(encode(ref)))
    assert list(score) == want_s
    assert list(end) == want_e


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
