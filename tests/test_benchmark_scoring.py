"""The accuracy benchmark's scoring (benchmarks/accuracy.py: score): what counts as found, exact, named, false."""

import importlib.util
import sys
from collections import Counter
from pathlib import Path

spec = importlib.util.spec_from_file_location("accuracy", Path(__file__).parents[1] / "benchmarks" / "accuracy.py")
accuracy = importlib.util.module_from_spec(spec)
sys.modules["accuracy"] = accuracy  # dataclasses look their module up
spec.loader.exec_module(accuracy)


def row(gene5, junction, bp5, bp3, insert=".", variant=".", **kw):
    return {"gene5": gene5, "gene3": "ALK", "junction": junction, "breakpoint5": bp5, "breakpoint3": bp3,
            "inserted_sequence": insert, "known_variant": variant, "split_fragments": "1", "spanning_pairs": "2",
            **kw}


def test_found_is_the_gene_pair_and_exact_is_the_junction():
    truth = [row("TMPRSS2", "E7;A20", "21:100", "2:200"), row("EML4", "E17;ins30A20", "2:5", "2:200", "N" * 30, "v8a")]
    calls = [row("TMPRSS2", "E8;A20", "21:90", "2:200"), row("EML4", "E17;ins61A20", "2:5", "2:200", "N" * 61, "v8b")]
    n = accuracy.score(truth, calls)
    assert (n["expected"], n["found"], n["exact"], n["named"], n["named_ok"], n["false"]) == (2, 2, 0, 1, 0, 0)


def test_the_exact_call_is_taken_and_a_second_call_is_false():
    truth = [row("EML4", "E13;A20", "2:5", "2:200", variant="v1")]
    calls = [row("EML4", "E6;A20", "2:3", "2:200", variant="v3a"), row("EML4", "E13;A20", "2:5", "2:200", variant="v1"),
             row("NPM1", "E4;A20", "5:1", "2:200")]
    n = accuracy.score(truth, calls)
    assert (n["found"], n["exact"], n["named_ok"], n["false"]) == (1, 1, 1, 2)


def test_unknown_partner_inside_the_insert_is_unresolved_not_false():
    """v5b's reads showed only inserted bases and ALK: unknown::ALK at its ALK breakpoint, its 5' bases the
    end of the insert (one read error allowed), is 'partner unresolved' while no call names v5b. 5' bases
    that are not the insert, or another ALK breakpoint, are false."""
    insert = "ACGTTGCAGTCAGGATCCATTTGACCGGTAACGTTAGCAGTCCATGACCTAGGACTTACGATCGGATCCAAGT"
    truth = [row("EML4", "E2;ins74A20", "2:5", "2:200", insert, "v5b")]

    def unknown(flank, bp3="2:200"):
        return row("unknown", "?;A20", ".", bp3, fusion_sequence=flank + "|TGTACCGCCGG")

    wrong = insert[-40:-20] + ("A" if insert[-20] != "A" else "C") + insert[-19:]
    for flank in (insert[-50:], wrong):
        n = accuracy.score(truth, [unknown(flank)])
        assert (n["found"], n["unresolved"], n["false"]) == (0, 1, 0)
    n = accuracy.score(truth, [unknown(insert[-50:]), unknown(wrong)])  # a second row of one fusion
    assert (n["found"], n["unresolved"], n["false"]) == (0, 1, 1)
    n = accuracy.score(truth, [unknown("GATTACA" * 6), unknown(insert[-50:], bp3="2:300")])
    assert (n["found"], n["unresolved"], n["false"]) == (0, 0, 2)
    # a shorter insert (v3b: 33 bases) with 6 partner bases before it: too few to name the partner;
    # with 8 the caller could have named it
    short = [row("EML4", "E6;ins33A20", "2:5", "2:200", insert[-33:], "v3b")]
    for before, unresolved in (("ACCAAG", 1), ("TCAACCAAG", 0)):
        n = accuracy.score(short, [unknown(before + insert[-33:])])
        assert (n["unresolved"], n["false"]) == (unresolved, 1 - unresolved)
    # beside a call that names the fusion, a second row for it is false
    n = accuracy.score(truth, [row("EML4", "E2;ins74A20", "2:5", "2:200", insert, "v5b"), unknown(insert[-50:])])
    assert (n["found"], n["unresolved"], n["false"]) == (1, 0, 1)


