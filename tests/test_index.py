"""Annotation reading and the index: GTF styles, genome vs cDNA, determinism, real panel facts."""

import gzip
import hashlib
import json

import pytest

from alkfuse.annotation import Genome, attach_sequences, read_gtf, strip_version
from alkfuse.errors import ReferenceError_
from alkfuse.index import Index, build_index

from conftest import PANEL, SHARED


def _digest(d):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}


def test_strip_version():
    assert strip_version("ENST00000389048.7") == "ENST00000389048"
    assert strip_version("NM_004304.5") == "NM_004304"
    assert strip_version("ALK") == "ALK"


def test_real_panel_gtf_and_fasta_versions():
    ann = read_gtf(PANEL / "annotation.gtf.gz")
    assert ann.genome_build == "GRCh38"
    alk = next(t for t in ann.transcripts if t.id == "ENST00000389048")
    assert alk.version == "7" and alk.strand == "-" and len(alk.exons) == 29
    # exon 20 = chr2:29223342-29223528, starting at cDNA position 4080 (1-based)
    assert alk.exons[19] == (29223341, 29223528)
    assert alk.exon_bounds()[19][0] + 1 == 4080
    eml4 = next(t for t in ann.transcripts if t.id == "ENST00000318522")
    assert eml4.to_genome(eml4.exon_bounds()[12][1] - 1) + 1 == 42295516
    seqs = attach_sequences(ann, transcripts_fasta=PANEL / "transcripts.fa.gz")
    assert len(seqs["ENST00000389048"]) == alk.length == 6220


def test_refseq_ucsc_gtf_with_chr_prefix():
    ann = read_gtf(SHARED / "reference/sources/refseq_hg19_subset/refGene.sorted.gtf.gz")
    assert all(t.chrom.startswith("chr") for t in ann.transcripts)
    assert any(t.id.startswith("NM_") and t.gene_name == t.gene_id for t in ann.transcripts)


def test_gencode_style_versions_in_ids(tmp_path):
    gtf = tmp_path / "g.gtf.gz"
    with gzip.open(gtf, "wt") as fh:
        fh.write('chr2\tHAVANA\texon\t11\t20\t.\t+\t.\tgene_id "ENSG1.3"; transcript_id "ENST1.2"; '
                 'gene_name "ALK"; transcript_type "protein_coding"; tag "Ensembl_canonical";\n')
    (t,) = read_gtf(gtf).transcripts
    assert (t.id, t.version, t.gene_id, t.exons, t.tags) == ("ENST1", "2", "ENSG1", ((10, 20),), ("Ensembl_canonical",))


def test_not_a_gtf(tmp_path):
    p = tmp_path / "x.gtf"
    p.write_text("chr1\t100\t200\n")
    with pytest.raises(ReferenceError_, match="line 1"):
        read_gtf(p)


def test_genome_and_cdna_give_the_same_transcripts(synth_index, synth_genome_index):
    a, b = Index(synth_index), Index(synth_genome_index)
    for t in a.transcripts:
        assert a.sequence(t.idx) == b.sequence(b.by_id[t.t.id].idx)
    assert "ALK-locus" in b.by_id and "ALK-locus" not in a.by_id
    assert b.manifest["contigs"]["chr2"] > 0 and a.manifest["contigs"] == {}


def test_genome_with_other_contig_names_and_bgzip(synth_ref, tmp_path):
    import pysam

    renamed = tmp_path / "g.fa"
    renamed.write_text(synth_ref["genome"].read_text().replace(">chr", ">"))
    pysam.tabix_compress(str(renamed), str(tmp_path / "g.fa.gz"))
    g = Genome(tmp_path / "g.fa.gz")
    assert g.contig("chr2") == "2"
    out = tmp_path / "idx"
    m = build_index(synth_ref["gtf"], out, genome_fasta=tmp_path / "g.fa.gz")
    assert m["counts"]["transcripts"] == 20  # 19 annotated + ALK-locus


def test_plain_gzip_genome_is_explained(synth_ref, tmp_path):
    gz = tmp_path / "g.fa.gz"
    with gzip.open(gz, "wb") as fh:
        fh.write(synth_ref["genome"].read_bytes())
    with pytest.raises(ReferenceError_, match="bgzip"):
        Genome(gz)


def test_index_is_deterministic(synth_ref, tmp_path):
    build_index(synth_ref["gtf"], tmp_path / "a", transcripts_fasta=synth_ref["transcripts"])
    build_index(synth_ref["gtf"], tmp_path / "b", transcripts_fasta=synth_ref["transcripts"])
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_manifest_and_panel_index(panel_index):
    ix = Index(panel_index)
    m = json.loads((panel_index / "manifest.json").read_text())
    assert m["format_version"] == 1 and m["k"] == 19 and m["genome_build"] == "GRCh38"
    assert set(m["inputs"]) == {"gtf", "transcripts"} and len(m["inputs"]["gtf"]["sha256"]) == 64
    assert ix.alk.t.id == "ENST00000389048" and ix.canonical["EML4"].t.id == "ENST00000318522"
    names = ix.junction_names()
    assert "EML4|ENST00000318522|E13|ALK|ENST00000389048|A20" in names
    assert any(n.endswith("|A19") for n in names) and any(n.endswith("|A21") for n in names)
    assert m["counts"]["alk_filter_kmers"] > 1000


def test_missing_alk_is_refused(tmp_path):
    gtf = tmp_path / "a.gtf"
    gtf.write_text('1\tx\texon\t1\t30\t.\t+\t.\tgene_id "g"; gene_name "GAPDH"; transcript_id "T1";\n')
    fa = tmp_path / "t.fa"
    fa.write_text(">T1\n" + "ACGT" * 10 + "\n")
    with pytest.raises(ReferenceError_, match="ALK"):
        build_index(gtf, tmp_path / "i", transcripts_fasta=fa)
