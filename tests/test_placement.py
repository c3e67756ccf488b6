"""The model that places junctions seen only in spanning pairs: fragment-length likelihood and its norm."""

import math

import numpy as np
import pytest

from alkfuse.caller import NOVEL_BASE, TAIL_MATCH, TAIL_MISMATCH, CallParams, FragmentModel, _tail_fit, fragment_limit
from alkfuse.evidence import FRAGMENT_BIN, FRAGMENT_BINS, Stats


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


def _tail_fit_slow(tails, pseq, end5, insert, aseq, start3):
    """The base-by-base sum (twin of caller._tail_fit, which counts with numpy)."""
    cost = 0.0
    for end5p, tail in tails:
        expect = (pseq[end5p:end5] + insert + aseq[start3 : start3 + len(tail)])[: len(tail)]
        for a, b in zip(tail, expect):
            cost += NOVEL_BASE if b == "N" else TAIL_MATCH if a == b else TAIL_MISMATCH
    return cost


def test_tail_fit_matches_the_base_by_base_sum():
    """Random exons, inserts with unseen bases, tails longer than what the hypothesis predicts (ALK ends)."""
    rng = np.random.default_rng(5)

    def rand(k, alphabet="ACGT"):
        return "".join(rng.choice(list(alphabet), k))

    for _ in range(300):
        pseq, aseq = rand(int(rng.integers(20, 80))), rand(int(rng.integers(0, 60)))
        end5 = int(rng.integers(0, len(pseq) + 1))
        insert = rand(int(rng.integers(0, 20)), "ACGTN")
        start3 = int(rng.integers(0, len(aseq) + 1))
        tails = [(int(rng.integers(0, end5 + 1)), rand(int(rng.integers(0, 120)))) for _ in range(3)]
        assert _tail_fit(tails, pseq, end5, insert, aseq, start3) == pytest.approx(
            _tail_fit_slow(tails, pseq, end5, insert, aseq, start3))


def test_tail_block_fits_match_the_slow_sums():
    """One TailBlock (tails at several ends, of any length, empty ones too) fitted to many hypotheses gives
    what the base-by-base twin gives per tail: ``_tail_fit`` sums every tail, ``_partner_tail_fit`` only
    the tails at the hypothesis' end, each weighed against being another molecule."""
    from alkfuse.caller import TAIL_FROM_FUSION, TailBlock, _partner_tail_fit

    rng = np.random.default_rng(11)

    def rand(k, alphabet="ACGT"):
        return "".join(rng.choice(list(alphabet), k))

    for _ in range(100):
        pseq, aseq = rand(int(rng.integers(20, 80))), rand(int(rng.integers(0, 60)))
        ends = sorted({int(rng.integers(0, len(pseq) + 1)) for _ in range(3)})
        tails = [(ends[int(rng.integers(0, len(ends)))], rand(int(rng.integers(0, 90))))
                 for _ in range(int(rng.integers(1, 12)))]
        block = TailBlock(tails)
        for _ in range(5):
            end5 = ends[int(rng.integers(0, len(ends)))]
            insert = rand(int(rng.integers(0, 20)), "ACGTN")
            start3 = int(rng.integers(0, len(aseq) + 1))
            assert _tail_fit(block, pseq, end5, insert, aseq, start3) == pytest.approx(
                _tail_fit_slow(tails, pseq, end5, insert, aseq, start3))
            slow = 0.0
            for e, tail in tails:
                if e == end5:
                    other = NOVEL_BASE * len(tail)
                    fit = _tail_fit_slow([(e, tail)], pseq, end5, insert, aseq, start3)
                    slow += math.log(TAIL_FROM_FUSION * math.exp(fit) + (1 - TAIL_FROM_FUSION) * math.exp(other)) \
                        - other
            assert _partner_tail_fit(block, pseq, end5, insert, aseq, start3) == pytest.approx(slow)


def test_tail_overlapping_shown_insert_favours_its_length():
    """A partner mate's tail reads the first inserted bases; reads from the ALK side showed the last ones.
    The insert length at which they overlap and agree beats a longer one that leaves them unrelated."""
    pseq, aseq = "AAAACCCCGGGG", "TTTTGGGGCCCCAAAA"
    insert = "ACGTTGCAGTCAGGATCCAT"  # 20 bases: the tail shows 12, ALK-side reads the last 14
    tails = [(12, insert[:12])]
    fits = _tail_fit(tails, pseq, 12, "NNNNNN" + insert[6:], aseq, 0)
    longer = _tail_fit(tails, pseq, 12, "N" * 16 + insert[6:], aseq, 0)
    assert fits > longer


