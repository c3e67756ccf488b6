"""Reciprocal ALK::partner transcripts (ALK exons 1-19, then the partner's 3' exons): the scan keeps their
fragments apart from fusion evidence, and the caller counts those that fit a partner::ALK call."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from alkfuse.annotation import attach_sequences, read_gtf
from alkfuse.evidence import Fragment, Reciprocal, merge_evidence, read_evidence, write_evidence
from alkfuse.index import Index
from alkfuse.panel import load_panel
from alkfuse.pipeline import detect, scan
from alkfuse.seq import revcomp
from alkfuse.simulate import parse_fusion_spec, simulate

PANEL = load_panel()
ALK, EML4 = "ENST00000389048", "ENST00000318522"


@pytest.fixture(scope="module")
def reference(synth_ref):
    ann = read_gtf(synth_ref["gtf"])
    seqs = attach_sequences(ann, transcripts_fasta=synth_ref["transcripts"])
    return {t.id: t for t in ann.transcripts}, seqs


def _fastq(path: Path, reads: dict[str, str]) -> str:
    with gzip.open(path, "wt") as fh:
        for name, r in reads.items():
            fh.write(f"@{name}\n{r}\n+\n{'I' * len(r)}\n")
    return str(path)


def _rows(path: Path) -> list[dict]:
    head, *lines = path.read_text().splitlines()
    return [dict(zip(head.split("\t"), line.split("\t"))) for line in lines]


def test_scan_keeps_reciprocal_reads_apart(reference, synth_index, tmp_path):
    """A read from the end of ALK exon 19 into EML4 exon 14 (either strand) and a pair with its sense read
    in ALK and its antisense mate in EML4 are reciprocal fragments with their exact places; a read across
    ALK exon 19-20 (wild type) and a fusion pair (EML4 sense, ALK antisense) are not. The records survive
    the evidence file and merge by addition."""
    txs, seqs = reference
    alk, eml4 = seqs[ALK], seqs[EML4]
    e19 = txs[ALK].exon_bounds()[18][1]
    a20 = txs[ALK].exon_bounds()[19][0]
    x14 = txs[EML4].exon_bounds()[13][0]
    split = alk[e19 - 60 : e19] + eml4[x14 : x14 + 40]
    single = {"split": split, "split_rev": revcomp(split), "wildtype": alk[e19 - 50 : e19 + 50]}
    ev = scan(Index(synth_index), _fastq(tmp_path / "se.fq.gz", single))
    recs = {r.name: r for r in ev.reciprocal}
    assert sorted(recs) == ["split", "split_rev"]
    for r in recs.values():
        assert (r.gene, r.tx, r.start, r.end, r.alk_tx, r.alk_start, r.alk_end, r.split) == (
            "EML4", EML4, x14, x14 + 40, ALK, e19 - 60, e19, True)
    assert ev.stats.reciprocal_fragments == 2 and ev.fragments == []

    r1 = {"pair": alk[e19 - 150 : e19 - 50], "fusion": eml4[x14 - 120 : x14 - 20]}
    r2 = {"pair": revcomp(eml4[x14 + 30 : x14 + 130]), "fusion": revcomp(alk[a20 + 30 : a20 + 130])}
    ev2 = scan(Index(synth_index), _fastq(tmp_path / "r1.fq.gz", r1), _fastq(tmp_path / "r2.fq.gz", r2))
    assert [(r.name, r.start, r.end, r.alk_start, r.alk_end, r.split) for r in ev2.reciprocal] == [
        ("pair", x14 + 30, x14 + 130, e19 - 150, e19 - 50, False)]
    assert [f.name for f in ev2.fragments if isinstance(f, Fragment) and f.span is not None] == ["fusion"]

    write_evidence(ev, tmp_path / "a.jsonl.gz")
    write_evidence(ev2, tmp_path / "b.jsonl.gz")
    assert read_evidence(tmp_path / "a.jsonl.gz").reciprocal == ev.reciprocal
    merged = merge_evidence([tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"])
    assert [r.name for r in merged.reciprocal] == ["pair", "split", "split_rev"]
    assert merged.stats.reciprocal_fragments == 3
    assert all(isinstance(r, Reciprocal) for r in merged.reciprocal)


def _sample(reference, out: Path, specs: list[str], seed: int = 5, **kw):
    txs, seqs = reference
    kw = {"n_background_pairs": 3000, **kw}
    return simulate(transcripts=txs, sequences=seqs, out_dir=out, seed=seed, panel=PANEL,
                    fusions=[parse_fusion_spec(s, PANEL, seed=seed) for s in specs], **kw)


def test_reciprocal_fragments_counted_beside_the_call(reference, synth_index, tmp_path):
    """EML4::ALK v1 and NPM1::ALK beside their reciprocal transcripts (150 fragments each): each call counts
    most of its reciprocal's fragments, never more than there are, and never the other partner's."""
    sim = _sample(reference, tmp_path / "sim", ["EML4::ALK:v1@10", "NPM1:4:ALK:20@10", "ALK:19:EML4:14@150",
                                                 "ALK:19:NPM1:5@150"])
    res = detect(synth_index, tmp_path / "out", *map(str, sim.read_files), sample="s")
    rows = {r["gene5"]: r for r in _rows(res.paths["tsv"])}
    assert sorted(rows) == ["EML4", "NPM1"]
    for gene in rows:
        assert 120 <= int(rows[gene]["reciprocal_fragments"]) <= 150, rows[gene]
    import json

    calls = {c["gene5"]: c for c in json.loads(res.paths["json"].read_text())["fusions"]}
    names = {g: c["reciprocal_reads"] for g, c in calls.items()}
    for gene in rows:  # one name per fragment counted, none of them the call's own
        assert len(names[gene]) == int(rows[gene]["reciprocal_fragments"]) == len(set(names[gene]))
        assert not set(names[gene]) & set(calls[gene]["supporting_reads"])
    assert not set(names["EML4"]) & set(names["NPM1"])
    assert _rows(res.paths["discarded"]) == []
    assert res.evidence.stats.reciprocal_fragments >= 240
    assert res.warnings == []  # each reciprocal has its call beside it


def test_reciprocal_that_does_not_fit_the_call_is_not_counted(reference, synth_index, tmp_path):
    """A reciprocal transcript from EML4 exon 10 on overlaps what EML4::ALK v1 (exon 13) keeps: it is no
    other derivative of that rearrangement, and the v1 call counts none of it (nor does it make a call)."""
    sim = _sample(reference, tmp_path / "sim", ["EML4::ALK:v1@10", "ALK:19:EML4:10@150"])
    res = detect(synth_index, tmp_path / "out", *map(str, sim.read_files), sample="s")
    rows = _rows(res.paths["tsv"])
    assert [(r["junction"], r["reciprocal_fragments"]) for r in rows] == [("E13;A20", "0")]
    assert res.evidence.stats.reciprocal_fragments >= 120


@pytest.mark.parametrize("long_reads", [False, True], ids=["single-end", "long reads"])
def test_reciprocal_reads_without_mates_are_counted(reference, synth_index, tmp_path, long_reads):
    """Single-end short reads and long reads (1-20 kb, ~1% errors) of the reciprocal transcripts: counted
    beside their calls from the reads that cross the reciprocal junction (every one, for long reads)."""
    sim = _sample(reference, tmp_path / "sim", ["EML4::ALK:v1@10", "ALK:19:EML4:14@40", "NPM1:4:ALK:20@10",
                                                 "ALK:19:NPM1:5@20"], paired=False, long_reads=long_reads,
                  n_background_pairs=300 if long_reads else 3000)
    res = detect(synth_index, tmp_path / "out", *map(str, sim.read_files), sample="s")
    rows = {r["gene5"]: int(r["reciprocal_fragments"]) for r in _rows(res.paths["tsv"])}
    assert sorted(rows) == ["EML4", "NPM1"]
    if long_reads:
        assert rows == {"EML4": 40, "NPM1": 20}
    else:
        # a read shows the junction only when it crosses it with 19+ partner bases (a seed)
        assert 16 <= rows["EML4"] <= 40 and 8 <= rows["NPM1"] <= 20, rows


def test_detect_says_the_reciprocal_count_in_its_summary(reference, synth_index, tmp_path, capsys):
    from alkfuse.cli import main

    sim = _sample(reference, tmp_path / "sim", ["EML4::ALK:v1@10", "ALK:19:EML4:14@30"])
    r1, r2 = map(str, sim.read_files)
    assert main(["detect", "--index", str(synth_index), "-1", r1, "-2", r2, "--out", str(tmp_path / "out")]) == 0
    line = next(x for x in capsys.readouterr().err.splitlines() if "EML4::ALK E13;A20" in x)
    n = int(line.split("; ")[1].split()[0])
    assert 20 <= n <= 30 and line.endswith(f"; {n} of the reciprocal transcript")


def test_reciprocal_transcript_alone_is_no_call_but_a_warning(reference, synth_index, tmp_path, capsys):
    """Only the reciprocal ALK::EML4 (and wild-type ALK, ALK-ATI): no call, no discarded row, the count per
    partner in stats.json, and a warning in the summary that its EML4::ALK may have been missed."""
    import json

    from alkfuse.cli import main

    txs, seqs = reference
    sim = simulate(transcripts=txs, sequences=seqs, out_dir=tmp_path / "sim", seed=3, panel=PANEL,
                   n_background_pairs=3000, alk_wildtype_fragments=60, alk_ati_fragments=60,
                   fusions=[parse_fusion_spec("ALK:19:EML4:14@30", PANEL, seed=3)])
    r1, r2 = map(str, sim.read_files)
    out = tmp_path / "out"
    assert main(["detect", "--index", str(synth_index), "-1", r1, "-2", r2, "--out", str(out)]) == 0
    assert _rows(out / "fusions.tsv") == [] and _rows(out / "fusions.discarded.tsv") == []
    n = json.loads((out / "stats.json").read_text())["reciprocal_by_partner"]["EML4"]
    assert 20 <= n <= 30
    err = capsys.readouterr().err
    assert f"WARNING: ALK::EML4 (reciprocal transcript) in {n} fragments, but no EML4::ALK call" in err


def test_reciprocal_counts_do_not_depend_on_threads_or_shards(reference, synth_index, tmp_path):
    """Two threads, and the reads scattered over two scans whose evidence is gathered, give the same bytes
    as one scan of everything, reciprocal records and counts included."""
    from alkfuse.pipeline import call_files, scan_to_file

    sim = _sample(reference, tmp_path / "sim", ["EML4::ALK:v1@10", "ALK:19:EML4:14@40"])
    r1, r2 = map(Path, sim.read_files)
    one = detect(synth_index, tmp_path / "one", str(r1), str(r2), sample="s")
    two = detect(synth_index, tmp_path / "two", str(r1), str(r2), sample="s", threads=2)
    parts = []
    for i in (0, 1):
        mates = []
        for m, path in enumerate((r1, r2), 1):
            with gzip.open(path, "rt") as fh:
                lines = fh.read().splitlines(keepends=True)
            records = ["".join(lines[n : n + 4]) for n in range(0, len(lines), 4)]
            mates.append(tmp_path / f"s{i}_{m}.fq.gz")
            with gzip.open(mates[-1], "wt") as out:
                out.write("".join(records[i::2]))
        parts.append(str(tmp_path / f"s{i}.jsonl.gz"))
        scan_to_file(synth_index, parts[-1], *map(str, mates))
    gathered = call_files(synth_index, parts, tmp_path / "gathered", sample="s")
    assert int(_rows(one.paths["tsv"])[0]["reciprocal_fragments"]) >= 30
    for res in (two, gathered):
        for name in ("tsv", "discarded", "json"):
            assert res.paths[name].read_bytes() == one.paths[name].read_bytes(), name
        assert res.stats["reciprocal_by_partner"] == one.stats["reciprocal_by_partner"]


def _pair_only_junction(index, e_mates: int, a20: int, mean: int):
    """An imprecise EML4::ALK junction from three spanning pairs whose EML4 mates end at ``e_mates`` and whose
    ALK mates start at ALK exon 20, with a library of ``mean`` +- 50 bases (evidence with its length sample)."""
    from alkfuse.caller import Junction
    from alkfuse.evidence import Evidence, Span

    canon, alk = index.canonical["EML4"], index.alk
    frags = []
    for i, shift in enumerate((0, 10, 20)):
        span = Span("EML4", canon.t.id, e_mates - 60 - shift, e_mates - shift, alk.t.id, a20 + 40 + shift,
                    a20 + 100 + shift, False)
        frags.append((Fragment(f"p{i}", "", ("A" * 60,) * 2, ("I" * 60,) * 2, (False, True), (), span), "span", []))
    ev = Evidence(index.checksum(), index.k)
    ev.stats.add_fragment_lengths(np.random.default_rng(1).normal(mean, 50, 4000).astype(int))
    j = Junction("EML4", canon.idx, e_mates, alk.idx, a20, "", precise=False, fragments=frags)
    return j, ev


def test_reciprocal_reads_place_the_partner_end_of_a_pair_only_call(synth_index):
    """Spanning pairs alone put EML4::ALK's EML4 end at the exon their fragment lengths fit best; two
    reciprocal reads whose EML4 part starts one exon earlier (the partner break lies in the intron before
    it) move it there, and say so."""
    from alkfuse.caller import place_imprecise

    index = Index(synth_index)
    canon, alk = index.canonical["EML4"], index.alk
    bounds = canon.t.exon_bounds()
    a20 = alk.t.exon_bounds()[19][0]
    moved = 0
    for n in range(3, len(bounds) - 2):  # the pairs fit EML4 exon n + 1's end a little better than exon n's
        e1, e0 = bounds[n - 1][1], bounds[n][1]
        # the pairs imply (e - start5) + (end3 - a20) bases at end e, with start5 = e1 - 60 - shift: 180 (+-10)
        # at e1; the library's mean lies 60% of the way from there to what they imply at e0
        mean = 180 + int(0.6 * (e0 - e1))
        j, ev = _pair_only_junction(index, e1, a20, mean)
        place_imprecise([j], ev, index, PANEL, {})
        if j.end5 != e0 or "listed variant" in j.inferred:
            continue  # the frame prior decides here already, or a listed variant's x4 (EML4 exon 6: v3a)
        j, ev = _pair_only_junction(index, e1, a20, mean)
        ev.reciprocal = [Reciprocal(f"r{i}", "", "EML4", canon.t.id, e1, e1 + 40, alk.t.id, a20 - 60, a20, True,
                                    "") for i in range(2)]
        place_imprecise([j], ev, index, PANEL, {})
        assert j.end5 == e1 and "2 reciprocal-transcript reads begin in the next exon" in j.inferred
        moved += 1
    assert moved >= 2
