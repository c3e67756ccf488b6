"""Long reads (PacBio/ONT): where a read's junction lies, and the insert its reads agree on."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alkfuse.align import anchored_junction
from alkfuse.annotation import attach_sequences, read_gtf
from alkfuse.evidence import Stats
from alkfuse.kernels import encode

from test_align import twin_prefix_scores

EML4, ALK = "ENST00000318522", "ENST00000389048"


def twin_anchored(region, left, right):
    """Every split point i <= j scored by plain dynamic programming over whole matrices."""
    n = len(region)
    _, _, f = twin_prefix_scores(list(encode(region)), list(encode(left)))
    _, _, b = twin_prefix_scores(list(encode(region[::-1])), list(encode(right[::-1])))
    return max(f[i] + b[n - j] for i in range(n + 1) for j in range(i, n + 1))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ACGT", max_size=30), st.text(alphabet="ACGT", max_size=15),
       st.text(alphabet="ACGT", max_size=15))
def test_anchored_junction_is_the_best_split_with_both_sides_whole(region, left, right):
    i, j, score = anchored_junction(encode(region), encode(left), encode(right))
    assert 0 <= i <= j <= len(region)
    assert score == twin_anchored(region, left, right)
    _, _, f = twin_prefix_scores(list(encode(region)), list(encode(left)))
    _, _, b = twin_prefix_scores(list(encode(region[::-1])), list(encode(right[::-1])))
    assert f[i] + b[len(region) - j] == score  # the positions it returns give that score


@pytest.fixture(scope="module")
def ref(synth_ref, synth_index):
    from alkfuse.index import Index
    from alkfuse.scan import Classifier, ScanParams

    ann = read_gtf(synth_ref["gtf"])
    seqs = attach_sequences(ann, transcripts_fasta=synth_ref["transcripts"])
    txs = {t.id: t for t in ann.transcripts}
    return txs, seqs, Classifier(Index(synth_index), ScanParams())


def _split(clf, read):
    frag = clf.classify("f", "", (read,), ("I" * len(read),), Stats())
    return [(sp.gene5, sp.end5, sp.insert, sp.start3) for sp in frag.splits] if frag else []


def _fusion(txs, seqs, exon5, insert, exon3=20, deletion=0, flank=900):
    eml4, alk = seqs[EML4], seqs[ALK]
    e5 = txs[EML4].exon_bounds()[exon5 - 1][1]
    a3 = txs[ALK].exon_bounds()[exon3 - 1][0] + deletion
    return eml4[max(0, e5 - flank) : e5], alk[a3 : a3 + flank], e5, a3


def test_insert_ending_like_the_previous_alk_exon_stays_an_insert(ref):
    """At 1% errors, v3b reads whose cryptic exon ended ``...CAACTGATA`` (ALK exon 19 ends ``...ATGATTG``)
    were ``E6;ins28del99A19``: the free alignment took five inserted bases, a gap and exon 19's last bases
    as ALK. A break inside an exon must now gain more than the exon start it competes with."""
    txs, seqs, clf = ref
    alk = seqs[ALK]
    a20 = txs[ALK].exon_bounds()[19][0]
    rng = np.random.default_rng(11)
    core = "".join(rng.choice(list("ACGT"), 27))
    like19 = alk[a20 - 6 : a20 - 2] + alk[a20 - 1]  # exon 19's last 6 bases but one
    partner, alk_part, e6, _ = _fusion(txs, seqs, 6, "")
    assert _split(clf, partner + core + like19 + alk_part) == [("EML4", e6, core + like19, a20)]


def test_insert_ending_like_alk_before_a_listed_start_stays_an_insert(ref):
    """v4 (E14;ins11del49A20) reads whose insert ended ``GCC`` where ALK has ``GCA`` before the listed
    start were ``E14;ins8del46A20``: two matches and a mismatch pulled ALK's start 3 bases back."""
    txs, seqs, clf = ref
    alk = seqs[ALK]
    partner, alk_part, e14, a49 = _fusion(txs, seqs, 14, "", deletion=49)
    before = alk[a49 - 3 : a49]
    wrong = "A" if before[-1] != "A" else "C"
    insert = "AATTTAGG" + before[:2] + wrong
    assert _split(clf, partner + insert + alk_part) == [("EML4", e14, insert, a49)]