def test_partner_tails_weigh_only_where_they_line_up():
    """Partner tails (reads of fragments without ALK that run from the exon end on): no weight on unseen
    inserted bases (N) or at another exon end; a tail that overlaps the bases ALK-side reads show favours
    the insert length that lines them up (v8a's 30 bases against v8b's 61); a tail that contradicts them
    costs at most log 2 (it may be another molecule)."""
    from alkfuse.caller import TAIL_FROM_FUSION, _partner_tail_fit

    pseq, aseq = "AAAACCCCGGGG", "TTTTGGGGCCCCAAAA"
    insert = "ACGTTGCAGTCAGGATCCATGCAAGTCCTA"  # 30 bases; ALK-side reads showed the last 12
    shown30, shown61 = "N" * 18 + insert[18:], "N" * 49 + insert[18:]
    tail = insert[:24]
    assert _partner_tail_fit([(12, tail)], pseq, 12, "N" * 30, aseq, 0) == pytest.approx(0.0)
    assert _partner_tail_fit([(8, tail)], pseq, 12, shown30, aseq, 0) == 0.0
    right = _partner_tail_fit([(12, tail)], pseq, 12, shown30, aseq, 0)
    assert right > 6 * math.log(3) and _partner_tail_fit([(12, tail)], pseq, 12, shown61, aseq, 0) == \
        pytest.approx(0.0)
    wrong = _partner_tail_fit([(12, "T" * 24)], pseq, 12, shown30, aseq, 0)
    assert math.log(1 - TAIL_FROM_FUSION) - 1e-9 <= wrong < 0


def test_fill_insert_takes_the_majority_of_fitting_tails():
    from alkfuse.caller import _fill_insert

    pseq, aseq = "AAAACCCCGGGG", "TTTTGGGGCCCCAAAA"
    insert = "ACGTTGCAGTCAGGATCCATGCAAGTCCTA"
    shown = "N" * 18 + insert[18:]
    tails = [(12, insert[:24]), (12, insert[:20] + "G" + insert[21:26]), (12, insert[:22]), (8, "C" * 20)]
    assert _fill_insert(shown, tails, pseq, 12, aseq, 0) == insert
    assert _fill_insert(shown, [(8, insert[:24])], pseq, 12, aseq, 0) == shown  # another exon end
    assert _fill_insert(insert, tails, pseq, 12, aseq, 0) == insert


def test_fill_insert_from_the_calls_own_mates_needs_two_that_agree():
    """Partner mates of the call's own pairs that read from the exon end into unseen inserted bases fill
    them (as partner tails there could not: lying on N alone, they fit no better than chance); a base one
    mate alone shows, or two show two ways, stays N."""
    from alkfuse.caller import _fill_insert

    pseq, aseq = "AAAACCCCGGGG", "TTTTGGGGCCCCAAAA"
    insert = "ACGTTGCAGTCAGGATCCATGCAAGTCCTAGCTAGG"
    shown = "N" * 30 + insert[30:]
    mates = [(12, insert[:20]), (12, insert[:14]), (12, insert[:10] + "T" + insert[11:18]), (12, insert[:6])]
    assert _fill_insert(shown, mates, pseq, 12, aseq, 0) == shown  # not partner tails that fit
    filled = _fill_insert(shown, mates, pseq, 12, aseq, 0, min_votes=2, own=True)
    # bases 0-17: two or more agree (base 10: two against one); 18-19: one mate alone
    assert filled == insert[:18] + "NN" + "N" * 10 + insert[30:]
    assert _fill_insert(shown, [(12, "TTTT"), (12, "GGGG")], pseq, 12, aseq, 0, min_votes=2, own=True) == shown


def test_join_tail_links_an_unknown_part_to_its_partner():
    """An unknown 5' part (inserted bases before ALK) whose start is the end of a partner tail joins that
    partner's exon end, the tail's bases before the overlap becoming the first inserted bases; 15 bases
    of overlap are too few, a low-complexity overlap does not count."""
    from types import SimpleNamespace

    from alkfuse.caller import TAIL_OVERLAP, _join_tail, _tail_seeds

    index = SimpleNamespace(canonical={"EML4": SimpleNamespace(idx=3), "NPM1": SimpleNamespace(idx=5)})
    insert = "GATTACAGGCTTACCGTAGCATGCATCGGATCAAGTCTTGCAG"
    unknown = insert[20:]
    tails = {"EML4": [(400, insert[: 20 + TAIL_OVERLAP])], "NPM1": [(90, "CCGTAGGATTTTGACC")]}
    assert _join_tail([unknown], _tail_seeds(tails), index) == (TAIL_OVERLAP, "EML4", 3, 400, insert)
    long_insert = insert + "TTGACCATGGCAAGT"
    one_error = long_insert[20:23] + "T" + long_insert[24:]  # an error 3 bases into the unknown part
    longer = {"EML4": [(400, long_insert[:44])]}  # 24 bases of overlap: one error allowed, seeded further in
    assert long_insert[23] != "T"
    assert _join_tail([one_error], _tail_seeds(longer), index) == (24, "EML4", 3, 400, long_insert[:20] + one_error)
    assert _join_tail([unknown], _tail_seeds({"EML4": [(400, insert[: 20 + TAIL_OVERLAP - 1])]}), index) is None
    assert _join_tail(["A" * 30], _tail_seeds({"EML4": [(400, "C" * 4 + "A" * 20)]}), index) is None


