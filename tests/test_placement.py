"""The model that places junctions seen only in spanning pairs: fragment-length likelihood and its norm."""

import math

import pytest

from alkfuse.caller import FragmentModel, _tail_fit
from alkfuse.evidence import FRAGMENT_BIN, FRAGMENT_BINS


def twin_support(length: int, read: int, insert: int, anchor: int) -> int:
    """Junction offsets in a fragment of ``length`` at which it is evidence: brute force over reads."""
    n = 0
    for x in range(1, length - insert):  # partner bases before the junction
        y = length - insert - x
        r1, r2 = (0, min(read, length)), (max(0, length - read), length)
        crossing = any(a <= x - anchor and b >= x + insert + anchor for a, b in (r1, r2))
        n += crossing or (x >= read and y >= read)
    return n


def one_bin(length: int) -> FragmentModel:
    counts = [0] * FRAGMENT_BINS
    counts[length // FRAGMENT_BIN] = 1000
    return FragmentModel(counts)


@pytest.mark.parametrize("read,insert", [(50, 0), (50, 33), (100, 0), (100, 117), (150, 61), (75, 200)])
def test_support_norm_matches_brute_force(read, insert):
    lengths = (205, 255, 355)
    counts = [0] * FRAGMENT_BINS
    for L in lengths:
        counts[L // FRAGMENT_BIN] = 1000
    model = FragmentModel(counts)
    expect = sum(math.exp(model.logp[L // FRAGMENT_BIN]) * twin_support(L, read, insert, 10)
                 for L in range(FRAGMENT_BIN // 2, FRAGMENT_BINS * FRAGMENT_BIN, FRAGMENT_BIN))
    assert model.support_norm(read, insert) == pytest.approx(math.log(expect) if expect else -50.0)


def test_long_insert_makes_evidence_rarer():
    model = one_bin(255)
    assert model.support_norm(100, 117) < model.support_norm(100, 0)
    assert model(255) > model(405) and model(-5) < model(2000)


def test_tail_fit_counts_only_contradicting_bases():
    pseq, aseq = "AAAACCCCGGGG", "TTTTGGGGCCCCAAAA"
    assert _tail_fit([(8, "GGGGTTTTGG")], pseq, 12, "", aseq, 0) == 0  # rest of the exon, then ALK
    assert _tail_fit([(12, "ACGTACGTTT")], pseq, 12, "NNNNNNNN", aseq, 0) == 0  # unknown insert: anything
    assert _tail_fit([(12, "ACGTACGTAC")], pseq, 12, "", aseq, 0) < 0  # not ALK, and no insert