def test_an_insert_half_like_exon_19_for_16_bases_stays_an_insert(ref):
    """v5b (1% errors, 2 reads) whose insert ends ``TCCGGCAAGATAGAT`` where exon 19 ends
    ``TCCGGCATCATGATTG``: 7 bases alike, then 8 that align with mismatches and a gap. The free alignment
    took all 16 as exon 19 (``E2;ins103del89A19``, both reads); the exon start, 16 bases on, was out of
    the boundaries tried (12). Within 30 bases it competes, and wins: the 16 bases are not exon 19."""
    txs, seqs, clf = ref
    partner, alk_part, e2, a20 = _fusion(txs, seqs, 2, "")
    x = seqs[ALK][a20 - 16 : a20]

    def other(b):
        return "ACGT"[("ACGT".index(b) + 1) % 4]

    tail = other(x[7]) + other(x[8]) + x[9:11] + other(x[11]) + other(x[12]) + x[14:]  # 4 misreads, 1 lost
    rng = np.random.default_rng(16)
    head = "".join(rng.choice(list("ACGT"), 90))
    head += next(b for b in "ACGT" if b != seqs[ALK][a20 - 17])
    insert = head + x[:7] + tail
    assert _split(clf, partner + insert + alk_part) == [("EML4", e2, insert, a20)]


@pytest.mark.parametrize("lost", [0, 1, 2, 3])
def test_an_indel_by_the_junction_does_not_shift_the_insert(ref, lost):
    """v8a reads whose insert ended ``...TCCTT`` before ALK's ``TGTACC`` (ALK exon 19 ends ``...ATTG``)
    came out one base longer (``...TCCTTT``), 2 of 3 reads: the free alignment ran into exon 19 through a
    gap (``TT`` for ``TTG``), and snapping back to the exon start moved the read position by the
    reference's bases, not the read's. Now each hypothesis is aligned with its ends fixed. Here the insert
    ends with exon 19's last 4 bases but one (base ``lost``), and a base before them that matches none of
    exon 19's (five exact bases in a row are a break inside the exon, as for short reads)."""
    txs, seqs, clf = ref
    partner, alk_part, e17, a20 = _fusion(txs, seqs, 17, "")
    last4 = seqs[ALK][a20 - 4 : a20]
    rng = np.random.default_rng(5 + lost)
    head = "".join(rng.choice(list("ACGT"), 25))
    head += next(b for b in "ACGT" if b not in (seqs[ALK][a20 - 5], seqs[ALK][a20 - 4]))  # no chance match
    insert = head + last4[:lost] + last4[lost + 1 :]
    assert _split(clf, partner + insert + alk_part) == [("EML4", e17, insert, a20)]


@pytest.mark.parametrize("into", [20, 28, 30, 35, 60])
def test_a_break_inside_an_exon_stays_where_it_is(ref, into):
    """The other side: a junction ``into`` bases into ALK exon 20 (no listed start there), and one that
    many bases before the end of EXON 13, stay there. EML4 exon 13 of the synthetic reference ends ``CC``;
    where ALK reads on with ``CC`` too (28, 30 and 35 bases in), the bases are EML4's, whose exon end is
    a boundary (they came out 1-2 bases off: the partner side moved to its boundary without taking them
    from the ALK side)."""
    txs, seqs, clf = ref
    partner, alk_part, e13, start = _fusion(txs, seqs, 13, "", deletion=into)
    assert _split(clf, partner + alk_part) == [("EML4", e13, "", start)]
    _, alk20, _, a20 = _fusion(txs, seqs, 13, "")
    assert _split(clf, partner[:-into] + alk20) == [("EML4", e13 - into, "", a20)]


