"""The shipped panel files load, and the loader names variants and rejects malformed files."""

from pathlib import Path

import pytest

from alkfuse.errors import ReferenceError_
from alkfuse.panel import NamedVariant, PanelGene, load_panel, read_blocklist

REFERENCES = Path(__file__).resolve().parent.parent / "references"


@pytest.fixture(scope="module")
def panel():
    return load_panel()


def test_shipped_files_load(panel):
    assert panel.kinase == "ALK"
    alk = panel.gene("ALK")
    assert isinstance(alk, PanelGene) and alk.role == "kinase"
    assert (alk.ensembl_gene, alk.ensembl_transcript, alk.refseq_transcript) == (
        "ENSG00000171094", "ENST00000389048", "NM_004304")
    assert all(isinstance(v, NamedVariant) for v in panel.variants)
    assert ("LTK", "ALK") in panel.blocklist


def test_explicit_paths_equal_defaults(panel):
    again = load_panel(REFERENCES / "panel.tsv", REFERENCES / "variants.tsv", REFERENCES / "blocklist.tsv")
    assert again.genes == panel.genes and again.variants == panel.variants


def test_at_least_25_partners(panel):
    partners = {g.symbol for g in panel.partners()}
    assert len(partners) >= 25
    assert {"EML4", "NPM1", "TPM3", "KIF5B", "CLTC", "CARS1", "RNF213"} <= partners


def test_paralogs(panel):
    assert panel.gene("LTK").role == "paralog"
    assert {"LTK", "KIF5A", "KIF5C", "CLTCL1", "TPM1", "TPM2"} <= {g.symbol for g in panel.paralogs()}


def test_ids_have_no_version(panel):
    for g in panel.genes.values():
        for i in (g.ensembl_gene, g.ensembl_transcript, g.refseq_transcript):
            assert i is None or "." not in i


def test_canonical_ids(panel):
    assert panel.canonical_ids("EML4") == ("ENST00000318522", "NM_019063")
    assert panel.canonical_ids("NPM1") == ("ENST00000296930", "NM_002520")
    assert panel.canonical_ids("NOT_A_GENE") == ()


def test_aliases_resolve(panel):
    assert panel.gene("CARS").symbol == "CARS1"
    assert panel.gene("ALO17").symbol == "RNF213"
    assert panel.gene("cars") is None  # case-sensitive
    assert panel.gene("NOT_A_GENE") is None


@pytest.mark.parametrize("exon5, ins, dele, name", [
    (13, 0, 0, "v1"), (20, 0, 0, "v2"), (6, 0, 0, "v3a"), (6, 33, 0, "v3b"), (6, 31, 0, "v3b"),
    (14, 11, 49, "v4"), (2, 0, 0, "v5a"), (2, 117, 0, "v5b"), (13, 69, 0, "v6"), (14, 0, 12, "v7"),
    (17, 30, 0, "v8a"), (17, 61, 0, "v8b"),
])
def test_eml4_variants_named(panel, exon5, ins, dele, name):
    assert panel.name_variant("EML4", exon5, "ALK", 20, ins, dele) == name


def test_unnamed_junctions(panel):
    assert panel.name_variant("EML4", 13, "ALK", 21, 0, 0) is None      # other ALK exon
    assert panel.name_variant("EML4", 13, "ALK", 20, 2, 0) is None      # v1 has no insert: exact 0
    assert panel.name_variant("EML4", 6, "ALK", 20, 37, 0) is None      # beyond tolerance of v3b
    assert panel.name_variant("EML4", 14, "ALK", 20, 11, 48) is None    # deletion must match exactly
    assert panel.name_variant("EML4", None, "ALK", 20, 0, 0) is None
    assert panel.name_variant("EML4", 13, "ALK", 20, 5, 0, tolerance=5) is None


def test_other_fusions_named(panel):
    assert panel.name_variant("NPM1", 4, "ALK", 20, 0, 0) == "E4;A20"
    assert panel.name_variant("KIF5B", 24, "ALK", 20, 0, 0) == "E24;A20"
    assert panel.name_variant("CLTC", 31, "ALK", 20, 0, 0) == "E31;A20"
    assert panel.name_variant("B23", 4, "ALK", 20, 0, 0) == "E4;A20"  # alias of NPM1


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


PANEL_HEADER = ("# comment\nsymbol\trole\tensembl_gene\tensembl_transcript\trefseq_transcript"
                "\taliases\treported_exons\tdiseases\tnote\n")
ALK_ROW = "ALK\tkinase\tENSG00000171094\tENST00000389048\tNM_004304\t.\t.\tNSCLC\t.\n"


