"""Read input from BAM/CRAM (and SAM): the same :class:`~alkfuse.reads.ReadBatch` es that FASTQ gives.

Two ways through a file:

- **Stream** (unaligned BAM, or ``full_scan``): every primary record in file order. Mates are paired by
  name; mates that sit next to each other also pair when their names differ only by a ``/1 /2 .1 .2``
  suffix (``samtools import`` keeps such names). A pair is emitted when its second mate arrives, so an
  unaligned BAM gives its fragments in FASTQ order, and memory holds only reads whose mate is still ahead.
- **Targeted** (aligned, coordinate-sorted, indexed BAM/CRAM): reads only what can hold ALK fusion
  evidence. (1) Every record overlapping ALK or a partner locus of the index (transcript span +- padding),
  where supplementary records put chimeric reads with an SA tag into the ALK locus. (2) The unmapped
  section (``fetch("*")``), streamed like an unaligned BAM. (3) The primary records still missing, looked
  up at the positions other records point to (mate fields; the first SA entry of a supplementary record),
  positions grouped into a few windows, in rounds until nothing new turns up. Fragments of step 2 come
  out as they complete, then those of steps 1 and 3 sorted by name: the output never depends on the
  order of fetches. Not seen: an unmapped read placed at its mate's position outside every locus, and
  chimeric reads whose supplementary records were removed from the file; ``full_scan`` sees everything.

Reads are always built from primary records (secondary and supplementary ones lack bases when hard
clipped). BAM stores reverse-strand reads reverse-complemented: that is undone, so the bytes are the
sequenced read, as in the FASTQ. A pair whose mate is not in the file is scanned as a single-end read.
"""

from __future__ import annotations

import bisect
import gzip
import logging
import os
from typing import Iterator

import numpy as np

from .annotation import _contig_aliases
from .errors import InputError
from .index import ROLE_KINASE, ROLE_PARTNER, Index
from .reads import RawReads, ReadBatch

log = logging.getLogger("alkfuse")

# SAM flags
PAIRED, UNMAPPED, REVERSE, READ1, READ2, SECONDARY, SUPPLEMENTARY = 0x1, 0x4, 0x10, 0x40, 0x80, 0x100, 0x800

LOOKUP_GAP = 1_000
"""Mate positions closer than this on a contig are looked up with one fetch."""

LOOKUP_ROUNDS = 4
"""Rounds of look-ups (a read found only through a secondary record needs two: mate, then read)."""

CHR2_LENGTH = {"GRCh37": 243_199_373, "GRCh38": 242_193_529, "T2T-CHM13": 242_696_752}
"""Length of chromosome 2 (ALK's) in the human builds, to check a BAM against a cDNA index's build."""

_BUILD_ALIASES = {"hg19": "GRCh37", "hg38": "GRCh38", "CHM13": "T2T-CHM13", "hs1": "T2T-CHM13"}

_Read = tuple  # (name, comment, seq, qual | None): one read, as the sequencer gave it


# --------------------------------------------------------------------------------------------------
# Records -> reads -> batches


def _read_of(rec) -> _Read:
    """The read of a primary record, in sequencing orientation; an ``RX`` UMI tag becomes the comment."""
    seq = rec.get_forward_sequence() or ""
    qual = rec.query_qualities_str
    if qual is not None and rec.flag & REVERSE:
        qual = qual[::-1]
    comment = f"RX:Z:{rec.get_tag('RX')}" if rec.has_tag("RX") else ""
    return rec.query_name, comment, seq, qual


def _raw_reads(reads: list[_Read]) -> RawReads:
    """Lay reads out as FASTQ text (FASTA for reads without qualities) in one buffer, with offsets."""
    n = len(reads)
    name_start, name_end, seq_start, qual_start = (np.empty(n, np.int64) for _ in range(4))
    seq_len = np.empty(n, np.int32)
    parts: list[str] = []
    pos = 0
    for i, (name, comment, seq, qual) in enumerate(reads):
        head = f"{'>' if qual is None else '@'}{name} {comment}\n" if comment else \
            f"{'>' if qual is None else '@'}{name}\n"
        name_start[i] = pos + 1
        name_end[i] = pos + 1 + len(name)
        seq_start[i] = pos + len(head)
        seq_len[i] = len(seq)
        if qual is None:
            qual_start[i] = -1
            parts.append(f"{head}{seq}\n")
        else:
            qual_start[i] = pos + len(head) + len(seq) + 3
            parts.append(f"{head}{seq}\n+\n{qual}\n")
        pos += len(parts[-1])
    # 'replace' keeps one byte per character, so the offsets stay right even for odd names.
    buf = np.frombuffer("".join(parts).encode("ascii", "replace"), np.uint8).copy()
    return RawReads(buf, name_start, name_end, seq_start, seq_len, qual_start)


