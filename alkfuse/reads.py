"""Read input: stream FASTQ or FASTA reads as batches of raw bytes plus offset arrays.

A file (gzip or plain, detected by its magic bytes; ``-`` is stdin) is read in large chunks. A numba
kernel walks each chunk once, checks every record and writes where each name, sequence and quality
string starts; nothing is made per read in Python. A batch holds whole records only: the incomplete
record at the end of a chunk is carried into the next one, and a record longer than a chunk makes the
buffer grow (up to :data:`MAX_RECORD_BYTES`).

Sequence bytes are upper-cased in the batch buffer while parsing, so downstream kernels see only
``ACGTN`` (and whatever else the file holds, which they treat as N). FASTA records may span several
lines: their sequence is compacted in place into one run of bytes.

Deviation from the plan: chunking does not use ``dnaio.read_chunks``; it cannot grow its buffer
(it raises after consuming the data) and reuses that buffer, which would cost a copy per chunk. Here
the parse kernel finds the record boundaries itself and each batch owns a fresh buffer.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import stat
import sys
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ._numba import njit
from .errors import InputError

log = logging.getLogger("alkfuse")

MAX_RECORD_BYTES = 1 << 30
"""The buffer grows up to this size to hold one record; a longer record is an error."""

# Status codes of the parse kernels (kernels return a code; Python turns it into a message).
OK, TRUNCATED, BAD_HEADER, NO_PLUS, QUAL_LEN, BAD_QUAL, BLANK_LINE = range(7)


# --------------------------------------------------------------------------------------------------
# Batches


@dataclass(slots=True)
class RawReads:
    """One mate of a batch: the raw chunk bytes and, per read, where its parts are.

    ``buf`` is owned by the batch (no other batch shares it). Sequences in it are upper case.
    ``qual_start`` is -1 for FASTA reads.
    """

    buf: np.ndarray
    name_start: np.ndarray
    name_end: np.ndarray
    seq_start: np.ndarray
    seq_len: np.ndarray
    qual_start: np.ndarray

    def __len__(self) -> int:
        return len(self.seq_start)

    def _text(self, start: int, end: int) -> str:
        return self.buf[start:end].tobytes().decode("utf-8", "replace")

    def name(self, i: int) -> str:
        """The read id: no '@' or '>', cut at the first whitespace, without a trailing /1 or /2."""
        s, e = int(self.name_start[i]), int(self.name_end[i])
        if e - s >= 2 and self.buf[e - 2] == 47 and self.buf[e - 1] in (49, 50):
            e -= 2
        return self._text(s, e)

    def seq(self, i: int) -> str:
        """The sequence, upper case."""
        s = int(self.seq_start[i])
        return self._text(s, s + int(self.seq_len[i]))

    def qual(self, i: int) -> str:
        """The quality string (phred+33 as stored); ``'I' * len`` for FASTA reads."""
        q = int(self.qual_start[i])
        if q < 0:
            return "I" * int(self.seq_len[i])
        return self._text(q, q + int(self.seq_len[i]))

    def header(self, i: int) -> str:
        """The whole header line after '@' or '>' (comments kept, e.g. UMIs or barcodes)."""
        s, e = int(self.name_start[i]), int(self.seq_start[i]) - 1
        if e > s and self.buf[e - 1] == 13:
            e -= 1
        return self._text(s, e)

    def head(self, m: int) -> RawReads:
        """The first ``m`` reads (views, same buffer)."""
        return self.select(slice(0, m))

    def select(self, idx) -> RawReads:
        """The reads ``idx`` (a slice: views; an index array: copies, contiguous), same buffer."""
        return RawReads(self.buf, self.name_start[idx], self.name_end[idx], self.seq_start[idx],
                        self.seq_len[idx], self.qual_start[idx])


@dataclass(slots=True)
class ReadBatch:
    """Reads of consecutive fragments: ``r1[i]`` and ``r2[i]`` are mates; ``r2`` is None if single."""

    r1: RawReads
    r2: RawReads | None
    first: int  # 0-based index of this batch's first fragment in the whole input

    def __len__(self) -> int:
        return len(self.r1)


# --------------------------------------------------------------------------------------------------
# Kernels (pure: no I/O, no exceptions; errors come back as status codes)


# Speed notes: loops run over views starting at 0 (``v = buf[a:b]; v[k]``) so numba can drop its
# negative-index wraparound and LLVM can vectorise them; ``buf[k]`` with k from ``range(a, b)`` is ~5x
# slower. Sequence and quality lines are first checked against the previous record's line length with
# branch-free (vectorised) loops; only when that guess fails are they scanned byte by byte.


@njit
def _find(buf, p, byte):
    """Index of the first ``byte`` at or after p, or ``max(p, len(buf))``."""
    v = buf[p:]
    k = 0
    while k < v.size and v[k] != byte:
        k += 1
    return p + k


@njit
def _id_end(buf, p, h):
    """Index of the first space or tab in ``buf[p:h]``, or h."""
    v = buf[p:h]
    k = 0
    while k < v.size and v[k] != 32 and v[k] != 9:
        k += 1
    return p + k


@njit
def _is_id(buf, a, e, h):
    """True if ``buf[a:e]`` holds no space or tab and ends the id (space, tab or end h of the line)."""
    if e < a or e > h or (e < h and buf[e] != 32 and buf[e] != 9):
        return False
    v = buf[a:e]
    ws = 0
    for k in range(v.size):
        ws += (v[k] == 32) | (v[k] == 9)
    return ws == 0


@njit
def _is_line(buf, a, n):
    """True if ``buf[a:a+n]`` holds no '\\n' and ``buf[a+n]`` is '\\n'."""
    if n < 0 or a + n >= buf.size or buf[a + n] != 10:
        return False
    v = buf[a : a + n]
    nl = 0
    for k in range(v.size):
        nl += v[k] == 10
    return nl == 0


@njit
def _first_bad_qual(buf, a, b):
    """Index of the first byte of ``buf[a:b]`` outside '!'..'~', or -1."""
    v = buf[a:b]
    bad = 0
    for k in range(v.size):
        bad += (v[k] < 33) | (v[k] > 126)
    if bad == 0:
        return -1
    k = 0
    while v[k] >= 33 and v[k] <= 126:
        k += 1
    return a + k


@njit
def _upper(v):
    """Upper-case a-z in the view ``v``."""
    for k in range(v.size):
        c = v[k]
        v[k] = c - 32 if (c >= 97 and c <= 122) else c


@njit
def _parse_fastq(buf, at_eof, name_start, name_end, seq_start, seq_len, qual_start):
    """Parse whole 4-line FASTQ records from ``buf``; at most ``len(name_start)`` of them.

    A record is judged only once its four lines are complete ('\\n'-terminated); an incomplete one
    ends the parse (or is TRUNCATED if ``at_eof``). Sequences of accepted records are upper-cased in
    place. Lines may end in '\\r\\n'. Trailing blank lines at the end of the input are allowed.
    Returns ``(n, consumed, status)``: records written, bytes they (and trailing blank lines at EOF)
    take, and a status code; on error ``consumed`` is the start of the bad record.
    """
    end = buf.size
    cap = name_start.size
    n = 0
    pos = 0
    guess_h = guess_s = guess_n = -1  # previous header line, sequence line and id lengths
    while n < cap and pos < end:
        c = buf[pos]
        if c == 10 or c == 13:  # a blank line: fine only if nothing but blank lines follow
            p = pos
            while p < end and (buf[p] == 10 or buf[p] == 13):
                p += 1
            if p < end:
                return n, pos, BLANK_LINE
            if at_eof:
                pos = end
            break
        # find the four line ends: h, e_s, e_p, e_q
        if not _is_line(buf, pos, guess_h):
            guess_h = _find(buf, pos, 10) - pos
        h = pos + guess_h
        s = h + 1
        if not _is_line(buf, s, guess_s):
            guess_s = _find(buf, s, 10) - s
        e_s = s + guess_s
        p_line = e_s + 1
        e_p = _find(buf, p_line, 10)
        q = e_p + 1
        slen = e_s - s
        if slen > 0 and buf[e_s - 1] == 13:
            slen -= 1
        # quality: as long as the sequence line, all of it '!'..'~' (so no '\n'), then '\n'?
        e_q = q + guess_s
        good = e_q < end and buf[e_q] == 10 and (slen == guess_s or buf[e_q - 1] == 13)
        if good:
            good = _first_bad_qual(buf, q, q + slen) < 0
        if not good:
            e_q = _find(buf, q, 10)
        if e_q >= end:  # fewer than four complete lines
            if at_eof:
                return n, pos, TRUNCATED
            break
        if buf[pos] != 64:
            return n, pos, BAD_HEADER
        if buf[p_line] != 43:
            return n, pos, NO_PLUS
        if not good:
            qlen = e_q - q
            if qlen > 0 and buf[e_q - 1] == 13:
                qlen -= 1
            if qlen != slen:
                return n, pos, QUAL_LEN
            if _first_bad_qual(buf, q, q + qlen) >= 0:
                return n, pos, BAD_QUAL
        ne = pos + 1 + guess_n
        if not _is_id(buf, pos + 1, ne, h):
            ne = _id_end(buf, pos + 1, h)
            guess_n = ne - pos - 1
        if ne == h and buf[h - 1] == 13:
            ne = h - 1
        _upper(buf[s : s + slen])
        name_start[n] = pos + 1
        name_end[n] = ne
        seq_start[n] = s
        seq_len[n] = slen
        qual_start[n] = q
        n += 1
        pos = e_q + 1
    return n, pos, OK


@njit
def _parse_fasta(buf, at_eof, name_start, name_end, seq_start, seq_len):
    """Parse whole FASTA records from ``buf``; at most ``len(name_start)`` of them.

    A record is its header line plus every line up to the next line starting with '>'; it is
    complete once that next header is seen, or at EOF. Its sequence (bytes above ' ' of those
    lines, upper-cased) is compacted in place right after the header and the bytes freed behind it
    are set to '\\n', so parsing the same bytes again gives the same records. Blank lines are skipped.
    Returns ``(n, consumed, status)`` like :func:`_parse_fastq`.
    """
    end = buf.size
    cap = name_start.size
    n = 0
    pos = 0
    while n < cap and pos < end:
        c = buf[pos]
        if c == 10 or c == 13:
            pos += 1
            continue
        if c != 62:
            return n, pos, BAD_HEADER
        h = _find(buf, pos, 10)
        if h >= end:
            if at_eof:
                return n, pos, TRUNCATED
            break
        ne = _id_end(buf, pos + 1, h)
        if ne == h and buf[h - 1] == 13:
            ne = h - 1
        p = h + 1  # the record ends at the next line that starts with '>'
        while p < end and buf[p] != 62:
            p = _find(buf, p, 10) + 1
        if p >= end:
            if not at_eof:
                break
            p = end
        v = buf[h + 1 : p]
        w = 0
        for k in range(v.size):  # compact: keep bytes above ' ', upper-cased
            c = v[k]
            if c > 32:
                v[w] = c - 32 if (c >= 97 and c <= 122) else c
                w += 1
        v[w:] = 10
        name_start[n] = pos + 1
        name_end[n] = ne
        seq_start[n] = h + 1
        seq_len[n] = w
        n += 1
        pos = p
    return n, pos, OK


@njit
def _strip_mate(buf, s, e):
    """End of the id without a trailing '/1', '/2', '.1' or '.2'."""
    if e - s >= 2 and (buf[e - 1] == 49 or buf[e - 1] == 50) and (buf[e - 2] == 47 or buf[e - 2] == 46):
        return e - 2
    return e


@njit
def _first_name_mismatch(buf1, start1, end1, buf2, start2, end2):
    """Index of the first pair whose ids differ (after :func:`_strip_mate`), or -1."""
    for i in range(start1.size):
        a, b = start1[i], start2[i]
        ae, be = _strip_mate(buf1, a, end1[i]), _strip_mate(buf2, b, end2[i])
        if ae - a != be - b:
            return i
        v1, v2 = buf1[a:ae], buf2[b:be]
        diff = 0
        for k in range(v1.size):  # branch-free, vectorised
            diff |= v1[k] ^ v2[k]
        if diff:
            return i
    return -1


@njit
def uppercase_inplace(buf, starts, lens):
    """Upper-case ``buf[starts[i]:starts[i]+lens[i]]`` for every i (a-z only)."""
    for i in range(starts.size):
        _upper(buf[starts[i] : starts[i] + lens[i]])


def _check_buf(buf: np.ndarray) -> None:
    if not (isinstance(buf, np.ndarray) and buf.dtype == np.uint8 and buf.ndim == 1
            and buf.flags.c_contiguous and buf.flags.writeable):
        raise TypeError("buf must be a writable, contiguous 1-d uint8 numpy array")


def parse_chunk(buf: np.ndarray, *, fasta: bool = False, at_eof: bool = True,
                capacity: int | None = None) -> tuple[RawReads, int, int]:
    """Parse whole records at the start of ``buf`` (modified in place: upper-casing, FASTA compaction).

    Returns ``(reads, consumed, status)``: the reads found (at most ``capacity``), how many bytes
    they take, and a status code (``OK`` or the error of the record starting at ``consumed``).
    """
    _check_buf(buf)
    if capacity is None:
        capacity = len(buf) // 6 + 1
    cap = max(int(capacity), 0)
    ns, ne, ss, qs = (np.empty(cap, np.int64) for _ in range(4))
    sl = np.empty(cap, np.int32)
    if fasta:
        n, consumed, status = _parse_fasta(buf, at_eof, ns, ne, ss, sl)
        qs[:] = -1
    else:
        n, consumed, status = _parse_fastq(buf, at_eof, ns, ne, ss, sl, qs)
    reads = RawReads(buf, ns[:n], ne[:n], ss[:n], sl[:n], qs[:n])
    return reads, int(consumed), int(status)


def first_name_mismatch(r1: RawReads, r2: RawReads) -> int:
    """Index of the first mate pair with different ids (ignoring /1 /2 .1 .2 suffixes), or -1."""
    if len(r1) != len(r2):
        raise ValueError("r1 and r2 must hold the same number of reads")
    return int(_first_name_mismatch(r1.buf, r1.name_start, r1.name_end,
                                    r2.buf, r2.name_start, r2.name_end))


# --------------------------------------------------------------------------------------------------
# Opening and streaming


_FOREIGN_MAGIC = {
    b"BZh": "bzip2-compressed: decompress it or re-compress it with gzip",
    b"\xfd7zXZ": "xz-compressed: decompress it or re-compress it with gzip",
    b"\x28\xb5\x2f\xfd": "zstd-compressed: decompress it or re-compress it with gzip",
    b"BAM\x01": "a BAM file: convert it to FASTQ first (samtools fastq)",
}


class _Prefixed(io.RawIOBase):
    """A binary stream that returns ``head`` first, then the rest of ``raw`` (for unseekable input)."""

    def __init__(self, head: bytes, raw):
        self.head, self.raw = head, raw

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.head:
            k = min(len(b), len(self.head))
            b[:k] = self.head[:k]
            self.head = self.head[k:]
            return k
        return self.raw.readinto(b)


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def _open_error(label: str, e: OSError) -> InputError:
    if isinstance(e, FileNotFoundError):
        return InputError(f"{label}: no such file: check the path")
    if isinstance(e, IsADirectoryError):
        return InputError(f"{label} is a directory: give a FASTQ or FASTA file")
    if isinstance(e, PermissionError):
        return InputError(f"{label} cannot be read (permission denied): fix its permissions")
    return InputError(f"{label} cannot be read ({_one_line(e)}): check the file")


def _check_readable(path: str) -> None:
    """Fail now (not at the first batch) on a missing or unreadable file."""
    if path == "-":
        return
    try:  # stat, not open: opening and closing a named pipe would break its writer
        mode = os.stat(path).st_mode
    except OSError as e:
        raise _open_error(path, e) from None
    if stat.S_ISDIR(mode):
        raise _open_error(path, IsADirectoryError())
    if not os.access(path, os.R_OK):
        raise _open_error(path, PermissionError())


class _Source:
    """One input file: a decompressed byte stream and the buffer being filled from it."""

    def __init__(self, path: str, threads: int, chunk_bytes: int, stack: contextlib.ExitStack):
        self.label = "<stdin>" if path == "-" else path
        self.chunk_bytes = chunk_bytes
        self.gzip = False
        try:
            if path == "-":
                raw = sys.stdin.buffer
            else:
                raw = stack.enter_context(open(path, "rb", buffering=0))
            head = raw.read(4) or b""
            try:
                raw.seek(0)
            except (OSError, io.UnsupportedOperation, AttributeError):
                raw = _Prefixed(head, raw)
        except OSError as e:
            raise _open_error(self.label, e) from None
        for magic, what in _FOREIGN_MAGIC.items():
            if head.startswith(magic):
                raise InputError(f"{self.label} is {what}")
        if head[:2] == b"\x1f\x8b":
            from isal import igzip, igzip_threaded

            self.gzip = True
            if threads > 0:
                raw = stack.enter_context(igzip_threaded.open(raw, "rb", threads=1))
            else:
                raw = stack.enter_context(igzip.open(raw, "rb"))
        self.stream = raw
        self.buf = np.empty(chunk_bytes, np.uint8)
        self.fill = 0
        self.eof = False
        self.fasta: bool | None = None
        self.records = 0  # records handed out so far
        self.bytes_per_record = 48.0  # running estimate, sizes the offset arrays

    @property
    def exhausted(self) -> bool:
        return self.eof and self.fill == 0

    def _readinto(self, view) -> int:
        try:
            return self.stream.readinto(view)
        except EOFError:
            raise InputError(f"{self.label} is a truncated gzip file: re-download or re-compress it") from None
        except Exception as e:  # zlib/isal errors, BadGzipFile, OSError
            if self.gzip:
                raise InputError(f"{self.label} is a corrupt gzip file ({_one_line(e)}): "
                                 "re-download or re-compress it") from None
            if isinstance(e, OSError):
                raise _open_error(self.label, e) from None
            raise

    def read(self) -> None:
        """Fill the buffer from the stream until it is full or the input ends."""
        view = memoryview(self.buf)
        while not self.eof and self.fill < len(self.buf):
            k = self._readinto(view[self.fill:])
            if not k:
                self.eof = True
                if self.fill and self.buf[self.fill - 1] != 10:  # last line without '\n'
                    self._resize(self.fill + 1)
                    self.buf[self.fill] = 10
                    self.fill += 1
            else:
                self.fill += k
        if self.fasta is None and self.fill:
            self._detect_format()

    def _detect_format(self) -> None:
        head = self.buf[: min(self.fill, 4096)].tobytes()
        first = head.lstrip()[:1]
        if first in (b"@", b">"):
            self.fasta = first == b">"
            return
        for magic, what in _FOREIGN_MAGIC.items():
            if head.startswith(magic):
                raise InputError(f"{self.label} is {what}")
        raise InputError(f"{self.label} is not FASTQ or FASTA (it starts with {ascii(head[:12])[1:]}): "
                         "give reads as FASTQ ('@' records) or FASTA ('>' records), plain or gzip")

    def _resize(self, size: int) -> None:
        new = np.empty(size, np.uint8)
        new[: self.fill] = self.buf[: self.fill]
        self.buf = new

    def grow(self) -> None:
        """Double the buffer: a record does not fit."""
        if len(self.buf) >= MAX_RECORD_BYTES:
            raise InputError(f"{self.label}: record {self.records + 1} is longer than "
                             f"{MAX_RECORD_BYTES >> 20} MiB: the file is corrupt or not reads")
        self._resize(min(2 * len(self.buf), MAX_RECORD_BYTES))

    def parse(self, capacity: int | None = None) -> tuple[RawReads, int]:
        """Parse the records in the buffer; raise InputError on a bad record."""
        if capacity is None:
            capacity = int(self.fill / self.bytes_per_record * 1.25) + 16
        reads, consumed, status = parse_chunk(self.buf[: self.fill], fasta=bool(self.fasta),
                                              at_eof=self.eof, capacity=capacity)
        if status != OK:
            raise self._error(status, consumed, len(reads))
        if len(reads):
            self.bytes_per_record = 0.5 * self.bytes_per_record + 0.5 * consumed / len(reads)
        return reads, consumed

    def take(self, reads: RawReads, m: int, consumed: int) -> RawReads:
        """Hand out the first ``m`` parsed reads; the bytes after them start a fresh buffer."""
        if m < len(reads):
            consumed = int(reads.name_start[m]) - 1
        out = reads.head(m)
        out.buf = self.buf[:consumed]
        left = self.fill - consumed
        new = np.empty(max(self.chunk_bytes, left), np.uint8)  # never grows here
        new[:left] = self.buf[consumed : self.fill]
        self.buf, self.fill = new, left
        self.records += m
        return out

    def _error(self, status: int, start: int, n: int) -> InputError:
        """The message for a bad record starting at ``start`` (the n-th of this chunk)."""
        record = self.records + n + 1
        if self.fasta:
            where = f"{self.label} record {record}"
            if status == TRUNCATED:
                return InputError(f"{where}: the file ends inside a FASTA header: it is truncated; "
                                  "re-download or re-generate it")
            return InputError(f"{where}: expected a FASTA header starting with '>': the file is corrupt")
        line0 = 4 * (record - 1) + 1
        lines = self.buf[start : self.fill].tobytes().split(b"\n", 4)[:4]
        lines = [x[:-1] if x.endswith(b"\r") else x for x in lines]

        def at(k: int, what: str) -> InputError:
            return InputError(f"{self.label} line {line0 + k} (record {record}): {what}")

        if status == BLANK_LINE:
            return at(0, "blank line between records: remove blank lines from the file")
        if status == TRUNCATED:
            return at(0, "the file ends inside this record: it is truncated; re-download or re-generate it")
        if status == BAD_HEADER:
            return at(0, f"expected a FASTQ header starting with '@', found {ascii(lines[0][:30])[1:]}: "
                         "the file is corrupt or not FASTQ")
        if status == NO_PLUS:
            return at(2, f"expected the '+' separator line, found {ascii(lines[2][:30])[1:]}: the file is "
                         "corrupt or multi-line FASTQ; give 4-line FASTQ records")
        if status == QUAL_LEN:
            return at(3, f"the quality string has {len(lines[3])} characters but the sequence has "
                         f"{len(lines[1])}: the file is corrupt; re-download or re-generate it")
        bad = next(chr(c) for c in lines[3] if c < 33 or c > 126)
        return at(3, f"invalid quality character {bad!r}: qualities must be phred+33 ('!' to '~')")


INTERLEAVED_CHECK = 1000
"""A single read file is taken as interleaved pairs when its first records (up to this many) alternate
mates: records 2i and 2i+1 share an id (after /1 /2 .1 .2), and not every record has the same id."""


def looks_interleaved(reads: RawReads) -> bool:
    """True if ``reads`` (the first records of one file) are mate pairs one after the other."""
    n = min(len(reads), INTERLEAVED_CHECK)
    n -= n % 2
    if n < 2:
        return False
    first = reads.head(n)
    mate1, mate2 = _mates(first, 0), _mates(first, 1)
    if first_name_mismatch(mate1, mate2) >= 0:
        return False
    # and the ids change: each pair's id against the next pair's
    return n == 2 or first_name_mismatch(mate1.head(n // 2 - 1), mate1.select(slice(1, None))) >= 0


def _mates(reads: RawReads, which: int) -> RawReads:
    """Every other read, from ``which`` (0: mate 1, 1: mate 2)."""
    return reads.select(np.arange(which, len(reads), 2))


def _split_interleaved(source: _Source, reads: RawReads, first: int) -> ReadBatch:
    """A batch of the pairs in ``reads`` (an even number of interleaved records)."""
    r1, r2 = _mates(reads, 0), _mates(reads, 1)
    bad = first_name_mismatch(r1, r2)
    if bad >= 0:
        record = source.records - len(reads) + 2 * bad + 1
        raise InputError(f"{source.label} holds interleaved pairs, but records {record} and {record + 1} "
                         f"('{r1.name(bad)}', '{r2.name(bad)}') are not mates: give every pair as two "
                         "records one after the other, or give mates as -1 and -2")
    return ReadBatch(r1, r2, first)


def iter_batches(r1: str, r2: str | None = None, *, chunk_bytes: int = 4 << 20,
                 threads: int = 1) -> Iterator[ReadBatch]:
    """Stream reads (one file, or two mate files) as :class:`ReadBatch` es of whole records.

    Files are FASTQ or FASTA, plain or gzip (by magic bytes); ``-`` reads stdin. A single file whose
    first records alternate mates (:func:`looks_interleaved`) is read as interleaved pairs. ``threads`` > 0
    decompresses each gzip file in a background thread (isal reads with one thread per file);
    0 decompresses in the calling thread. Missing files fail at once; everything else is checked as
    the batches are read, and any problem raises :class:`~alkfuse.errors.InputError`.
    """
    if chunk_bytes < 64:
        raise ValueError("chunk_bytes must be at least 64")
    for path in (r1, r2):
        if path is not None:
            _check_readable(path)
    if r2 is not None and r1 == r2 == "-":
        raise InputError("R1 and R2 cannot both be stdin ('-'): give at least one of them as a file")
    return _iter(r1, r2, chunk_bytes, threads)


def _iter(r1: str, r2: str | None, chunk_bytes: int, threads: int) -> Iterator[ReadBatch]:
    with contextlib.ExitStack() as stack:
        s1 = _Source(r1, threads, chunk_bytes, stack)
        s2 = _Source(r2, threads, chunk_bytes, stack) if r2 is not None else None
        first = 0
        interleaved: bool | None = None if s2 is None else False
        while True:
            s1.read()
            reads1, c1 = s1.parse()
            if interleaved is None:
                if len(reads1) < 2 and not s1.eof:
                    s1.grow()  # decide on two records at least
                    continue
                interleaved = looks_interleaved(reads1)
                if interleaved:
                    log.info("%s holds interleaved pairs (mates alternate, same ids): read as paired-end",
                             s1.label)
            if interleaved:
                m = len(reads1) - len(reads1) % 2
                if m:
                    yield _split_interleaved(s1, s1.take(reads1, m, c1), first)
                    first += m // 2
                elif s1.eof and len(reads1):
                    raise InputError(f"{s1.label} holds interleaved pairs but its last record "
                                     f"('{reads1.name(0)}') has no mate: the file is truncated or not "
                                     "interleaved; re-generate it")
                elif s1.eof:
                    s1.take(reads1, 0, c1)
                    return
                else:
                    s1.grow()
                continue
            if s2 is None:
                if len(reads1):
                    yield ReadBatch(s1.take(reads1, len(reads1), c1), None, first)
                    first += len(reads1)
                elif s1.eof:
                    s1.take(reads1, 0, c1)  # trailing blank lines
                    return
                else:
                    s1.grow()
                continue
            s2.read()
            reads2, c2 = s2.parse(len(reads1) or None)
            m = min(len(reads1), len(reads2))
            if m:
                bad = first_name_mismatch(reads1.head(m), reads2.head(m))
                if bad >= 0:
                    raise InputError(
                        f"{s1.label} and {s2.label} are not mates: read {first + bad + 1} is "
                        f"'{reads1.name(bad)}' in R1 but '{reads2.name(bad)}' in R2: give the two "
                        "read files of the same sample, in the same order")
                yield ReadBatch(s1.take(reads1, m, c1), s2.take(reads2, m, c2), first)
                first += m
                continue
            for s, reads, c in ((s1, reads1, c1), (s2, reads2, c2)):
                if not len(reads) and s.eof:
                    s.take(reads, 0, c)  # trailing blank lines
            if s1.exhausted and s2.exhausted:
                return
            if s1.exhausted or s2.exhausted:
                short, other = ("R1", "R2") if s1.exhausted else ("R2", "R1")
                sa, sb = (s1, s2) if s1.exhausted else (s2, s1)
                raise InputError(f"{short} ({sa.label}) ends before {other} ({sb.label}) at record "
                                 f"{first + 1}: the files are not mates, or one is truncated")
            for s, reads in ((s1, reads1), (s2, reads2)):
                if not len(reads):
                    s.grow()
