"""The model that places junctions seen only in spanning pairs: fragment-length likelihood and its norm."""

import math

import pytest

from alkfuse.caller import NOVEL_BASE, TAIL_MATCH, TAIL_MISMATCH, FragmentModel, _tail_fit
from alkfuse.evidence import FRAGMENT_BIN, FRAGMENT_BINS


def twin_support(length: int, insert: int, anchor: int) -> int:
    """Junction offsets in a fragment of ``length`` at which it holds ``anchor`` bases of each gene."""
    return sum(1 for x in range(length + 1) if x >= anchor and length - insert - x >= anchor)


def one_bin(length: int) -> FragmentModel:
    counts = [0] * FRAGMENT_BINS
    counts[length // FRAGMENT_BIN] = 1000
    return FragmentModel(counts)


@pytest.mark.parametrize("insert", [0, 33, 61, 117, 400])
def test_support_norm_matches_brute_force(insert):
    lengths = (205, 255, 355)
    counts = [0] * FRAGMENT_BINS
    for L in lengths:
        counts[L // FRAGMENT_BIN] = 1000
    model = FragmentModel(counts)
    expect = sum(math.exp(model.logp[L // FRAGMENT_BIN]) * twin_support(L, insert, 19)
                 for L in range(FRAGMENT_BIN // 2, FRAGMENT_BINS * FRAGMENT_BIN, FRAGMENT_BIN))
    assert model.support_norm(insert) == pytest.approx(math.log(expect) if expect else -50.0)


def test_long_insert_makes_evidence_rarer():
    model = one_bin(255)
    assert model.support_norm(117) < model.support_norm(0)
    assert model(255) > model(405) and model(-5) < model(2000)


def test_tail_fit_weighs_predicted_and_unseen_bases():
    pseq, aseq = "AAAACCCCGGGG", "TTTTGGGGCCCCAAAA"
    right = _tail_fit([(8, "GGGGTTTTGG")], pseq, 12, "", aseq, 0)  # rest of the exon, then ALK
    assert right == pytest.approx(10 * TAIL_MATCH)
    one_error = _tail_fit([(8, "GGGGTTATGG")], pseq, 12, "", aseq, 0)
    assert one_error == pytest.approx(9 * TAIL_MATCH + TAIL_MISMATCH)
    unseen = _tail_fit([(12, "ACGTACGTTT")], pseq, 12, "NNNNNNNN", aseq, 0)  # unknown insert, then ALK
    assert unseen == pytest.approx(8 * NOVEL_BASE + 2 * TAIL_MATCH)
    wrong = _tail_fit([(12, "ACGTACGTAC")], pseq, 12, "", aseq, 0)  # not ALK, and no insert
    assert wrong < unseen < one_error < right


def test_tail_overlapping_shown_insert_favours_its_length():
    """A partner mate's tail reads the first inserted bases; reads from the ALK side showed the last ones.
    The insert length at which they overlap and agree beats a longer one that leaves them unrelated."""
    pseq, aseq = "AAAACCCCGGGG", "TTTTGGGGCCCCAAAA"
    insert = "ACGTTGCAGTCAGGATCCAT"  # 20 bases: the tail shows 12, ALK-side reads the last 14
    tails = [(12, insert[:12])]
    fits = _tail_fit(tails, pseq, 12, "NNNNNN" + insert[6:], aseq, 0)
    longer = _tail_fit(tails, pseq, 12, "N" * 16 + insert[6:], aseq, 0)
    assert fits > longer