def test_join_tail_takes_the_insert_length_most_tails_imply():
    """Three distinct tails run from the exon end into the insert: the one overlapping the unknown part most
    lost a base before the overlap (a read indel), the two others did not. The insert has the length and
    first bases the two imply, not one base fewer."""
    from types import SimpleNamespace

    from alkfuse.caller import TAIL_OVERLAP, _join_tail, _tail_seeds

    index = SimpleNamespace(canonical={"EML4": SimpleNamespace(idx=3)})
    insert = "GATTACAGGCTTACCGTAGCATGCATCGGATCAAGTCTTGCAGTTGACCATGGCAAGT"
    unknown = insert[20:]
    lost = insert[:5] + insert[6:]  # base 5 deleted
    tails = {"EML4": [(400, lost[:19 + 30]), (400, insert[: 20 + TAIL_OVERLAP + 2]), (400, insert[: 20 + TAIL_OVERLAP + 1])]}
    assert _join_tail([unknown], _tail_seeds(tails), index) == (30, "EML4", 3, 400, insert)
    alone = {"EML4": [(400, lost[:19 + 30])]}  # one tail: its length, nothing to outvote it
    assert _join_tail([unknown], _tail_seeds(alone), index) == (30, "EML4", 3, 400, lost[:19] + unknown)


def test_tails_outvote_one_split_read_on_the_insert_length():
    """A v6-like junction seen whole in one split read that lost a base of a homopolymer (68 of 69 inserted
    bases), and three partner tails that read from the exon end 45-47 bases into the insert with the base:
    the tails' length wins, with the base the split read lost. One tail against one read: the listed
    length decides. A tail as long as the insert is a split read (no vote of its own); tails at another
    exon end do not vote; a tail's last bases that fit nowhere near do not vote."""
    from collections import Counter
    from types import SimpleNamespace

    from alkfuse.caller import Junction, _tail_length, _tail_votes

    index = SimpleNamespace(canonical={"EML4": SimpleNamespace(idx=3)})
    insert = "CCGGAATTTGGCTGTCCTGGGGCGTATAGTTTCCCCTACCGGTTAGGACCGAATACGAAATATACGAGATA"[:69]
    lost = insert[1:]  # one C of the first two lost

    def host():
        return Junction("EML4", 3, 400, 0, 4079, lost, insert_votes=Counter({68: 1}))

    tails = [insert[:45], insert[:46], insert[:47]]
    h = host()
    _tail_length(h, {"EML4": [(400, t) for t in tails]}, index, set())
    assert h.insert == insert and h.insert_votes == Counter({68: 1, 69: 3})
    h = host()
    _tail_length(h, {"EML4": [(400, tails[0])]}, index, set())
    assert h.insert == lost
    _tail_length(h, {"EML4": [(400, tails[0])]}, index, {(3, 400, 4079, 69)})
    assert h.insert == insert
    h = host()
    _tail_length(h, {"EML4": [(400, insert + "TGTACCGCCG"), (400, tails[0])]}, index, set())
    assert h.insert == lost
    assert _tail_votes([(401, t) for t in tails], 400, lost) == Counter()
    assert _tail_votes([(400, tails[0][:29] + "GATTACAGATTACAGA")], 400, lost) == Counter()
    assert _tail_votes([(400, t) for t in tails], 400, insert) == Counter({69: 3})


