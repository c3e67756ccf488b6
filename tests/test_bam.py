"""BAM/CRAM input: unaligned BAM == FASTQ, targeted == full scan on an aligned BAM, build checks, errors.

Every BAM is written here with pysam from the pizzly spike-in reads (744 pairs, 18 with ALK k-mers).
The aligned BAM places those reads on a GRCh38-shaped header: fragments with ALK k-mers in the ALK
locus in every way a real aligner lays them out (both mates there, mate far away, chimeric with a
hard-clipped supplementary record, only a secondary record there, unmapped mates placed or not), the
other fragments mostly far from every locus.
"""

from __future__ import annotations

import logging
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pysam
import pytest

from alkfuse.bam import _Pairer, _raw_reads, iter_bam_batches, target_regions
from alkfuse.errors import InputError
from alkfuse.index import Index
from alkfuse.reads import iter_batches
from alkfuse.seq import revcomp

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
R1 = DATA / "reads" / "pizzly_spikein" / "reads_1.fastq.gz"
R2 = DATA / "reads" / "pizzly_spikein" / "reads_2.fastq.gz"

GRCH38 = [("2", 242_193_529), ("5", 181_538_259), ("7", 159_345_973), ("17", 83_257_441)]
ALK_LOCUS = (29_192_773, 29_921_566)  # 2:, the span of ALK's transcripts in the panel annotation

PAIRED, UNMAPPED, MATE_UNMAPPED, REVERSE, MATE_REVERSE = 0x1, 0x4, 0x8, 0x10, 0x20
READ1, READ2, SECONDARY, SUPPLEMENTARY = 0x40, 0x80, 0x100, 0x800


# --------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def index_dir(panel_index) -> Path:
    """The cDNA index of the GRCh38 panel (``panel_index`` of conftest.py)."""
    return panel_index


@pytest.fixture(scope="module")
def index(index_dir) -> Index:
    return Index(index_dir)


def fragments(batches) -> list[tuple]:
    """Per fragment, in output order: ((name, seq, qual) of each mate). Checks batch numbering."""
    out = []
    for b in batches:
        assert b.first == len(out)
        mates = [b.r1] + ([b.r2] if b.r2 is not None else [])
        out += [tuple((m.name(i), m.seq(i), m.qual(i)) for m in mates) for i in range(len(b))]
    return out


def stem(name: str) -> str:
    """The template name of a FASTQ read id (``SRR1659964.63159.1`` -> ``SRR1659964.63159``)."""
    return name[:-2] if name[-2:] in (".1", ".2", "/1", "/2") else name


@pytest.fixture(scope="module")
def fastq_frags() -> list[tuple]:
    return fragments(iter_batches(str(R1), str(R2)))


@pytest.fixture(scope="module")
def candidates(index) -> set[str]:
    """Template names of the fragments with ALK pre-filter k-mers in either mate (what the scan looks at)."""
    from alkfuse.kernels import scan_reads

    table, bits = index.filter_table()
    out = set()
    for b in iter_batches(str(R1), str(R2)):
        hit = np.zeros(len(b), bool)
        for rr in (b.r1, b.r2):
            hit |= scan_reads(rr.buf, rr.seq_start, rr.seq_len, table, bits, index.k) > 0
        out |= {stem(b.r1.name(i)) for i in np.flatnonzero(hit)}
    return out


def qualities(q: str):
    return pysam.qualitystring_to_array(q)


def write_ubam(path: Path, frags: list[tuple], *, fmt: str = "wb", reference: str | None = None) -> Path:
    """An unaligned BAM like ``samtools import -1 R1 -2 R2`` makes: no @SQ, mates adjacent, names kept."""
    header = pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6", "SO": "unsorted"},
                                              "RG": [{"ID": "rg1", "SM": "sample"}]})
    with pysam.AlignmentFile(str(path), fmt, header=header, reference_filename=reference) as out:
        for frag in frags:
            for mate, (name, seq, qual) in enumerate(frag):
                a = pysam.AlignedSegment(header)
                a.query_name = name
                a.flag = (PAIRED | MATE_UNMAPPED | (READ2 if mate else READ1) if len(frag) == 2 else 0) | UNMAPPED
                a.query_sequence = seq
                a.query_qualities = qualities(qual)
                a.set_tag("RG", "rg1")
                out.write(a)
    return path