def test_a_name_left_open_is_neither_right_nor_wrong():
    """A call naming 'v4|v7' (spanning pairs that fit both) for a v7 is open; 'v4' alone, or a list
    without v7, is wrong; only 'v7' alone is named."""
    truth = [row("EML4", "E14;del12A20", "2:5", "2:212", variant="v7")]

    def counts(variant):
        n = accuracy.score(truth, [row("EML4", "E14;ins11del49A20", "2:5", "2:249", "N" * 11, variant)])
        return n["named"], n["named_ok"], n["named_open"], n["named_wrong"]

    assert counts("v4|v7") == (1, 0, 1, 0)
    assert counts("v4") == (1, 0, 0, 1)
    assert counts("v4|E14;A20") == (1, 0, 0, 1)
    assert counts("v7") == (1, 1, 0, 0)
    assert accuracy.open_wrong(Counter(named=1, named_open=1)) == "| 1 / 0"
    assert accuracy.open_wrong(Counter()) == "| -"


def test_named_variants_are_counted_apart_by_how_the_sample_showed_them():
    """A v8a with a read across its junction called exactly and by name; a v8b seen only in spanning pairs
    called 'v8b|v8a'; a v1 seen only in pairs called exactly: the line under the table counts them apart."""
    def truth(junction, variant, insert, split):
        return row("EML4", junction, "2:5", "2:200", insert, variant, split_fragments=split)

    samples = [
        ([truth("E17;ins30A20", "v8a", "A" * 30, "1")], [row("EML4", "E17;ins30A20", "2:5", "2:200", "A" * 30, "v8a")]),
        ([truth("E17;ins61A20", "v8b", "A" * 61, "0")],
         [row("EML4", "E17;ins61A20", "2:5", "2:200", "N" * 61, "v8b|v8a")]),
        ([truth("E13;A20", "v1", ".", "0")], [row("EML4", "E13;A20", "2:5", "2:200", ".", "v1")]),
    ]
    counts = [accuracy.score(t, c) for t, c in samples]
    line = accuracy.by_evidence(counts)
    assert "1 with a read across the junction, of which 1/1 (100%)" in line
    assert "2 seen only in spanning pairs, of which 1/2 (50%) exact and named, 1 a list" in line


def test_inserted_bases_are_checked_beside_the_exact_junction():
    """An exact junction with inserted bases: every base right, some left as N (unseen), or one wrong base
    (still exact by length; the line under the table counts it)."""
    insert = "ACGTTGCAGTCAGGATCCATTTGACCGGTAACGTTAG"
    truth = [row("EML4", "E6;ins35A20", "2:5", "2:200", insert)]
    for shown, counts in ((insert, (1, 0, 0)), ("N" * 5 + insert[5:], (1, 1, 0)),
                          (insert[:-4] + "A" + insert[-3:], (1, 0, 1)), (insert[:-1], (0, 0, 0))):
        n = accuracy.score(truth, [row("EML4", "E6;ins35A20", "2:5", "2:200", shown)])
        assert (n["insert_exact"], n["insert_unseen"], n["insert_wrong"]) == counts
    line = accuracy.insert_bases([Counter(insert_exact=3, insert_unseen=1, insert_wrong=1)])
    assert "of 3 calls" in line and "1 show every base" in line and "1 have a wrong base" in line


def _independent():
    spec = importlib.util.spec_from_file_location("independent", Path(__file__).parents[1] / "benchmarks" /
                                                  "independent.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_support_from_read_spans():
    """A read across the junction with 10+ bases each side, or one mate wholly on each side, supports it;
    a read 9 bases into one side, two mates on one side, or a lone mate do not."""
    from types import SimpleNamespace

    ind = _independent()
    t = SimpleNamespace(end5=500, start3=530)  # 30 inserted bases
    fragments = {0: [[(400, 540), (600, 700)],  # split: 10 bases of each gene around the insert
                     [(491, 600), (700, 800)],  # 9 partner bases: no
                     [(400, 539), (700, 800)],  # 9 ALK bases: no
                     [(300, 400), (530, 630)],  # spanning pair
                     [(300, 400), (450, 500)],  # both on the partner
                     [(300, 400)]],  # one mate found
                 1: [[(0, 100), (600, 700)]]}
    support = ind.spans_support(fragments, [t, SimpleNamespace(end5=50, start3=50)])
    assert support == Counter({0: 2, 1: 1})