def test_malformed_panel_reports_line(tmp_path):
    bad = _write(tmp_path, "panel.tsv", PANEL_HEADER + ALK_ROW + "EML4\tpartner\tENSG1\t.\t.\t.\t.\t.\t.\n")
    with pytest.raises(ReferenceError_, match=r"panel\.tsv:4: ensembl_gene"):
        load_panel(bad)


@pytest.mark.parametrize("row, message", [
    ("EML4\tpartner\t.\t.\t.\t.\t.\t.\n", r":4: 8 fields, expected 9"),
    ("EML4\tfriend\t.\t.\t.\t.\t.\t.\t.\n", r":4: role 'friend'"),
    ("EML4\tpartner\t.\t.\tNM_019063.5\t.\t.\t.\t.\n", r":4: refseq_transcript"),
    ("EML4\tpartner\t.\t.\t.\t.\t13,x\t.\t.\n", r":4: reported_exons"),
    ("EML4\tpartner\t.\t.\t.\tALK\t.\t.\t.\n", r":4: 'ALK' already names ALK"),
])
def test_malformed_panel_rows(tmp_path, row, message):
    with pytest.raises(ReferenceError_, match=message):
        load_panel(_write(tmp_path, "panel.tsv", PANEL_HEADER + ALK_ROW + row))


def test_missing_header_and_kinase(tmp_path):
    with pytest.raises(ReferenceError_, match=r":1: expected the header row"):
        load_panel(_write(tmp_path, "panel.tsv", ALK_ROW))
    with pytest.raises(ReferenceError_, match="exactly one"):
        load_panel(_write(tmp_path, "panel.tsv", PANEL_HEADER))


def test_malformed_variants_and_blocklist(tmp_path):
    header = "gene5\tgene3\tname\texon5\texon3\tinsert_length\tdeletion_length\tnote\n"
    variants = _write(tmp_path, "variants.tsv", header + "EML4\tALK\tv1\t13\t20\t0\t0\t.\n"
                                                         "EML4\tALK\tv2\t20\t20\t-1\t0\t.\n")
    with pytest.raises(ReferenceError_, match=r"variants\.tsv:3: insert_length"):
        load_panel(variants_tsv=variants)
    repeated = _write(tmp_path, "variants.tsv", header + "EML4\tALK\tv1\t13\t20\t0\t0\t.\n" * 2)
    with pytest.raises(ReferenceError_, match=r"variants\.tsv:3: name 'v1'"):
        load_panel(variants_tsv=repeated)
    unknown = _write(tmp_path, "variants.tsv", header + "FOO\tALK\tE1;A20\t1\t20\t0\t0\t.\n")
    with pytest.raises(ReferenceError_, match=r"variants\.tsv:2: gene5 'FOO'"):
        load_panel(variants_tsv=unknown)
    blocks = _write(tmp_path, "block.tsv", "gene5\tgene3\treason\nEML4\tALK\n")
    with pytest.raises(ReferenceError_, match=r"block\.tsv:2: 2 fields"):
        read_blocklist(blocks)


def test_intron_ends_load_and_malformed_rows_report_their_line(tmp_path, panel):
    from alkfuse.panel import read_intron_ends

    assert [e.exon for e in panel.intron_ends] == [19, 20, 21, 22, 25]
    assert all(len(e.intron_end) == 50 and e.intron_end.endswith("AG") for e in panel.intron_ends)
    assert load_panel(intron_ends_tsv=REFERENCES / "alk_intron_ends.tsv").intron_ends == panel.intron_ends
    header = "exon\tintron_end\texon_start\tgrch38\tnote\n"
    good = "20\tCCACCCACCTGCAG\tTGTACCGCCGGAAGCACCAG\t.\t.\n"
    for row, message in (("20\tccacccacctgcag\tTGTACCGCCGGAAGCACCAG\t.\t.\n", r"ends\.tsv:3: intron_end"),
                         ("21\tCCACCCACCTGCAG\tTGTAC\t.\t.\n", r"ends\.tsv:3: exon_start"),
                         ("1\tCCACCCACCTGCAG\tTGTACCGCCGGAAGCACCAG\t.\t.\n", r"ends\.tsv:3: exon"),
                         (good, r"ends\.tsv:3: exon 20 is listed twice")):
        with pytest.raises(ReferenceError_, match=message):
            read_intron_ends(_write(tmp_path, "ends.tsv", header + good + row))


def test_user_blocklist(tmp_path):
    path = _write(tmp_path, "block.tsv", "# mine\n\ngene5\tgene3\treason\nNPM1\tALK\tnoisy on my DNA panel\n")
    assert read_blocklist(path) == frozenset({("NPM1", "ALK")})
    assert read_blocklist(str(path)) == frozenset({("NPM1", "ALK")})