def _long_read_calls(ref, synth_index, tmp_path, inserts, name, shift=(7, 5), umis=None, gained=0):
    """Long reads of EML4 exon 13 + each insert + ALK exon 20 on, classified and called (reads in the
    order given; read n starts n x shift[0] bases later and ends n x shift[1] earlier; ``gained``: each read
    gains that many random bases in the 200 on each side of the junction, none in the 30 next to it): the
    EML4::ALK calls."""
    from alkfuse.evidence import Evidence, write_evidence
    from alkfuse.index import Index
    from alkfuse.pipeline import call_files
    from alkfuse.scan import Classifier, ScanParams

    txs, seqs, _ = ref
    partner, alk_part, _, _ = _fusion(txs, seqs, 13, "", flank=1500)
    index = Index(synth_index)
    clf = Classifier(index, ScanParams())
    stats = Stats()
    frags = []
    rng = np.random.default_rng(5)
    for n, ins in enumerate(inserts):
        left, right = list(partner[n * shift[0] :]), list(alk_part[: len(alk_part) - n * shift[1]])
        for at in sorted(rng.choice(np.arange(30, 200), gained, replace=False), reverse=True):
            left.insert(len(left) - at, str(rng.choice(list("ACGT"))))
            right.insert(at, str(rng.choice(list("ACGT"))))
        read = "".join(left) + ins + "".join(right)
        f = clf.classify(f"r{n}", umis[n] if umis else "", (read,), ("I" * len(read),), stats)
        assert f is not None and f.splits[0].insert == ins
        frags.append(f)
    ev = Evidence(index=index.checksum(), k=index.k, stats=stats, fragments=frags)
    write_evidence(ev, tmp_path / f"{name}.jsonl.gz")
    res = call_files(synth_index, [str(tmp_path / f"{name}.jsonl.gz")], tmp_path / name, sample="s")
    return [c for c in res.calls if c.gene5 == "EML4"]


def _v6_reads():
    rng = np.random.default_rng(2)
    insert = "".join(rng.choice(list("ACGT"), 69))
    return insert, [insert[:10] + insert[11:],  # a base lost
                    insert[:30] + ("A" if insert[30] != "A" else "C") + insert[31:],  # a base misread
                    insert[:50] + "G" + insert[50:]]  # a base gained


def test_reads_of_one_junction_vote_on_its_insert(ref, synth_index, tmp_path):
    """Three long reads of a 69-base insert, each with its own error in it (68, 69 and 70 bases): the call
    shows the insert all three agree on, not one read's (it was the first read's 70 bases), whatever the
    order the reads come in."""
    insert, reads = _v6_reads()
    for order, name in ((reads, "a"), (reads[::-1], "b")):
        calls = _long_read_calls(ref, synth_index, tmp_path, order, name)
        assert len(calls) == 1
        assert calls[0].inserted_sequence == insert and calls[0].unique_fragments == 3
        assert calls[0].known_variant == "v6"
        assert calls[0].long_reads == 3  # what the mismatches filter reads: long reads are exempt
    assert (tmp_path / "a" / "fusions.tsv").read_bytes() == (tmp_path / "b" / "fusions.tsv").read_bytes()


@pytest.mark.parametrize("other", [0, 2])
def test_two_reads_that_differ_take_the_listed_length(ref, synth_index, tmp_path, other):
    """Two reads of v6's 69 inserted bases, one with a base lost or gained: no majority, so the listed
    variant's length decides (two v5b reads at 1% errors gave 118 bases for 117), in either order."""
    insert, reads = _v6_reads()
    for order, name in (([insert, reads[other]], "a"), ([reads[other], insert], "b")):
        calls = _long_read_calls(ref, synth_index, tmp_path, order, name)
        assert [(c.inserted_sequence, c.unique_fragments, c.known_variant) for c in calls] == [(insert, 2, "v6")]


