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
    ins = "." if truth["inserted_sequence"] == "." else truth["inserted_sequence"]
    return (row["gene5"] == truth["gene5"] and row["breakpoint5"] == truth["breakpoint5"]
            and row["breakpoint3"] == truth["breakpoint3"] and row["inserted_sequence"] == ins)


@pytest.fixture(scope="module")
def splitfusion(panel_index, tmp_path_factory):
    d = READS / "splitfusion_Lib001"
    out = tmp_path_factory.mktemp("sf")
    detect(panel_index, out, str(d / "Lib001.R1.fq.gz"), str(d / "Lib001.R2.fq.gz"), sample="Lib001")
    return out


@pytest.fixture(scope="module")
def pizzly(panel_index, tmp_path_factory):
    d = READS / "pizzly_spikein"
    out = tmp_path_factory.mktemp("pz")
    detect(panel_index, out, str(d / "reads_1.fastq.gz"), str(d / "reads_2.fastq.gz"), sample="spikein")
    return out


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