class _Batcher:
    """Collects fragments into paired and single-end batches of ``size``, numbering fragments."""

    def __init__(self, size: int):
        self.size = size
        self.pairs: list[tuple[_Read, _Read]] = []
        self.singles: list[_Read] = []
        self.first = 0

    def add(self, r1: _Read, r2: _Read | None) -> ReadBatch | None:
        """Queue one fragment; returns a batch when one is full."""
        if r2 is None:
            self.singles.append(r1)
            return self._single() if len(self.singles) >= self.size else None
        self.pairs.append((r1, r2))
        return self._paired() if len(self.pairs) >= self.size else None

    def finish(self) -> Iterator[ReadBatch]:
        """The batches of what is left."""
        if self.pairs:
            yield self._paired()
        if self.singles:
            yield self._single()

    def _paired(self) -> ReadBatch:
        pairs, self.pairs = self.pairs, []
        return self._batch(_raw_reads([p[0] for p in pairs]), _raw_reads([p[1] for p in pairs]))

    def _single(self) -> ReadBatch:
        singles, self.singles = self.singles, []
        return self._batch(_raw_reads(singles), None)

    def _batch(self, r1: RawReads, r2: RawReads | None) -> ReadBatch:
        b = ReadBatch(r1, r2, self.first)
        self.first += len(r1)
        return b


def _strip_mate(name: str) -> str:
    if len(name) > 2 and name[-2] in "/." and name[-1] in "12":
        return name[:-2]
    return name


def _mate_pointer(rec) -> tuple[str, int] | None:
    """Where the mate's record lies (mapped, or unmapped but placed), if anywhere."""
    if rec.flag & PAIRED and rec.next_reference_id >= 0:
        return rec.next_reference_name, rec.next_reference_start
    return None


class _Pairer:
    """Pairs a stream of primary records into fragments (see the module docstring)."""

    def __init__(self):
        self.waiting: dict[str, tuple[int, _Read, tuple[str, int] | None]] = {}
        self.last: str | None = None  # name of the previous record, if it is still waiting

    def push(self, rec) -> tuple[_Read, _Read | None] | None:
        """Take one primary record; returns ``(r1, r2)`` (``r2`` None if single-end) once complete."""
        read = _read_of(rec)
        flag = rec.flag
        if not flag & PAIRED:
            self.last = None
            return read, None
        slot = 1 if flag & READ2 else 0
        name = read[0]
        other = self.waiting.pop(name, None)
        if other is None and self.last is not None and self.last != name:
            prev = self.waiting[self.last]
            if prev[0] != slot and _strip_mate(self.last) == _strip_mate(name):
                other = self.waiting.pop(self.last)
        if other is None:
            self.waiting[name] = (slot, read, _mate_pointer(rec))
            self.last = name
            return None
        self.last = None
        if other[0] == slot:
            raise InputError(f"read {name} occurs twice as READ{slot + 1} (flags 0x40/0x80): the BAM "
                             "holds duplicated records; remove them (samtools view -F 0x900) or re-generate it")
        return (other[1], read) if slot == 1 else (read, other[1])


# --------------------------------------------------------------------------------------------------
# Opening and checking


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def _some(names) -> str:
    """The first three names, for a message."""
    return ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")


