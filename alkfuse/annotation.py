"""Read a user's annotation (GTF) and sequence (transcript FASTA or genome FASTA).

Coordinates inside alkfuse are 0-based half-open. A GTF row ``start=11 end=20`` (1-based, closed)
becomes ``(10, 20)``. Exons of a transcript are kept in transcript order (5' to 3'), so on the minus
strand they run from high to low genome coordinates.

GENCODE, Ensembl and UCSC/RefSeq style GTFs are read: transcript ids with or without a version
(``transcript_id "ENST00000389048"; transcript_version "7"`` or ``"ENST00000389048.7"``), gene names in
``gene_name`` or (UCSC) in ``gene_id``. FASTA ids are matched to GTF ids with or without version.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import ReferenceError_
from .seq import revcomp

_ATTR = re.compile(r'\s*([^\s;]+)\s+(?:"([^"]*)"|([^;\s]+))\s*;?')
_VERSION = re.compile(r"^(.+)\.(\d+)$")


def strip_version(identifier: str) -> str:
    """``ENST00000389048.7`` -> ``ENST00000389048``; ids without a numeric suffix are kept."""
    m = _VERSION.match(identifier)
    return m.group(1) if m else identifier


@dataclass(frozen=True, slots=True)
class Transcript:
    """One transcript: its exons in transcript order, genome coordinates 0-based half-open."""

    id: str  # without version
    version: str | None
    gene_id: str
    gene_name: str
    chrom: str
    strand: str  # '+' or '-'
    exons: tuple[tuple[int, int], ...]
    biotype: str = "."
    tags: tuple[str, ...] = ()
    cds: tuple[int, int] | None = None  # genome interval spanned by CDS rows (0-based half-open)

    @property
    def length(self) -> int:
        return sum(e - s for s, e in self.exons)

    @property
    def versioned_id(self) -> str:
        return f"{self.id}.{self.version}" if self.version else self.id

    def exon_bounds(self) -> list[tuple[int, int]]:
        """Exon intervals in transcript coordinates (0-based half-open), in exon order."""
        out, pos = [], 0
        for s, e in self.exons:
            out.append((pos, pos + e - s))
            pos += e - s
        return out

    def to_genome(self, txpos: int) -> int:
        """0-based genome coordinate of the transcript base at 0-based ``txpos``."""
        pos = txpos
        for s, e in self.exons:
            n = e - s
            if pos < n:
                return s + pos if self.strand == "+" else e - 1 - pos
            pos -= n
        raise ValueError(f"position {txpos} outside transcript {self.id} of length {self.length}")

    def to_transcript(self, gpos: int) -> int | None:
        """0-based transcript position of 0-based genome position ``gpos`` (None if not in an exon)."""
        pos = 0
        for s, e in self.exons:
            if s <= gpos < e:
                return pos + (gpos - s if self.strand == "+" else e - 1 - gpos)
            pos += e - s
        return None

    @property
    def cds_start(self) -> int | None:
        """Transcript position of the first coding base (None for non-coding transcripts)."""
        if self.cds is None:
            return None
        return self.to_transcript(self.cds[0] if self.strand == "+" else self.cds[1] - 1)


@dataclass(slots=True)
class Annotation:
    """Transcripts of a GTF in file order, plus the file's declared genome build (if any)."""

    transcripts: list[Transcript]
    genome_build: str | None = None
    skipped: dict[str, int] = field(default_factory=dict)

    def by_gene(self) -> dict[str, list[Transcript]]:
        out: dict[str, list[Transcript]] = {}
        for t in self.transcripts:
            out.setdefault(t.gene_name, []).append(t)
        return out


