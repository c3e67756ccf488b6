"""The read simulator: truth coordinates, junction reads, library model, errors, determinism."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from alkfuse.annotation import Transcript, attach_sequences, read_gtf
from alkfuse.errors import InputError, ReferenceError_
from alkfuse.panel import load_panel
from alkfuse.seq import revcomp
from alkfuse.adapters import KITS
from alkfuse.simulate import (
    STRANDS,
    FusionSpec,
    TRUTH_COLUMNS,
    build_fusion,
    choose_transcript,
    panel_canonical,
    parse_fusion_spec,
    simulate,
    simulate_command,
)

REF = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reference" / "grch38_panel"


@pytest.fixture(scope="module")
def panel():
    return load_panel()


@pytest.fixture(scope="module")
def reference():
    ann = read_gtf(REF / "annotation.gtf.gz")
    sequences = attach_sequences(ann, transcripts_fasta=REF / "transcripts.fa.gz")
    return {t.id: t for t in ann.transcripts}, sequences


@pytest.fixture(scope="module")
def synthetic():
    """One random 5 kb transcript: reads can be placed on it exactly."""
    seq = np.random.default_rng(7).choice(list("ACGT"), 5000)
    t = Transcript("TX1", None, "G1", "GENE1", "1", "+", ((0, 5000),))
    return {t.id: t}, {t.id: "".join(seq)}


def fastq(path: Path) -> list[tuple[str, str, str]]:
    lines = gzip.open(path, "rt").read().splitlines()
    return [(lines[i], lines[i + 1], lines[i + 3]) for i in range(0, len(lines), 4)]


def truth_rows(path: Path) -> list[dict[str, str]]:
    header, *rows = path.read_text().splitlines()
    assert header.split("\t") == TRUTH_COLUMNS
    return [dict(zip(TRUTH_COLUMNS, r.split("\t"))) for r in rows]


def run(reference, tmp_path, name="out", **kw):
    transcripts, sequences = reference
    args = dict(n_background_pairs=300, seed=5, fusions=[])
    args.update(kw)
    return simulate(transcripts=transcripts, sequences=sequences, out_dir=tmp_path / name, **args)


# ----------------------------------------------------------------------------- spec grammar


def test_parse_specs(panel):
    assert parse_fusion_spec("EML4:13:ALK:20@3") == FusionSpec("EML4", 13, fragments=3)
    assert parse_fusion_spec("KIF5B:24:ALK:20:ins=acgtta@2").insert == "ACGTTA"
    v4 = parse_fusion_spec("EML4:14:ALK:20:ins11:del49@4")
    assert (len(v4.insert), v4.deletion, v4.fragments) == (11, 49, 4)
    assert parse_fusion_spec("TPM3:7:ALK:20:pdel=10@5").partner_deletion == 10
    v3b = parse_fusion_spec("EML4::ALK:v3b@5", panel)
    assert (v3b.exon5, v3b.exon3, len(v3b.insert), v3b.name) == (6, 20, 33, "v3b")
    assert v3b == parse_fusion_spec("EML4::ALK:v3b@5", panel)  # seeded random insert
    assert v3b.insert != parse_fusion_spec("EML4::ALK:v3b@5", panel, seed=2).insert
    assert parse_fusion_spec("EML4::ALK:v3b:ins=" + "A" * 33 + "@5", panel).insert == "A" * 33
    npm1 = parse_fusion_spec("NPM1::ALK:E4;A20@2", panel)
    assert (npm1.gene5, npm1.exon5, npm1.name) == ("NPM1", 4, "E4;A20")


@pytest.mark.parametrize(
    "text", ["EML4:13:ALK:20", "EML4-ALK@3", "EML4:13:ALK:20:foo@3", "EML4:13:ALK:20:ins=XYZ@3",
             "EML4::ALK:v99@3", "EML4::ALK:v3b:ins=ACG@3", "EML4:13:ALK:20:del=x@3"],
)
def test_bad_specs(text, panel):
    with pytest.raises(InputError):
        parse_fusion_spec(text, panel)


# ----------------------------------------------------------------------------- truth and junction reads


def test_truth_table(reference, tmp_path, panel):
    specs = [parse_fusion_spec(t, panel) for t in
             ("EML4::ALK:v1@2", "EML4::ALK:v3b@2", "EML4::ALK:v4@2", "NPM1:4:ALK:20:pdel=10@2", "CLTC:31:ALK:20@2")]
    rows = truth_rows(run(reference, tmp_path, fusions=specs, n_background_pairs=0, panel=panel).truth_path)
    v1, v3b, v4, npm1, cltc = rows
    assert (v1["breakpoint5"], v1["breakpoint3"], v1["junction"], v1["known_variant"]) == (
        "2:42295516:+", "2:29223528:-", "E13;A20", "v1")
    assert (v1["transcript5"], v1["transcript3"]) == ("ENST00000318522", "ENST00000389048")
    assert (v3b["junction"], len(v3b["inserted_sequence"]), v3b["breakpoint5"]) == ("E6;ins33A20", 33, "2:42264731:+")
    assert (v4["junction"], v4["known_variant"], v4["breakpoint3"], v4["deletion"]) == (
        "E14;ins11del49A20", "v4", "2:29223479:-", "49")
    assert (npm1["exon5"], npm1["junction"], npm1["breakpoint5"], npm1["known_variant"]) == (
        ".", "E4-10;A20", "5:171391789:+", ".")
    assert (cltc["breakpoint5"], cltc["known_variant"], cltc["inserted_sequence"]) == (
        "17:59690711:+", "E31;A20", ".")


def test_simulated_exons_are_numbered_on_the_transcript_calls_use(reference, panel):
    """For every gene of the shared reference, the transcript the simulator numbers exons on is the one an
    index names after the gene (EWSR1 has a longer 12-exon transcript than its 17-exon Ensembl canonical
    one: simulated ``EWSR1:7:ALK:20`` was called ``E12;ins12A20`` at the very same breakpoint)."""
    from alkfuse.index import choose_canonical

    transcripts, sequences = reference
    by_gene: dict[str, list[Transcript]] = {}
    for t in transcripts.values():
        by_gene.setdefault(t.gene_name, []).append(t)
    canonical = panel_canonical(panel, by_gene, sequences)
    with_seq = [g for g, ts in sorted(by_gene.items()) if any(t.id in sequences for t in ts)]
    assert len(with_seq) > 30 and "EWSR1" in with_seq
    for gene in with_seq:
        assert choose_transcript(gene, by_gene, sequences, canonical).id == \
            choose_canonical(by_gene[gene], panel, sequences).id, gene


def test_random_inserts_leave_the_junction_unambiguous(reference):
    transcripts, sequences = reference
    by_gene = {}
    for t in transcripts.values():
        by_gene.setdefault(t.gene_name, []).append(t)
    alk = sequences["ENST00000389048"]
    for seed in range(20):
        for text in ("EML4:14:ALK:20:ins1:del49@1", "EML4:13:ALK:20:pdel=5:ins3@1"):
            spec = parse_fusion_spec(text, seed=seed)
            t = build_fusion(spec, by_gene, sequences, {})
            partner = sequences[t.transcript5.id]
            assert len(t.spec.insert) == len(spec.insert)
            assert t.spec.insert[0] != partner[t.end5] and t.spec.insert[-1] != alk[4079 + spec.deletion - 1]
    given = build_fusion(parse_fusion_spec("EML4:13:ALK:20:ins=GA@1"), by_gene, sequences, {})
    assert given.spec.insert == "GA"  # given bases are kept as they are


def test_fusion_reads_contain_the_junction(reference, tmp_path, panel):
    specs = [parse_fusion_spec("EML4::ALK:v1@30", panel), parse_fusion_spec("EML4::ALK:v3b@20", panel)]
    res = run(reference, tmp_path, fusions=specs, n_background_pairs=2000, error_rate=0, indel_rate=0,
              alk_wildtype_fragments=100, alk_ati_fragments=100, noise_chimeras=5)
    r1, r2 = fastq(res.read_files[0]), fastq(res.read_files[1])
    assert len(r1) == len(r2) == res.n_records == sum(res.fusion_fragments) + 2000 + 200 + 5
    assert all(d >= a >= 20 for d, a in zip(res.fusion_fragments, res.across_fragments))
    assert [a[0] for a in r1] == [b[0] for b in r2] == [f"@sim{i}" for i in range(1, len(r1) + 1)]
    for k, t in enumerate(res.fusions):
        # the last 10 bases of the partner exon + insert + the first 10 of ALK exon 20 (cDNA 4080)
        partner = reference[1][t.transcript5.id]
        kmer = partner[t.end5 - 10 : t.end5] + t.spec.insert + reference[1]["ENST00000389048"][4079:4089]
        assert kmer == t.sequence[t.end5 - 10 : t.start3 + 10]
        hits = [i for i, (a, b) in enumerate(zip(r1, r2))
                if any(kmer in s or revcomp(kmer) in s for s in (a[1], b[1]))]
        assert len(hits) == res.split_fragments[k] > 0
        assert max(hits) - min(hits) > len(hits)  # shuffled, not grouped
    assert res.split_fragments[0] + res.spanning_pairs[0] <= 30


# ----------------------------------------------------------------------------- library model


@pytest.mark.parametrize("strand", STRANDS)
def test_fragment_sizes_and_strandedness(synthetic, tmp_path, strand):
    res = run(synthetic, tmp_path, n_background_pairs=600, read_length=50, fragment_mean=200, fragment_sd=20,
              error_rate=0, indel_rate=0, strand=strand)
    seq = synthetic[1]["TX1"]
    sizes, r1_forward = [], 0
    for (_, a, _), (_, b, _) in zip(fastq(res.read_files[0]), fastq(res.read_files[1])):
        fwd, rev = (a, b) if a in seq else (b, a)
        r1_forward += fwd is a
        start, end = seq.index(fwd), seq.index(revcomp(rev)) + len(rev)
        sizes.append(end - start)
    assert abs(np.mean(sizes) - 200) < 5 and abs(np.std(sizes) - 20) < 5
    share = r1_forward / len(sizes)
    assert {"none": 0.4 < share < 0.6, "forward": share == 1, "reverse": share == 0}[strand]
    if strand != "none":  # the same fragments as the unstranded library of the same seed, read the other way
        plain = run(synthetic, tmp_path / "plain", n_background_pairs=600, read_length=50, fragment_mean=200,
                    fragment_sd=20, error_rate=0, indel_rate=0)
        pairs = {frozenset((a, b)) for (_, a, _), (_, b, _) in zip(*map(fastq, plain.read_files))}
        assert {frozenset((a, b)) for (_, a, _), (_, b, _) in zip(*map(fastq, res.read_files))} == pairs


def test_strand_is_for_short_reads(synthetic, tmp_path):
    with pytest.raises(InputError, match="strand"):
        run(synthetic, tmp_path, n_background_pairs=10, strand="reverse", long_reads=True)
    with pytest.raises(InputError, match="strand"):
        run(synthetic, tmp_path, n_background_pairs=10, strand="dutp")


@pytest.mark.parametrize("kit", sorted(KITS))
def test_adapters_on_short_fragments(synthetic, tmp_path, kit):
    read1, read2 = KITS[kit]
    common = next(n for n in range(len(read1)) if read1[n] != read2[n])  # the bases both adapters start with
    res = run(synthetic, tmp_path, n_background_pairs=200, read_length=100, fragment_mean=60, fragment_sd=5,
              error_rate=0, indel_rate=0, adapters=kit)
    for (_, a, _), (_, b, _) in zip(fastq(res.read_files[0]), fastq(res.read_files[1])):
        f = a.index(read1[:common])
        assert 50 <= f < 100 and b.index(read1[:common]) == f
        assert revcomp(a[:f]) == b[:f]
        assert {a[f:f + 20], b[f:f + 20]} == {read1[: min(20, 100 - f)], read2[: min(20, 100 - f)]}


def test_errors_and_qualities(synthetic, tmp_path):
    # fragments well over a read: no read runs into the adapter here
    res = run(synthetic, tmp_path, n_background_pairs=1000, error_rate=0.02, indel_rate=0, paired=False,
              fragment_mean=300, fragment_sd=20)
    assert [p.name for p in res.read_files] == ["reads.fq.gz"]
    seq = synthetic[1]["TX1"]
    both = seq + "|" + revcomp(seq)
    errors, bases, first, last = 0, 0, [], []
    for _, read, qual in fastq(res.read_files[0]):
        assert len(qual) == len(read) == 100 and all("#" <= c <= "J" for c in qual)
        first.append(ord(qual[0]))
        last.append(ord(qual[-1]))
        start = both.find(read[:20])
        if start < 0:
            continue
        wrong = [i for i, (x, y) in enumerate(zip(read, both[start : start + 100])) if x != y]
        assert all(qual[i] <= "-" for i in wrong)  # errored bases have Phred <= 12
        errors, bases = errors + len(wrong), bases + 100
    assert 0.01 < errors / bases < 0.03
    assert np.mean(first) - np.mean(last) > 5  # quality declines toward the 3' end


def test_deterministic_bytes(reference, tmp_path):
    spec = [parse_fusion_spec("EML4:13:ALK:20:ins5@3")]
    a = run(reference, tmp_path, "a", fusions=spec, indel_rate=0.01, noise_chimeras=3)
    b = run(reference, tmp_path, "b", fusions=spec, indel_rate=0.01, noise_chimeras=3)
    c = run(reference, tmp_path, "c", fusions=spec, indel_rate=0.01, noise_chimeras=3, seed=6)
    for name in ("reads_1.fq.gz", "reads_2.fq.gz", "truth.tsv"):
        assert (a.out_dir / name).read_bytes() == (b.out_dir / name).read_bytes()
    assert (a.out_dir / "reads_1.fq.gz").read_bytes() != (c.out_dir / "reads_1.fq.gz").read_bytes()


def test_long_reads(reference, tmp_path):
    res = run(reference, tmp_path, fusions=[FusionSpec("EML4", 13, fragments=5)], n_background_pairs=50,
              long_reads=True)
    lines = gzip.open(res.read_files[0], "rt").read().splitlines()
    assert res.read_files[0].name == "reads.fa.gz" and len(lines) == 2 * 55 and lines[0] == ">sim1"
    assert res.split_fragments == (5,)
    assert max(len(s) for s in lines[1::2]) > 1000


def test_reference_errors(reference, tmp_path):
    with pytest.raises(InputError):
        run(reference, tmp_path, fusions=[FusionSpec("EML4", 40)])
    with pytest.raises(ReferenceError_):
        run(reference, tmp_path, fusions=[FusionSpec("NOSUCHGENE", 2)])
    with pytest.raises(ReferenceError_):
        run(reference, tmp_path, alk_ati_fragments=3, ati_transcript="ENST00000000000")


@pytest.mark.skipif(shutil.which("art_illumina") is None, reason="art_illumina not installed")
def test_art_generator(reference, tmp_path):
    spec = [FusionSpec("EML4", 13, fragments=10)]
    a = run(reference, tmp_path, "a", fusions=spec, generator="art", read_length=75)
    b = run(reference, tmp_path, "b", fusions=spec, generator="art", read_length=75)
    r1 = fastq(a.read_files[0])
    assert len(r1) == a.n_records == sum(a.fusion_fragments) + 300 and all(len(s) == len(q) == 75 for _, s, q in r1)
    assert (a.out_dir / "reads_2.fq.gz").read_bytes() == (b.out_dir / "reads_2.fq.gz").read_bytes()


def test_command(tmp_path):
    out = tmp_path / "cli"
    result = CliRunner().invoke(simulate_command, [
        "--gtf", str(REF / "annotation.gtf.gz"), "--transcripts", str(REF / "transcripts.fa.gz"), "--out", str(out),
        "--fusion", "EML4::ALK:v1@4", "--fusion", "NPM1:4:ALK:20@3", "--background-pairs", "100", "--ati", "5",
    ])
    assert result.exit_code == 0, result.output
    rows = truth_rows(out / "truth.tsv")
    assert [(r["known_variant"], r["fragments"]) for r in rows] == [("v1", "4"), ("E4;A20", "3")]
    assert len(fastq(out / "reads_1.fq.gz")) == sum(int(r["fusion_fragments"]) for r in rows) + 100 + 5


def test_command_adapters(tmp_path):
    """--adapters picks the kit whose adapters short fragments run into; an unknown kit is a usage error."""
    args = ["--gtf", str(REF / "annotation.gtf.gz"), "--transcripts", str(REF / "transcripts.fa.gz"),
            "--background-pairs", "200", "--fragment-mean", "60", "--fragment-sd", "5", "--error-rate", "0"]
    result = CliRunner().invoke(simulate_command, args + ["--out", str(tmp_path / "n"), "--adapters", "nextera"])
    assert result.exit_code == 0, result.output
    reads = [s for _, s, _ in fastq(tmp_path / "n" / "reads_1.fq.gz")]
    assert sum("CTGTCTCTTATACACATCT" in s for s in reads) > 0.9 * len(reads)
    assert not any("AGATCGGAAGAGC" in s for s in reads)
    bad = CliRunner().invoke(simulate_command, args + ["--out", str(tmp_path / "x"), "--adapters", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output and "READ1,READ2" in bad.output
    assert not (tmp_path / "x").exists()


def test_command_adapters_of_an_unlisted_kit(tmp_path):
    """--adapters READ1,READ2: read-through sequences of a kit adapters.py does not list (to measure what
    the scan does with them); reads run into them; anything but two ACGT sequences of 8+ bases is
    a usage error."""
    args = ["--gtf", str(REF / "annotation.gtf.gz"), "--transcripts", str(REF / "transcripts.fa.gz"),
            "--background-pairs", "200", "--fragment-mean", "60", "--fragment-sd", "5", "--error-rate", "0"]
    kit = "TGGAATTCTCGGGTGCCAAGG,GATCGTCGGACTGTAGAACTC"
    result = CliRunner().invoke(simulate_command, args + ["--out", str(tmp_path / "u"), "--adapters", kit])
    assert result.exit_code == 0, result.output
    starts = [a[:15] for a in kit.split(",")]
    for mate in (1, 2):  # a mate reads either strand of its fragment, so either adapter follows it
        reads = [s for _, s, _ in fastq(tmp_path / "u" / f"reads_{mate}.fq.gz")]
        assert sum(any(a in s for a in starts) for s in reads) > 0.9 * len(reads)
        assert all(sum(a in s for s in reads) > 0.3 * len(reads) for a in starts)
    for bad in ("ACGTACGT", "ACGTACGT,ACGTAC", "ACGTACGT,ACGTNCGT", "ACGTACGT,ACGTACGT,ACGTACGT"):
        out = CliRunner().invoke(simulate_command, args + ["--out", str(tmp_path / "x"), "--adapters", bad])
        assert out.exit_code == 2 and "READ1,READ2" in out.output, bad


def test_poly_g_tails(synthetic, tmp_path):
    """--poly-g F: about that fraction of reads end in 10 to half a read of G at a good quality, the rest
    as without it (the same bases where no tail was put); the fraction is checked, and long reads refuse it."""
    common = dict(n_background_pairs=2000, read_length=100, fragment_mean=300, fragment_sd=20, error_rate=0,
                  indel_rate=0)
    plain = run(synthetic, tmp_path, "plain", **common)
    tails = run(synthetic, tmp_path, "tails", poly_g=0.2, **common)
    seq = synthetic[1]["TX1"]
    both = seq + "|" + revcomp(seq)
    n = with_tail = 0
    for f in (0, 1):
        for (_, a, _), (_, b, qb) in zip(fastq(plain.read_files[f]), fastq(tails.read_files[f])):
            n += 1
            if a != b:
                with_tail += 1
                d = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)  # the tail, or a G before it
                assert b[d:] == "G" * (len(b) - d) and qb[d:] == "F" * (len(b) - d) and len(b) - d <= 50
                assert len(b) - len(b.rstrip("G")) >= 10 and b[:d] in both
    assert 0.17 < with_tail / n < 0.23
    with pytest.raises(InputError):
        run(synthetic, tmp_path, "bad", poly_g=1.5)
    with pytest.raises(InputError):
        run(synthetic, tmp_path, "long", poly_g=0.1, long_reads=True)