@pytest.fixture(scope="module")
def ubam(tmp_path_factory, fastq_frags) -> Path:
    return write_ubam(tmp_path_factory.mktemp("ubam") / "reads.unaligned.bam", fastq_frags)


# --------------------------------------------------------------------------------------------------
# An aligned BAM with consistent fake coordinates


class Aligned:
    """Builds the records of a coordinate-sorted BAM, mate fields and SA tags kept consistent."""

    def __init__(self, contigs):
        self.header = pysam.AlignmentHeader.from_dict(
            {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": n, "LN": ln} for n, ln in contigs]})
        self.records: list[pysam.AlignedSegment] = []

    def record(self, name, mate, seq, qual, place, *, flag=0, cigar=None, stored=None):
        """One record of read ``mate`` (0/1); ``place`` = (contig, pos, reverse) or None (unmapped)."""
        a = pysam.AlignedSegment(self.header)
        a.query_name = name
        reverse = place is not None and place[2]
        a.flag = flag | PAIRED | (READ2 if mate else READ1) | (REVERSE if reverse else 0)
        if stored is None:
            stored = (revcomp(seq), qual[::-1]) if reverse else (seq, qual)
        if stored[0] is not None:
            a.query_sequence = stored[0]
            a.query_qualities = qualities(stored[1])
        if place is None:
            a.flag |= UNMAPPED
        else:
            a.reference_name, a.reference_start = place[0], place[1]
            if not flag & UNMAPPED:
                a.cigarstring = cigar or f"{len(seq)}M"
                a.mapping_quality = 60
        self.records.append(a)
        return a

    def pair(self, name, reads, places, *, cigars=(None, None)):
        """Both primary records; an unmapped mate is placed at its mate's position (or unplaced)."""
        recs = []
        for mate, ((seq, qual), place) in enumerate(zip(reads, places)):
            other = places[1 - mate]
            if place is None and other is not None and other[0] is not None:
                place_u = (other[0], other[1], False)  # placed unmapped read
                r = self.record(name, mate, seq, qual, place_u, flag=UNMAPPED)
            elif place is None or place[0] is None:
                r = self.record(name, mate, seq, qual, None)
            else:
                r = self.record(name, mate, seq, qual, place, cigar=cigars[mate])
            recs.append(r)
        for mate, r in enumerate(recs):
            m = recs[1 - mate]
            if m.is_unmapped:
                r.flag |= MATE_UNMAPPED
            if m.is_reverse:
                r.flag |= MATE_REVERSE
            r.next_reference_id, r.next_reference_start = m.reference_id, m.reference_start
        return recs

    def write(self, path: Path, index: bool = True, cram: bool = False) -> Path:
        """Coordinate-sorted BAM, or a CRAM that embeds no reference (readable with any --reference)."""
        key = lambda a: (a.reference_id if a.reference_id >= 0 else 1 << 30, a.reference_start)  # noqa: E731
        opts = {"format_options": [b"no_ref=1"]} if cram else {}
        with pysam.AlignmentFile(str(path), "wc" if cram else "wb", header=self.header, **opts) as out:
            for a in sorted(self.records, key=key):
                out.write(a)
        if index:
            pysam.index(str(path))
        return path


LAYOUTS = ("both_alk", "mate_far", "chimeric", "secondary_only", "unmapped_pair", "mate_unmapped_placed",
           "mate_unplaced")


def build_aligned(fastq_frags, candidates, contigs=GRCH38, rename=lambda c: c) -> tuple[Aligned, dict]:
    """Place every fragment; returns the builder and the layout chosen per candidate template."""
    rng = random.Random(11)
    bam = Aligned([(rename(c), n) for c, n in contigs])
    two, five, seven, seventeen = (rename(c) for c in ("2", "5", "7", "17"))

    def far(contig=None):
        c = contig or rng.choice([five, seven, seventeen])
        return c, rng.randrange(1_000_000, 50_000_000), rng.random() < 0.5

    def in_alk(reverse=None):
        pos = rng.randrange(ALK_LOCUS[0] + 1000, ALK_LOCUS[1] - 1000)
        return two, pos, rng.random() < 0.5 if reverse is None else reverse

    layouts = {}
    n_cand = 0
    for frag in fastq_frags:
        name = stem(frag[0][0])
        reads = [(seq, qual) for _, seq, qual in frag]
        if name not in candidates:
            r = rng.random()
            if r < 0.1:  # in the EML4 locus: read by the targeted scan, not a candidate
                places = [(two, rng.randrange(42_200_000, 42_300_000), False), (two, 42_300_500, True)]
            elif r < 0.15:
                places = [None, None]
            else:
                places = [far(), far()]
            recs = bam.pair(name, reads, places)
            if rng.random() < 0.05:  # a secondary alignment elsewhere, without bases
                bam.record(name, 0, reads[0][0], reads[0][1], far(), flag=SECONDARY, stored=(None, None))
            continue
        layout = LAYOUTS[n_cand % len(LAYOUTS)]
        n_cand += 1
        layouts[name] = layout
        if layout == "both_alk":
            bam.pair(name, reads, [in_alk(False), in_alk(True)])
        elif layout == "mate_far":
            bam.pair(name, reads, [in_alk(), far(seven)])
        elif layout == "chimeric":  # read 1: primary far away, its 3' half hard-clipped in ALK
            p1, p2 = far(seventeen), far(five)
            p1 = (p1[0], p1[1], False)
            seq = reads[0][0]
            half = len(seq) // 2
            recs = bam.pair(name, reads, [p1, p2], cigars=(f"{half}M{len(seq) - half}S", None))
            s = in_alk(False)
            supp = bam.record(name, 0, seq[half:], reads[0][1][half:], s, flag=SUPPLEMENTARY,
                              cigar=f"{half}H{len(seq) - half}M")
            supp.next_reference_id, supp.next_reference_start = recs[1].reference_id, recs[1].reference_start
            recs[0].set_tag("SA", f"{s[0]},{s[1] + 1},+,{half}S{len(seq) - half}M,60,0;")
            supp.set_tag("SA", f"{p1[0]},{p1[1] + 1},+,{half}M{len(seq) - half}S,60,0;")
        elif layout == "secondary_only":  # only a secondary record in ALK: two look-ups needed
            recs = bam.pair(name, reads, [far(seven), far(five)])
            sec = bam.record(name, 0, reads[0][0], reads[0][1], in_alk(), flag=SECONDARY, stored=(None, None))
            sec.next_reference_id, sec.next_reference_start = recs[1].reference_id, recs[1].reference_start
        elif layout == "unmapped_pair":
            bam.pair(name, reads, [None, None])
        elif layout == "mate_unmapped_placed":
            bam.pair(name, reads, [in_alk(), None])
        else:  # mate_unplaced: the unmapped mate sits in the unmapped section
            bam.pair(name, reads, [in_alk(), (None, -1, False)])
    return bam, layouts


@pytest.fixture(scope="module")
def aligned(tmp_path_factory, fastq_frags, candidates) -> tuple[Path, dict]:
    bam, layouts = build_aligned(fastq_frags, candidates)
    return bam.write(tmp_path_factory.mktemp("aligned") / "reads.bam"), layouts


def by_template(frags: list[tuple]) -> dict[str, tuple]:
    """Template name -> ((seq, qual) per mate)."""
    return {stem(f[0][0]): tuple((s, q) for _, s, q in f) for f in frags}


# --------------------------------------------------------------------------------------------------
# Unaligned BAM


def test_ubam_gives_the_fastq_reads(ubam, index, fastq_frags):
    batches = iter_bam_batches(ubam, index=index, batch_size=100)
    got = fragments(batches)
    assert batches.mode == "stream"
    assert got == fastq_frags  # names, sequences, qualities, order
    assert batches.records_read == 2 * len(fastq_frags) and batches.orphans == 0


def test_ubam_single_end(tmp_path, index, fastq_frags):
    singles = [f[:1] for f in fastq_frags[:50]]
    got = list(iter_bam_batches(write_ubam(tmp_path / "se.bam", singles), index=index))
    assert [b.r2 for b in got] == [None]
    assert fragments(got) == singles


def test_ubam_cram_needs_reference(tmp_path, index, fastq_frags):
    ref = tmp_path / "ref.fa"
    ref.write_text(">dummy\n" + "ACGT" * 25 + "\n")
    pysam.faidx(str(ref))
    cram = write_ubam(tmp_path / "reads.cram", fastq_frags[:40], fmt="wc", reference=str(ref))
    with pytest.raises(InputError, match="pass --reference FASTA"):
        iter_bam_batches(cram, index=index)
    assert fragments(iter_bam_batches(cram, index=index, reference=ref)) == fastq_frags[:40]


def test_detect_on_ubam_equals_fastq(tmp_path, index_dir, ubam):
    from alkfuse.pipeline import detect

    a = detect(index_dir, tmp_path / "fq", str(R1), str(R2))
    b = detect(index_dir, tmp_path / "bam", bam=str(ubam))
    assert any(c.passed for c in a.calls)
    assert (tmp_path / "fq" / "fusions.tsv").read_bytes() == (tmp_path / "bam" / "fusions.tsv").read_bytes()
    assert a.evidence.fragments == b.evidence.fragments
    assert a.evidence.stats == b.evidence.stats


def test_pairer_pairs_by_name_or_by_adjacent_mate_suffix():
    header = pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6"}})

    def rec(name, flag):
        a = pysam.AlignedSegment(header)
        a.query_name, a.flag, a.query_sequence = name, flag | UNMAPPED, "ACGT"
        return a

    p = _Pairer()
    assert p.push(rec("a", PAIRED | READ2)) is None
    assert p.push(rec("b", PAIRED | READ1)) is None
    r1, r2 = p.push(rec("a", PAIRED | READ1))  # by name, not adjacent, READ2 came first
    assert (r1[0], r2[0]) == ("a", "a")
    assert p.push(rec("b.2", PAIRED | READ2)) is None  # not adjacent to "b": not its mate
    p = _Pairer()
    assert p.push(rec("x.1", PAIRED | READ1)) is None
    assert [r[0] for r in p.push(rec("x.2", PAIRED | READ2))] == ["x.1", "x.2"]
    assert p.push(rec("SRR1.1", PAIRED | READ1)) is None  # SRA spot 1 and spot 2 are not mates
    assert p.push(rec("SRR1.2", PAIRED | READ1)) is None
    with pytest.raises(InputError, match="twice as READ1"):
        p.push(rec("SRR1.1", PAIRED | READ1))


def test_reads_without_qualities_are_fasta_like():
    rr = _raw_reads([("r1", "", "ACGT", None), ("r2", "RX:Z:ACGTAC", "GGCC", "IIII")])
    assert (rr.name(0), rr.seq(0), rr.qual(0)) == ("r1", "ACGT", "IIII")
    assert (rr.name(1), rr.header(1), rr.seq(1), rr.qual(1)) == ("r2", "r2 RX:Z:ACGTAC", "GGCC", "IIII")
    assert rr.qual_start[0] == -1


# --------------------------------------------------------------------------------------------------
# Aligned BAM: targeted == full scan


def test_full_scan_gives_every_read(aligned, index, fastq_frags):
    path, _ = aligned
    full = iter_bam_batches(path, index=index, full_scan=True)
    got = by_template(fragments(full))
    assert got == by_template(fastq_frags)  # reverse-strand reads turned back, supplementary/secondary skipped
    assert full.orphans == 0


def test_targeted_finds_every_candidate_and_reads_little(aligned, index, fastq_frags, candidates):
    path, layouts = aligned
    assert set(layouts.values()) == set(LAYOUTS) and set(layouts) == candidates
    targeted = iter_bam_batches(path, index=index, batch_size=7)
    got = by_template(fragments(targeted))
    full = iter_bam_batches(path, index=index, full_scan=True)
    all_reads = by_template(fragments(full))
    assert targeted.mode == "targeted" and full.mode == "stream"
    assert {n: got[n] for n in candidates} == {n: all_reads[n] for n in candidates}
    assert targeted.orphans == targeted.unresolved == 0
    assert targeted.records_read * 3 < full.records_read, (targeted.records_read, full.records_read)
    print(f"records decoded: targeted {targeted.records_read}, full {full.records_read}")


def test_targeted_cram_equals_bam(tmp_path, aligned, index, fastq_frags, candidates):
    cram, _ = build_aligned(fastq_frags, candidates)
    path = cram.write(tmp_path / "reads.cram", cram=True)
    ref = tmp_path / "ref.fa"
    ref.write_text(">unused\nACGT\n")
    with pytest.raises(InputError, match="pass --reference FASTA"):
        iter_bam_batches(path, index=index)
    got = iter_bam_batches(path, index=index, reference=ref)
    assert fragments(got) == fragments(iter_bam_batches(aligned[0], index=index))
    assert got.mode == "targeted"


def test_targeted_output_is_sorted_and_repeatable(aligned, index):
    path, _ = aligned
    a = fragments(iter_bam_batches(path, index=index, batch_size=5))
    b = fragments(iter_bam_batches(path, index=index, batch_size=1000))
    assert a == b
    with pysam.AlignmentFile(str(path)) as f:  # pairs with both mates in the unmapped section come first
        unplaced = {r.query_name for r in f.fetch("*") if r.next_reference_id < 0}
    names = [f[0][0] for f in a]
    assert set(names[: len(unplaced)]) == unplaced
    assert names[len(unplaced):] == sorted(names[len(unplaced):])


def test_targeted_scan_equals_fastq_scan(aligned, index):
    from alkfuse.scan import scan_batches

    path, _ = aligned
    ev_fq = scan_batches(iter_batches(str(R1), str(R2)), index)
    ev_bam = scan_batches(iter_bam_batches(path, index=index), index)
    key = lambda ev: sorted((replace(f, name=stem(f.name)) for f in ev.fragments), key=lambda f: f.name)  # noqa: E731
    assert key(ev_bam) == key(ev_fq)
    assert ev_bam.stats.alk_kmer_fragments == ev_fq.stats.alk_kmer_fragments
    assert ev_bam.stats.fragments < ev_fq.stats.fragments


def test_orphan_mates_are_scanned_single_end(tmp_path, index, fastq_frags, candidates, caplog):
    """A BAM filtered to mapped reads (``samtools view -F 4``) loses the unmapped mates."""
    bam, _ = build_aligned(fastq_frags, candidates)
    bam.records = [a for a in bam.records if not a.is_unmapped]
    path = bam.write(tmp_path / "mapped_only.bam")
    with caplog.at_level(logging.WARNING, logger="alkfuse"):
        it = iter_bam_batches(path, index=index)
        got = list(it)
    assert it.orphans > 0 and any(b.r2 is None for b in got)
    assert "scanned as single-end reads" in caplog.text


# --------------------------------------------------------------------------------------------------
# Contig names and genome builds


def test_chr_prefixed_bam_gives_the_same_reads(tmp_path, index, fastq_frags, candidates, aligned):
    chr_bam, _ = build_aligned(fastq_frags, candidates, rename=lambda c: "chr" + c)
    path = chr_bam.write(tmp_path / "chr.bam")
    plain = fragments(iter_bam_batches(aligned[0], index=index))
    assert fragments(iter_bam_batches(path, index=index)) == plain


def test_target_regions_reconcile_names_and_merge(index):
    from alkfuse.annotation import _contig_aliases

    lengths = {"chr2": 242_193_529, "chr5": 181_538_259, "chr17": 83_257_441, "chrM": 16_569}
    regions = target_regions(index, _contig_aliases(lengths), lengths, 10_000)
    assert sorted(regions) == ["chr17", "chr2", "chr5"]
    eml4 = (42_169_349, 42_332_548)
    assert regions["chr2"] == [(ALK_LOCUS[0] - 10_000, ALK_LOCUS[1] + 10_000), (eml4[0] - 10_000, eml4[1] + 10_000)]
    merged = target_regions(index, _contig_aliases(lengths), lengths, 7_000_000)
    assert len(merged["chr2"]) == 1  # ALK and EML4 loci overlap with that much padding
    assert _contig_aliases(["MT"]).get("chrM") == "MT"


def test_genome_index_refuses_another_build(aligned, index_dir):
    idx = Index(index_dir)
    idx.manifest["contigs"] = {"chr2": 243_199_373, "chr5": 181_538_259}  # hg19 chr2
    with pytest.raises(InputError) as e:
        iter_bam_batches(aligned[0], index=idx)
    msg = str(e.value)
    assert "another genome build than the index" in msg and "2 is 242193529 bp in the BAM but 243199373" in msg
    assert "\n" not in msg
    idx.manifest["contigs"] = {"chr2": 242_193_529, "chrX": 156_040_895}
    assert iter_bam_batches(aligned[0], index=idx).mode == "targeted"
    idx.manifest["contigs"] = {"chrUn_foo": 1000}
    with pytest.raises(InputError, match="none of the index's contigs"):
        iter_bam_batches(aligned[0], index=idx)


def test_genome_index_checks_contig_lengths(tmp_path, synth_genome_index):
    """An index built from a genome knows its contig lengths; names reconcile (index chr2, BAM 2)."""
    idx = Index(synth_genome_index)
    contigs = [(c[3:], n) for c, n in sorted(idx.manifest["contigs"].items())]
    alk = idx.alk.t
    pos = min(s for s, _ in alk.exons)
    same = Aligned(contigs)
    same.pair("r", [("ACGT", "IIII")] * 2, [("2", pos, False), ("2", pos + 200, True)])
    got = iter_bam_batches(same.write(tmp_path / "same.bam"), index=idx)
    assert [f[0][0] for f in fragments(got)] == ["r"] and got.mode == "targeted"
    other = Aligned([(c, n + 1000 if c == "2" else n) for c, n in contigs])
    other.pair("r", [("ACGT", "IIII")] * 2, [("2", pos, False), ("2", pos + 200, True)])
    n = dict(contigs)["2"]
    with pytest.raises(InputError, match=f"2 is {n + 1000} bp in the BAM but {n} bp in the index"):
        iter_bam_batches(other.write(tmp_path / "other.bam"), index=idx)


def test_cdna_index_refuses_a_short_contig_and_a_known_other_build(tmp_path, index):
    short = Aligned([("2", 1_000_000), ("5", 181_538_259)])
    short.pair("r", [("ACGT", "IIII")] * 2, [("2", 100, False), ("2", 300, True)])
    with pytest.raises(InputError, match=r"transcript ENST\d+ ends at 2:\d+ but 2 is 1000000 bp"):
        iter_bam_batches(short.write(tmp_path / "short.bam"), index=index)
    hg19 = Aligned([("2", 243_199_373)])
    hg19.pair("r", [("ACGT", "IIII")] * 2, [("2", 100, False), ("2", 300, True)])
    with pytest.raises(InputError, match="as in GRCh37; the index annotation is GRCh38"):
        iter_bam_batches(hg19.write(tmp_path / "hg19.bam"), index=index)


def test_cdna_index_warns_when_the_build_cannot_be_checked(tmp_path, index, caplog):
    odd = Aligned([("2", 240_000_000)])
    odd.pair("r", [("ACGT", "IIII")] * 2, [("2", 100, False), ("2", 300, True)])
    with caplog.at_level(logging.WARNING, logger="alkfuse"):
        assert iter_bam_batches(odd.write(tmp_path / "odd.bam"), index=index).mode == "targeted"
    assert "cannot check that the BAM is aligned" in caplog.text


def test_bam_without_alk_contig(tmp_path, index):
    tx = Aligned([("ENST00000389048", 6220)])
    tx.pair("r", [("ACGT", "IIII")] * 2, [("ENST00000389048", 100, False), ("ENST00000389048", 300, True)])
    with pytest.raises(InputError, match="pass --full-scan"):
        iter_bam_batches(tx.write(tmp_path / "tx.bam"), index=index)


# --------------------------------------------------------------------------------------------------
# Errors


def test_no_index(tmp_path, index, aligned):
    path = tmp_path / "unindexed.bam"
    path.write_bytes(aligned[0].read_bytes())
    with pytest.raises(InputError, match=r"has no index: run `samtools index FILE`, or pass --full-scan"):
        iter_bam_batches(path, index=index)
    assert len(fragments(iter_bam_batches(path, index=index, full_scan=True))) == 744


@pytest.mark.parametrize("case", ["missing", "fastq", "text", "truncated", "corrupt", "directory"])
def test_bad_files(tmp_path, index, ubam, case):
    path = tmp_path / "bad.bam"
    data = ubam.read_bytes()
    if case == "fastq":
        path.write_bytes(R1.read_bytes())
    elif case == "text":
        path.write_text("hello\n")
    elif case == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif case == "corrupt":  # intact end-of-file marker, damaged blocks
        mid = len(data) // 2
        path.write_bytes(data[:mid] + bytes(200) + data[mid + 200:])
    elif case == "directory":
        path.mkdir()
    with pytest.raises(InputError) as e:
        list(iter_bam_batches(path, index=index))
    msg = str(e.value)
    assert "\n" not in msg
    expected = {"missing": "no such file", "fastq": "give it with -1/-2", "text": "not a BAM or CRAM",
                "truncated": "truncated", "corrupt": "corrupt", "directory": "is a directory"}[case]
    assert expected in msg
