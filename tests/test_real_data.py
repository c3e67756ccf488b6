"""The real read sets in ../shared/data/reads, against their truth (../shared/data/reads/truth.tsv)."""

import csv

import pytest

from alkfuse.pipeline import detect

from conftest import READS


def _truth(name):
    with open(READS / "truth.tsv") as fh:
        return [r for r in csv.DictReader(fh, delimiter="\t") if r["set"] == name]


def _rows(path):
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _match(row, truth):
    return all(row[c] == truth[c] for c in ("gene5", "breakpoint5", "breakpoint3", "inserted_sequence"))


def _detect(panel_index, tmp_path_factory, folder, r1, r2, sample):
    out = tmp_path_factory.mktemp(sample)
    detect(panel_index, out, str(READS / folder / r1), str(READS / folder / r2), sample=sample)
    return out


@pytest.fixture(scope="module")
def splitfusion(panel_index, tmp_path_factory):
    return _detect(panel_index, tmp_path_factory, "splitfusion_Lib001", "Lib001.R1.fq.gz", "Lib001.R2.fq.gz", "Lib001")


@pytest.fixture(scope="module")
def pizzly(panel_index, tmp_path_factory):
    return _detect(panel_index, tmp_path_factory, "pizzly_spikein", "reads_1.fastq.gz", "reads_2.fastq.gz", "spikein")


def test_splitfusion_v3a_and_v3b_in_separate_rows(splitfusion):
    rows = _rows(splitfusion / "fusions.tsv")
    for truth in _truth("splitfusion_Lib001"):
        hits = [r for r in rows if _match(r, truth)]
        assert len(hits) == 1, truth["known_variant"]
        row = hits[0]
        assert row["known_variant"] == truth["known_variant"]
        assert row["exon5"] == "6" and row["exon3"] == "20"
        assert int(row["split_reads"]) >= 4 and int(row["unique_fragments"]) >= 3
        assert row["confidence"] == "high"
    assert len(rows) == 2, "only v3a and v3b pass"


def test_pizzly_intron19_insert_and_no_other_alk_call(pizzly):
    rows = _rows(pizzly / "fusions.tsv")
    (truth,) = _truth("pizzly_spikein")
    assert len(rows) == 1
    row = rows[0]
    assert _match(row, truth)
    assert row["junction"] == "E14;ins58A20" and row["exon5"] == "14"
    assert int(row["split_reads"]) >= 5 and int(row["spanning_pairs"]) >= 5
    # whatever else the 8 non-ALK spike-in fusions leave behind is discarded, each with its reason
    assert all(r["filters"] not in ("", ".") for r in _rows(pizzly / "fusions.discarded.tsv"))


def test_a_read_of_another_gene_read_back_is_no_alk_end(panel_index):
    """A RETSAT read (ENST00000295802, bases 390-465 of the shared reference) read back ends with the 10
    bases of ALK exon 20 at v7's ALK start (12 bases in) by chance: RETSAT's antisense. Strongly expressed
    ALK samples called two such fragments, with one read of v6, ``unknown::ALK ?;del12A20`` (3 fragments):
    the whole read is RETSAT's, so no ALK end and no split."""
    from alkfuse.evidence import Stats
    from alkfuse.index import Index
    from alkfuse.scan import Classifier, ScanParams
    from alkfuse.seq import revcomp

    index = Index(panel_index)
    retsat = index.sequence(index.by_id["ENST00000295802"].idx)
    alk = index.sequence(index.alk.idx)
    a20 = index.alk.t.exon_bounds()[19][0]
    read, mate = retsat[390:465], revcomp(retsat[600:675])
    assert revcomp(read).endswith(alk[a20 + 12 : a20 + 22])  # the chance match this test is about
    classifier = Classifier(index, ScanParams())
    assert classifier._alk_end(revcomp(read)) is None
    frag = classifier.classify("f", "", (mate, read), ("I" * 75,) * 2, Stats())
    assert frag is None or not frag.splits


def test_wild_type_read_with_two_bases_gained_before_an_exon_start_is_alk(panel_index):
    """A wild-type ALK read of exon 21's last 30 bases and exon 22, two bases gained in the 30 (simulated v5b
    sample, seed 404, 100 bp: two such fragments passed as ``unknown::ALK ?;A22``). Its ALK segment runs 4
    bases back over exon 21's end by chance (GAAG), leaving 26 bases before it, too few to compare with
    indels; from exon 22's start, where the segment snaps to, the 30 bases read as ALK with two edits: the
    fragment is ALK's own, no split."""
    from alkfuse.evidence import Stats
    from alkfuse.index import Index
    from alkfuse.scan import Classifier, ScanParams
    from alkfuse.seq import revcomp

    index = Index(panel_index)
    alk = index.sequence(index.alk.idx)
    a22 = index.alk.t.exon_bounds()[21][0]
    end21 = alk[a22 - 28 : a22]
    gained = end21[:17] + "T" + end21[17:25] + "G" + end21[25:]  # as the simulated reads had them
    read = gained + alk[a22 : a22 + 70]
    assert read[26:30] == alk[a22 - 4 : a22] and read[25] != alk[a22 - 5]  # the chance match
    mate = revcomp(alk[a22 + 150 : a22 + 250])
    frag = Classifier(index, ScanParams()).classify("f", "", (read, mate), ("I" * 100,) * 2, Stats())
    assert frag is None or not frag.splits