def test_runner_up_is_another_reported_junction():
    """Rivals of the best hypothesis are the junctions the call would otherwise have been, one per name:
    a listed variant with or without the bases a read showed is one, and so is an unlisted hypothesis on
    the listed variant's own exons and an insert length its name tolerates (the x4 prior of a name is not
    a rival, and 'v3b|v3b' is no list); unnamed ones differ by notation."""
    from alkfuse.caller import _rivals

    def label(h):  # what Annotator.label gives: notation, and the listed name of that junction
        note = f"E{h[1]};{'ins%d' % len(h[2]) if h[2] else ''}A{h[3]}"
        return note, {"E14;ins11A21": "v4", "E14;A20": "v7", "E13;A20": "v1"}.get(note, ".")

    v4 = (0.0, 14, "NNNNNNNNNNN", 21, "v4")
    ranked = [v4, (0.0, 14, "NNNNNNNACGT", 21, "v4"), (-0.1, 14, "", 20, "v7"), (-0.2, 14, "NNNNNNNACGT", 21, ""),
              (-0.3, 14, "", 20, ""), (-0.4, 15, "", 20, ""), (-0.5, 14, "ACG", 20, ""), (-0.6, 15, "", 20, "")]
    assert [lab for lab, _ in _rivals(ranked, label)] == [("E14;A20", "v7"), ("E15;A20", "."), ("E14;ins3A20", ".")]
    assert [h for _, h in _rivals(ranked, label)] == [ranked[2], ranked[5], ranked[6]]
    v1 = (1.4, 13, "", 20, "v1")
    assert _rivals([v1, (0.0, 13, "", 20, "")], label) == []

    def tolerant(h):  # a listed insert of 33 bases names inserts of 30-36 (Panel.name_variant)
        note = f"E{h[1]};{'ins%d' % len(h[2]) if h[2] else ''}A{h[3]}"
        return note, "v3b" if 30 <= len(h[2]) <= 36 else "."

    v3b = (0.0, 6, "N" * 33, 20, "v3b")
    assert _rivals([v3b, (-0.1, 6, "N" * 31, 20, ""), (-0.2, 6, "N" * 20, 20, "")], tolerant) == [
        (("E6;ins20A20", "."), (-0.2, 6, "N" * 20, 20, ""))]


@pytest.mark.parametrize("log_ratio, text", [(0.0, "1.0x"), (math.log(3.7), "3.7x"), (math.log(999), "999.0x"),
                                             (math.log(1000), ">1000x"), (500.0, ">1000x")])
def test_ratio_is_readable(log_ratio, text):
    from alkfuse.caller import _ratio
    assert _ratio(log_ratio) == text



@pytest.mark.parametrize("pairs", [25, 40, 60, 200])
def test_few_measured_pairs_give_a_smooth_length_model(pairs):
    """A small input measures a few dozen pairs (1 in 32 of those on indexed transcripts). Within 1.5 SD of
    the mean the model has no holes between measured lengths that would decide between two exons: from
    one bin to the next its log changes by less than 1 (the normal curve they are drawn from: 0.3 at
    most; a histogram smoothed over 5 bins: up to 3 at 25 pairs). Beyond the measured lengths a fragment
    costs a bounded factor."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        drawn = np.clip(rng.normal(250, 50, pairs).astype(int) // FRAGMENT_BIN, 0, FRAGMENT_BINS - 1)
        model = FragmentModel(list(np.bincount(drawn, minlength=FRAGMENT_BINS)))
        assert np.abs(np.diff(model.logp[175 // FRAGMENT_BIN : 325 // FRAGMENT_BIN + 1])).max() < 1.0
        assert model(250) - model(1900) < math.log(1000 * FRAGMENT_BINS)


def _stats(lengths) -> Stats:
    st = Stats()
    st.add_fragment_lengths(np.asarray(lengths))
    return st


def test_fragment_limit_follows_long_libraries_only():
    rng = np.random.default_rng(1)
    params = CallParams()
    assert fragment_limit(_stats(rng.normal(250, 50, 5000).astype(int)), params) == params.max_fragment
    long = rng.normal(800, 200, 5000).astype(int)
    top = int(np.quantile(long, 0.999))
    assert 1.25 * top - FRAGMENT_BIN <= fragment_limit(_stats(long), params) <= 1.25 * (top + 2 * FRAGMENT_BIN)
    assert fragment_limit(_stats(long[:150]), params) == params.max_fragment  # too few measured
    assert fragment_limit(_stats([1990] * 400), params) == int(1.25 * FRAGMENT_BINS * FRAGMENT_BIN)


def test_a_misread_partner_part_is_the_exon_end_not_an_insert():
    """The part reads show before ALK, when it reads as the partner exon's end but for read errors (one in
    8+ bases, one more per 16), is offered to the pair-only placement as that exon's end with no inserted
    bases: a NUTM1::ALK read at 1% errors with two misread bases in its 27 NUTM1 bases made `E4;ins26A20`."""
    from alkfuse.caller import _misread_exon_end

    exon = "CCGTAGATGATCTTTTATGAGATGGCAGAAAG"
    part = "GAAGATCTTCTATGAGATGGCAGAAAG"  # the last 27 bases, two misread
    assert _misread_exon_end(part, exon)
    assert not _misread_exon_end("GAAGATCTTCTATGTGATGGCAGAAAG", exon)  # three
    assert _misread_exon_end("TTTATGAGAT", "GGCTTTATGCGAT") and not _misread_exon_end("TTTATGAGAT", "GGCTTTTTGCGAT")
    assert not _misread_exon_end("ACGTACG", "TTTACGTACC")  # under 8 bases: exact only
    assert not _misread_exon_end(part, exon[-20:])  # longer than what lies before the exon end