@pytest.mark.parametrize("umis, unique", [(None, 2), (["ACGTAC", "ACGTAC"], 1), (["ACGTAC", "TTGACA"], 2)])
def test_full_length_reads_are_not_duplicates_by_position(ref, synth_index, tmp_path, umis, unique):
    """Two full-length reads of one fusion transcript share both ends, as cDNA long reads do: they were
    one fragment by position (a v6 with two reads at 1% errors was filtered 'duplicates'). Long reads
    count once per UMI only."""
    insert, _ = _v6_reads()
    calls = _long_read_calls(ref, synth_index, tmp_path, [insert, insert], "a", shift=(0, 0), umis=umis)
    assert [(c.unique_fragments, c.duplicates) for c in calls] == [(unique, 2 - unique)]
    # and two such reads are two positions for min_support (BRAF::ALK from two whole-transcript reads was
    # filtered: 2 fragments, 1 distinct split position)
    assert calls[0].distinct_split_positions == unique


def _gain(seq: str, at: list[int], rng) -> str:
    """``seq`` with a random base gained before each position of ``at``."""
    out = list(seq)
    for i in sorted(at, reverse=True):
        out.insert(i, str(rng.choice(list("ACGT"))))
    return "".join(out)


@pytest.mark.parametrize("order", ["abc", "cba"])
def test_reads_that_gain_bases_take_the_listed_length(ref, synth_index, tmp_path, order):
    """PacBio CLR reads gain bases more often than they lose them. Three reads of v6's 69 inserted bases
    that each gain 4 bases in it and 10 in each 200 bases beside the junction: their majority is 71 bases
    (gains that line up in a homopolymer), their lengths over their flanks' gain 69-70, so the call is v6
    with 69 inserted bases, here the molecule's."""
    insert, _ = _v6_reads()
    rng = np.random.default_rng(8)
    reads = {c: _gain(insert, places, rng) for c, places in
             zip("abc", ([5, 20, 40, 60], [5, 25, 33, 50], [12, 28, 45, 66]))}
    calls = _long_read_calls(ref, synth_index, tmp_path, [reads[c] for c in order], order, gained=10)
    assert [(c.junction, c.known_variant, c.unique_fragments) for c in calls] == [("E13;ins69A20", "v6", 3)]
    assert calls[0].inserted_sequence == insert
    # without the flanks' gain the same reads are 73 bases, 4 more than v6's: their majority stays
    plain = _long_read_calls(ref, synth_index, tmp_path, [reads[c] for c in order], order + "0")
    assert [len(c.inserted_sequence) for c in plain] == [71]


def test_an_insert_of_another_length_keeps_its_length(ref, synth_index, tmp_path):
    """Three clean long reads with 77 inserted bases at v6's exon end (69): not v6, whatever the tolerance
    of noisy reads; the insert stays 77 bases."""
    rng = np.random.default_rng(9)
    insert = "".join(rng.choice(list("ACGT"), 77))
    calls = _long_read_calls(ref, synth_index, tmp_path, [insert] * 3, "x")
    assert [(c.junction, c.known_variant, c.inserted_sequence) for c in calls] == [("E13;ins77A20", ".", insert)]


def test_consensus_of_length():
    from alkfuse.caller import _consensus_of_length, _gapped_consensus

    truth = "ACGTTGCAAGTCCATGACGATCCAGT"
    reads = [truth[:5] + "G" + truth[5:], truth[:5] + "G" + truth[5:], truth]  # two share a gained G
    assert _gapped_consensus(reads) == truth[:5] + "G" + truth[5:]
    assert _consensus_of_length(reads, len(truth)) == truth  # the base only 2 of 3 show goes
    short = [truth[:9] + truth[10:], truth[:9] + truth[10:], truth]  # two lost the same base
    assert _consensus_of_length(short, len(truth)) == truth  # where one read inserts, its base
    assert _consensus_of_length(reads, len(truth) + 1) == truth[:5] + "G" + truth[5:]
    assert _consensus_of_length([truth] * 3, len(truth) + 1) == truth  # no read inserts: unchanged