def _sniff(path: str) -> str:
    """``BAM``, ``CRAM`` or ``SAM`` from the file's first bytes; InputError for anything else."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file: check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory: give a BAM or CRAM file") from None
    except OSError as e:
        raise InputError(f"{path} cannot be read ({_one_line(e)}): check the file") from None
    if head == b"CRAM":
        return "CRAM"
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                inner = fh.read(4)
        except (OSError, EOFError):
            inner = b""
        if inner == b"BAM\x01":
            return "BAM"
        if inner[:1] in (b"@", b">"):
            raise InputError(f"{path} is gzip-compressed FASTQ/FASTA, not a BAM or CRAM file: give it with -1/-2")
        raise InputError(f"{path} is gzip-compressed but not a BAM file: give a BAM or CRAM file")
    if head[:1] == b"@" and head[3:4] == b"\t":
        return "SAM"
    if head[:1] in (b"@", b">"):
        raise InputError(f"{path} is FASTQ/FASTA, not a BAM or CRAM file: give it with -1/-2")
    raise InputError(f"{path} is not a BAM or CRAM file (it starts with {ascii(head)[2:-1]}): give a BAM or CRAM")


def _open(path: str, fmt: str, reference: str | None, threads: int):
    """Open with pysam; every failure becomes an InputError that says what to do."""
    import pysam

    if fmt == "CRAM" and reference is None:
        raise InputError(f"{path} is a CRAM file: pass --reference FASTA (the genome it was compressed against)")
    if reference is not None and not os.path.exists(reference):
        raise InputError(f"{reference}: no such file: --reference must be the genome FASTA of the CRAM")
    verbosity = pysam.set_verbosity(0)  # htslib's own messages would repeat ours
    try:
        return pysam.AlignmentFile(path, check_sq=False, threads=max(1, threads),
                                   reference_filename=reference if fmt == "CRAM" else None)
    except OSError as e:
        if "truncated" in str(e) or "EOF marker" in str(e):
            raise InputError(f"{path} is truncated (no end-of-file marker): re-download or re-generate it") from None
        raise InputError(f"{path} cannot be opened ({_one_line(e)}): check that it is a complete {fmt} file") from None
    except ValueError as e:
        raise InputError(f"{path} is not a valid {fmt} file ({_one_line(e)}): check the file") from None
    finally:
        pysam.set_verbosity(verbosity)


def _canonical_build(name: str | None) -> str | None:
    """``GRCh38.p13`` / ``hg38`` -> ``GRCh38``; None when unknown."""
    if not name:
        return None
    for build in CHR2_LENGTH:
        if name.startswith(build):
            return build
    for alias, build in _BUILD_ALIASES.items():
        if name.startswith(alias):
            return build
    return None


def _check_build(path: str, index: Index, lengths: dict[str, int], contig_of: dict[str, str]) -> None:
    """Refuse a BAM aligned to another genome build than the index (see the module docstring)."""
    genome = index.manifest.get("contigs") or {}
    if genome:
        shared = [(c, contig_of[c]) for c in sorted(genome) if c in contig_of]
        if not shared:
            raise InputError(f"{path}: none of the index's contigs ({_some(sorted(genome))}) are in "
                             "the BAM: it is aligned to another reference; pass --full-scan to read every record")
        alk_chrom = index.alk.t.chrom
        shared.sort(key=lambda x: contig_of.get(alk_chrom) != x[1])  # report ALK's contig first
        for c, b in shared:
            if genome[c] != lengths[b]:
                raise InputError(f"{path}: the BAM is aligned to another genome build than the index ({b} is "
                                 f"{lengths[b]} bp in the BAM but {genome[c]} bp in the index): use an index "
                                 "of the BAM's genome, or pass --full-scan")
        return
    for ti in index.transcripts:
        if ti.role not in (ROLE_KINASE, ROLE_PARTNER) or ti.t.chrom not in contig_of:
            continue
        b = contig_of[ti.t.chrom]
        end = max(e for _, e in ti.t.exons)
        if end > lengths[b]:
            raise InputError(f"{path}: the BAM is aligned to another genome build than the index ({ti.gene} "
                             f"transcript {ti.t.id} ends at {b}:{end} but {b} is {lengths[b]} bp in the BAM): "
                             "use an index of the BAM's genome build, or pass --full-scan")
    build = _canonical_build(index.manifest.get("genome_build"))
    alk_contig = contig_of[index.alk.t.chrom]
    if build is not None and lengths[alk_contig] in CHR2_LENGTH.values():
        if lengths[alk_contig] != CHR2_LENGTH[build]:
            bam_build = next(k for k, v in CHR2_LENGTH.items() if v == lengths[alk_contig])
            raise InputError(f"{path}: the BAM is aligned to another genome build than the index ({alk_contig} "
                             f"is {lengths[alk_contig]} bp in the BAM, as in {bam_build}; the index annotation is "
                             f"{build}): use an index of the BAM's genome build, or pass --full-scan")
        return
    log.warning("%s: cannot check that the BAM is aligned to the index's genome build (the index was built from "
                "transcripts and %s is %d bp): ALK and partner loci are looked up by the index's coordinates",
                path, alk_contig, lengths[alk_contig])


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def target_regions(index: Index, contig_of: dict[str, str], lengths: dict[str, int],
                   padding: int, roles=(ROLE_KINASE, ROLE_PARTNER)) -> dict[str, list[tuple[int, int]]]:
    """BAM contig -> merged, sorted 0-based half-open intervals: ALK and every partner gene of the index
    (span of the gene's transcripts, +- ``padding``). Genes on contigs the BAM lacks are left out (logged)."""
    spans: dict[str, tuple[str, int, int]] = {}
    for ti in index.transcripts:
        if ti.role not in roles:
            continue
        lo = min(s for s, _ in ti.t.exons)
        hi = max(e for _, e in ti.t.exons)
        chrom, s, e = spans.get(ti.gene, (ti.t.chrom, lo, hi))
        spans[ti.gene] = (chrom, min(s, lo), max(e, hi))
    out: dict[str, list[tuple[int, int]]] = {}
    for gene, (chrom, lo, hi) in sorted(spans.items()):
        b = contig_of.get(chrom)
        if b is None:
            log.warning("%s (contig %s) is not in the BAM's contigs: its reads are not looked up", gene, chrom)
            continue
        out.setdefault(b, []).append((max(0, lo - padding), min(lengths[b], hi + padding)))
    return {b: _merge(iv) for b, iv in out.items()}


PROPER, MATE_UNMAPPED, SOFT_CLIP, MIN_CLIP = 0x2, 0x8, 4, 8


def _plain(rec, tid: int, start: int, end: int) -> bool:
    """A primary record of a proper pair whose mate lies in the same region, without a soft clip of
    MIN_CLIP+ bases or an SA tag: an ordinary transcript read of the region's gene."""
    flag = rec.flag
    if flag & (UNMAPPED | MATE_UNMAPPED | SECONDARY | SUPPLEMENTARY) or not flag & PROPER:
        return False
    if rec.next_reference_id != tid or not start <= rec.next_reference_start < end:
        return False
    if any(op == SOFT_CLIP and n >= MIN_CLIP for op, n in rec.cigartuples):
        return False
    return not rec.has_tag("SA")


def _inside(regions: dict[str, list[tuple[int, int]]], contig: str, pos: int) -> bool:
    iv = regions.get(contig, ())
    i = bisect.bisect_right(iv, (pos, float("inf"))) - 1
    return i >= 0 and iv[i][0] <= pos < iv[i][1]


def _windows(positions: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """Group look-up positions into fetch windows ``(contig, start, end)``, sorted."""
    out: list[tuple[str, int, int]] = []
    for contig, pos in sorted(positions):
        if out and out[-1][0] == contig and pos - out[-1][2] < LOOKUP_GAP:
            out[-1] = (contig, out[-1][1], pos + 1)
        else:
            out.append((contig, pos, pos + 1))
    return out


# --------------------------------------------------------------------------------------------------
# The reader


class _Fragment:
    """A template being collected in targeted mode: its primary reads and where missing ones may lie."""

    __slots__ = ("reads", "paired", "pointers")

    def __init__(self):
        self.reads: list[_Read | None] = [None, None]
        self.paired = False
        self.pointers: set[tuple[str, int]] = set()

    def complete(self) -> bool:
        return self.reads[0] is not None and (self.reads[1] is not None or not self.paired)


class BamBatches:
    """Iterator over the :class:`ReadBatch` es of a BAM/CRAM; made by :func:`iter_bam_batches`.

    After (or during) iteration: ``mode`` (``"stream"`` or ``"targeted"``), ``records_read`` (records
    decoded, all fetches included), ``orphans`` (reads scanned single-end because their mate is not in
    the file) and ``unresolved`` (templates seen only through secondary/supplementary records).
    """

    def __init__(self, path, index: Index, threads: int, reference, full_scan: bool, batch_size: int,
                 padding: int):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.path = os.fspath(path)
        self.threads = threads
        self.reference = None if reference is None else os.fspath(reference)
        self.batch_size = batch_size
        self.records_read = 0
        self.orphans = 0
        self.unresolved = 0
        self.regions: dict[str, list[tuple[int, int]]] = {}
        self.alk_regions: dict[str, list[tuple[int, int]]] = {}
        self.format = _sniff(self.path)
        with self._open() as f:
            self.mode = "stream" if full_scan else self._choose_mode(f)
            if self.mode == "targeted":
                lengths = dict(zip(f.references, f.lengths))
                contig_of = _contig_aliases(f.references)
                if index.alk.t.chrom not in contig_of:
                    raise InputError(f"{self.path}: ALK's contig ({index.alk.t.chrom}) is not among the BAM's "
                                     f"contigs ({_some(f.references)}): the BAM is aligned to a transcriptome or "
                                     "another reference; pass --full-scan to read every record")
                _check_build(self.path, index, lengths, contig_of)
                self.regions = target_regions(index, contig_of, lengths, padding)
                self.alk_regions = target_regions(index, contig_of, lengths, padding, roles=(ROLE_KINASE,))
        self._gen = self._run()

    def __iter__(self) -> BamBatches:
        return self

    def __next__(self) -> ReadBatch:
        return next(self._gen)

    def _open(self):
        return _open(self.path, self.format, self.reference, self.threads)

    def _choose_mode(self, f) -> str:
        """``stream`` for unaligned reads, ``targeted`` for an indexed aligned file; else InputError.

        Unplaced unmapped reads sort last, so the first record tells (index statistics would not: a
        CRAM index holds none). A header left over from an aligner does not make reads aligned."""
        first = next(f.fetch(until_eof=True), None)
        if first is None or first.reference_id < 0:
            return "stream"
        if f.has_index():
            return "targeted"
        sorted_ = f.header.to_dict().get("HD", {}).get("SO") == "coordinate"
        todo = "run `samtools index FILE`" if sorted_ else "sort and index it (`samtools sort`, `samtools index`)"
        raise InputError(f"{self.path}: the BAM has no index: {todo}, or pass --full-scan (reads every record)")

    def _run(self) -> Iterator[ReadBatch]:
        try:
            with self._open() as f:
                yield from self._stream(f) if self.mode == "stream" else self._targeted(f)
        except OSError as e:  # raised while reading, or when closing after a read error
            raise InputError(f"{self.path} is truncated or corrupt ({_one_line(e)}): re-download or "
                             "re-generate it") from None
        if self.orphans:
            log.warning("%s: %d reads whose mate is not in the file were scanned as single-end reads",
                        self.path, self.orphans)
        if self.unresolved:
            log.warning("%s: %d templates were seen only as secondary/supplementary records (their primary "
                        "records were not found) and were not scanned", self.path, self.unresolved)
        log.info("%s: %s read, %d records decoded", self.path, self.mode, self.records_read)

    def _stream(self, f) -> Iterator[ReadBatch]:
        batcher = _Batcher(self.batch_size)
        pairer = _Pairer()
        for rec in f.fetch(until_eof=True):
            self.records_read += 1
            if rec.flag & (SECONDARY | SUPPLEMENTARY):
                continue
            frag = pairer.push(rec)
            if frag is not None and (b := batcher.add(*frag)) is not None:
                yield b
        for _, read, _ in pairer.waiting.values():
            self.orphans += 1
            if (b := batcher.add(read, None)) is not None:
                yield b
        yield from batcher.finish()

    # -- targeted ------------------------------------------------------------------------------------------
    def _take(self, frag: _Fragment, rec) -> None:
        """Note what one record of a wanted template gives: a primary read, or pointers to primaries."""
        flag = rec.flag
        frag.paired |= bool(flag & PAIRED)
        mate = _mate_pointer(rec)
        if mate is not None:
            frag.pointers.add(mate)
        if flag & (SECONDARY | SUPPLEMENTARY):
            if flag & SUPPLEMENTARY and rec.has_tag("SA"):
                contig, pos = rec.get_tag("SA").split(",", 2)[:2]  # the first entry is the primary record
                frag.pointers.add((contig, int(pos) - 1))
            return
        slot = 1 if flag & READ2 else 0
        if frag.reads[slot] is None:
            frag.reads[slot] = _read_of(rec)

    def _targeted(self, f) -> Iterator[ReadBatch]:
        frags: dict[str, _Fragment] = {}
        for contig, intervals in sorted(self.regions.items()):
            for start, end in intervals:
                wanted = None
                if not any(s < end and start < e for s, e in self.alk_regions.get(contig, ())):
                    # A partner locus: a pair aligned wholly inside it, unclipped, holds no ALK sequence.
                    # A first pass names the other templates; the second decodes only those.
                    tid = f.get_tid(contig)
                    wanted = set()
                    for rec in f.fetch(contig, start, end):
                        self.records_read += 1
                        if not _plain(rec, tid, start, end):
                            wanted.add(rec.query_name)
                for rec in f.fetch(contig, start, end):
                    self.records_read += 1
                    name = rec.query_name
                    frag = frags.get(name)
                    if frag is None:
                        if wanted is not None and name not in wanted:
                            continue
                        frag = frags[name] = _Fragment()
                    self._take(frag, rec)

        batcher = _Batcher(self.batch_size)
        yield from self._unmapped_section(f, frags, batcher)
        self._look_up(f, frags)

        for name in sorted(frags):
            frag = frags[name]
            if frag.complete():
                b = batcher.add(frag.reads[0], frag.reads[1])
            elif any(frag.reads):
                self.orphans += 1
                b = batcher.add(frag.reads[0] or frag.reads[1], None)
            else:
                self.unresolved += 1
                b = None
            if b is not None:
                yield b
        yield from batcher.finish()

    def _unmapped_section(self, f, frags: dict[str, _Fragment], batcher: _Batcher) -> Iterator[ReadBatch]:
        """Stream the unplaced unmapped reads: mates of wanted templates join them; other pairs come out
        as they complete; a read whose mate is elsewhere becomes a wanted template."""
        pairer = _Pairer()
        for rec in f.fetch("*"):
            self.records_read += 1
            if rec.flag & (SECONDARY | SUPPLEMENTARY):
                continue
            frag = frags.get(rec.query_name)
            if frag is not None:
                self._take(frag, rec)
                continue
            done = pairer.push(rec)
            if done is not None and (b := batcher.add(*done)) is not None:
                yield b
        for name, (slot, read, pointer) in pairer.waiting.items():
            frag = frags[name] = _Fragment()
            frag.paired = True
            frag.reads[slot] = read
            if pointer is not None:
                frag.pointers.add(pointer)

    def _look_up(self, f, frags: dict[str, _Fragment]) -> None:
        """Fetch missing primary records at the positions their template's records point to."""
        contigs = set(f.references)  # an SA tag may name a contig the header lacks
        fetched: set[tuple[str, int]] = set()
        for _ in range(LOOKUP_ROUNDS):
            todo = {p for fr in frags.values() if not fr.complete() for p in fr.pointers
                    if p not in fetched and p[0] in contigs and not _inside(self.regions, *p)}
            if not todo:
                return
            fetched |= todo
            for contig, start, end in _windows(sorted(todo)):
                for rec in f.fetch(contig, start, end):
                    self.records_read += 1
                    frag = frags.get(rec.query_name)
                    if frag is not None and not frag.complete():
                        self._take(frag, rec)


def iter_bam_batches(path, *, index: Index, threads: int = 1, reference=None, full_scan: bool = False,
                     batch_size: int = 50_000, padding: int = 10_000) -> BamBatches:
    """Reads of a BAM/CRAM/SAM file as :class:`ReadBatch` es, like :func:`alkfuse.reads.iter_batches`.

    An unaligned BAM (or any file with ``full_scan``) is read whole; an aligned, indexed one only where
    ALK fusion evidence can be (see the module docstring). ``threads`` decompress BGZF; a CRAM needs
    ``reference`` (its genome FASTA); ``padding`` bases are added on both sides of each gene locus.
    The file is opened and checked at once (missing, not a BAM, truncated, no index, another genome
    build: :class:`~alkfuse.errors.InputError`); reading happens during iteration.
    """
    return BamBatches(path, index, threads, reference, full_scan, batch_size, padding)