def _open_text(path: str | Path) -> io.TextIOBase:
    p = Path(path)
    if not p.exists():
        raise ReferenceError_(f"{p}: no such file")
    with open(p, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8", errors="replace")
    return open(p, encoding="utf-8", errors="replace")


def parse_attributes(text: str) -> dict[str, list[str]]:
    """GTF column 9 as a multimap (``tag`` may repeat)."""
    out: dict[str, list[str]] = {}
    for m in _ATTR.finditer(text):
        out.setdefault(m.group(1), []).append(m.group(2) if m.group(2) is not None else m.group(3))
    return out


def read_gtf(path: str | Path) -> Annotation:
    """Read the exon rows of a GTF (gzip or plain) into transcripts.

    Raises ReferenceError_ for a file that is not GTF (names the 1-based line) or holds no exon.
    """
    exons: dict[str, list[tuple[int, int]]] = {}
    cds: dict[str, tuple[int, int]] = {}
    info: dict[str, tuple] = {}
    skipped: dict[str, int] = {}
    build = None
    try:
        with _open_text(path) as fh:
            for lineno, line in enumerate(fh, 1):
                if line.startswith("#"):
                    if line.startswith("#!genome-build ") and build is None:
                        build = line.split(None, 1)[1].strip()
                    continue
                if not line.strip():
                    continue
                cols = line.rstrip("\r\n").split("\t")
                if len(cols) != 9:
                    raise ReferenceError_(
                        f"{path}: line {lineno} has {len(cols)} tab-separated columns, a GTF has 9: "
                        "is this a GTF file (not GFF3 or BED)?"
                    )
                if cols[2] not in ("exon", "CDS"):
                    continue
                try:
                    start, end = int(cols[3]) - 1, int(cols[4])
                except ValueError:
                    raise ReferenceError_(f"{path}: line {lineno}: start/end are not numbers") from None
                if cols[6] not in "+-" or end <= start:
                    raise ReferenceError_(f"{path}: line {lineno}: bad strand or interval")
                attrs = parse_attributes(cols[8])
                tid_raw = (attrs.get("transcript_id") or [""])[0]
                if not tid_raw:
                    raise ReferenceError_(f"{path}: line {lineno}: exon row without transcript_id")
                version = (attrs.get("transcript_version") or [None])[0]
                tid = strip_version(tid_raw) if version is None else tid_raw
                if version is None and tid != tid_raw:
                    version = tid_raw.rsplit(".", 1)[1]
                gene_id = (attrs.get("gene_id") or ["."])[0]
                gene_name = (attrs.get("gene_name") or attrs.get("gene") or [gene_id])[0]
                key = tid
                if cols[2] == "CDS":
                    lo, hi = cds.get(key, (start, end))
                    cds[key] = (min(lo, start), max(hi, end))
                    continue
                prev = info.get(key)
                if prev is None:
                    tags = tuple(attrs.get("tag", ()))
                    biotype = (attrs.get("transcript_biotype") or attrs.get("transcript_type") or ["."])[0]
                    info[key] = (version, strip_version(gene_id), gene_name, cols[0], cols[6], biotype, tags)
                    exons[key] = []
                elif prev[3] != cols[0] or prev[4] != cols[6]:
                    # UCSC tables repeat an id on alternative contigs / PAR copies: keep the first.
                    skipped["same id on another contig"] = skipped.get("same id on another contig", 0) + 1
                    continue
                exons[key].append((start, end))
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ReferenceError_(f"{path}: cannot read GTF ({exc}): check the file is complete") from None
    if not exons:
        raise ReferenceError_(f"{path}: no exon rows found: is this a GTF with 'exon' features?")
    transcripts = []
    for key, ex in exons.items():
        version, gene_id, gene_name, chrom, strand, biotype, tags = info[key]
        ex = sorted(set(ex))
        if strand == "-":
            ex.reverse()
        transcripts.append(
            Transcript(key, version, gene_id, gene_name, chrom, strand, tuple(ex), biotype, tags, cds.get(key))
        )
    return Annotation(transcripts, build, skipped)


def _fasta_key(header: str) -> str:
    """FASTA id as written in GENCODE (``ENST...|ENSG...|``), Ensembl or RefSeq files."""
    return header.split()[0].split("|")[0]


def read_transcript_fasta(path: str | Path) -> dict[str, str]:
    """Transcript sequences by id *without* version (upper case)."""
    import pysam

    p = Path(path)
    if not p.exists():
        raise ReferenceError_(f"{p}: no such file")
    seqs: dict[str, str] = {}
    try:
        with pysam.FastxFile(str(p)) as fh:
            for rec in fh:
                key = strip_version(_fasta_key(rec.name))
                seqs.setdefault(key, rec.sequence.upper())
    except (OSError, ValueError) as exc:
        raise ReferenceError_(f"{p}: cannot read FASTA ({exc}): check the file is complete") from None
    if not seqs:
        raise ReferenceError_(f"{p}: no FASTA records: is this a transcript FASTA?")
    return seqs


def _contig_aliases(names: Iterable[str]) -> dict[str, str]:
    """Map GTF-style contig names to the FASTA's own (``2`` <-> ``chr2``, ``MT`` <-> ``chrM``)."""
    out = {}
    for n in names:
        out[n] = n
        if n.startswith("chr"):
            bare = n[3:]
            out.setdefault(bare, n)
            if bare == "M":
                out.setdefault("MT", n)
        else:
            out.setdefault("chr" + n, n)
            if n == "MT":
                out.setdefault("chrM", n)
    return out


class Genome:
    """A genome FASTA read through pysam (plain or bgzip, with .fai/.gzi made if missing)."""

    def __init__(self, path: str | Path):
        import pysam

        self.path = Path(path)
        if not self.path.exists():
            raise ReferenceError_(f"{self.path}: no such file")
        try:
            self._fa = pysam.FastaFile(str(self.path))
        except (OSError, ValueError) as exc:
            hint = ""
            with open(self.path, "rb") as fh:
                if fh.read(2) == b"\x1f\x8b":
                    hint = ": a gzip genome must be bgzip-compressed (gunzip it, then `bgzip` it) "
            raise ReferenceError_(f"{self.path}: cannot open genome FASTA ({exc}){hint}") from None
        self.lengths = dict(zip(self._fa.references, self._fa.lengths))
        self._alias = _contig_aliases(self._fa.references)

    def contig(self, name: str) -> str | None:
        return self._alias.get(name)

    def fetch(self, chrom: str, start: int, end: int) -> str:
        return self._fa.fetch(self._alias[chrom], start, end).upper()

    def transcript_sequence(self, t: Transcript) -> str:
        parts = [self.fetch(t.chrom, s, e) for s, e in sorted(t.exons)]
        seq = "".join(parts)
        return revcomp(seq) if t.strand == "-" else seq


def attach_sequences(
    ann: Annotation, *, transcripts_fasta: str | Path | None = None, genome: Genome | None = None
) -> dict[str, str]:
    """Sequence of every annotated transcript that the FASTA holds, by transcript id.

    From a transcript FASTA, a sequence longer than the exons (poly-A tail) is cut to the exon length; a
    transcript whose sequence is shorter than its exons, or absent, is skipped and counted in
    ``ann.skipped``. Raises ReferenceError_ when the FASTA and the GTF clearly do not belong together.
    """
    out: dict[str, str] = {}
    if genome is not None:
        gtf_contigs = {t.chrom for t in ann.transcripts}
        missing = sorted(c for c in gtf_contigs if genome.contig(c) is None)
        if len(missing) == len(gtf_contigs):
            raise ReferenceError_(
                f"{genome.path}: none of the GTF's contigs ({', '.join(sorted(gtf_contigs)[:3])}...) are in "
                "the genome FASTA: are the GTF and genome from the same assembly?"
            )
        for t in ann.transcripts:
            c = genome.contig(t.chrom)
            if c is None:
                ann.skipped["contig not in genome"] = ann.skipped.get("contig not in genome", 0) + 1
                continue
            if max(e for _, e in t.exons) > genome.lengths[c]:
                raise ReferenceError_(
                    f"{genome.path}: transcript {t.id} ends past the end of contig {c}: the GTF is for "
                    "another genome build than this FASTA"
                )
            out[t.id] = genome.transcript_sequence(t)
        return out
    assert transcripts_fasta is not None
    seqs = read_transcript_fasta(transcripts_fasta)
    short = 0
    for t in ann.transcripts:
        s = seqs.get(t.id)
        if s is None:
            ann.skipped["not in FASTA"] = ann.skipped.get("not in FASTA", 0) + 1
            continue
        if len(s) < t.length:
            short += 1
            continue
        out[t.id] = s[: t.length]
    if short:
        ann.skipped["FASTA shorter than exons"] = short
    if not out:
        raise ReferenceError_(
            f"{transcripts_fasta}: no FASTA id matches a GTF transcript_id (e.g. {ann.transcripts[0].id}): "
            "use the transcript FASTA of the same release as the GTF"
        )
    if short > len(out):
        raise ReferenceError_(
            f"{transcripts_fasta}: {short} transcripts are shorter than their GTF exons: "
            "the FASTA and the GTF are from different releases"
        )
    return out


def default_canonical(transcripts: list[Transcript]) -> Transcript:
    """A gene's transcript when the panel names none: a GTF canonical/MANE tag, else the longest coding,
    else the longest (the simulator picks by the same rule, so its exon numbers are the ones calls use)."""
    for tag in ("MANE_Select", "Ensembl_canonical"):
        for t in transcripts:
            if tag in t.tags:
                return t
    first = min(t.id for t in transcripts)
    return max(transcripts, key=lambda t: (t.cds is not None, t.length, t.id == first))
