"""Tests of the read-input layer: kernels against pure-Python twins, round trips, real data, errors."""

from __future__ import annotations

import gzip
import io
import random
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alkfuse import reads as R
from alkfuse.errors import InputError

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reads"


# --------------------------------------------------------------------------------------------------
# Pure-Python twins of the kernels: slow, written for obviousness.


def _chomp(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\r") else line


def _read_id(header: bytes) -> bytes:
    """The header line (after '@'/'>', without its '\\r') up to the first space or tab."""
    return re.match(rb"[^ \t]*", header).group()


def py_parse_fastq(data: bytes, at_eof: bool, cap: int):
    buf = bytearray(data)
    recs: list[tuple] = []
    pos = 0
    while len(recs) < cap and pos < len(buf):
        if buf[pos] in b"\r\n":
            if buf[pos:].strip(b"\r\n"):
                return recs, pos, R.BLANK_LINE, buf
            return recs, (len(buf) if at_eof else pos), R.OK, buf
        parts = bytes(buf[pos:]).split(b"\n", 4)
        if len(parts) < 5:  # fewer than four complete lines
            return recs, pos, (R.TRUNCATED if at_eof else R.OK), buf
        head, seq, plus, qual = (_chomp(x) for x in parts[:4])
        if not head.startswith(b"@"):
            return recs, pos, R.BAD_HEADER, buf
        if not plus.startswith(b"+"):
            return recs, pos, R.NO_PLUS, buf
        if len(qual) != len(seq):
            return recs, pos, R.QUAL_LEN, buf
        if any(c < 33 or c > 126 for c in qual):
            return recs, pos, R.BAD_QUAL, buf
        seq_start = pos + len(parts[0]) + 1
        qual_start = seq_start + len(parts[1]) + 1 + len(parts[2]) + 1
        buf[seq_start : seq_start + len(seq)] = seq.upper()
        recs.append((pos + 1, pos + 1 + len(_read_id(head[1:])), seq_start, len(seq), qual_start))
        pos = qual_start + len(parts[3]) + 1
    return recs, pos, R.OK, buf


def py_parse_fasta(data: bytes, at_eof: bool, cap: int):
    buf = bytearray(data)
    recs: list[tuple] = []
    pos = 0
    while len(recs) < cap and pos < len(buf):
        if buf[pos] in b"\r\n":
            pos += 1
            continue
        if buf[pos] != ord(">"):
            return recs, pos, R.BAD_HEADER, buf
        h = buf.find(b"\n", pos)
        if h < 0:
            return recs, pos, (R.TRUNCATED if at_eof else R.OK), buf
        nxt = buf.find(b"\n>", h)
        if nxt < 0 and not at_eof:
            return recs, pos, R.OK, buf
        end = len(buf) if nxt < 0 else nxt + 1
        seq = bytes(c for c in buf[h + 1 : end] if c > 32).upper()
        buf[h + 1 : end] = seq + b"\n" * (end - h - 1 - len(seq))
        name = _read_id(_chomp(bytes(buf[pos + 1 : h])))
        recs.append((pos + 1, pos + 1 + len(name), h + 1, len(seq), -1))
        pos = end
    return recs, pos, R.OK, buf


def py_mate_id(name: bytes) -> bytes:
    return re.sub(rb"[/.][12]$", b"", name)


def kernel(data: bytes, at_eof: bool, cap: int, fasta: bool):
    """Run the numba kernel through its public wrapper, in the twins' output shape."""
    buf = np.frombuffer(bytearray(data), np.uint8)
    reads, consumed, status = R.parse_chunk(buf, fasta=fasta, at_eof=at_eof, capacity=cap)
    recs = list(zip(*(a.tolist() for a in (reads.name_start, reads.name_end, reads.seq_start,
                                           reads.seq_len, reads.qual_start))))
    return recs, consumed, status, bytearray(buf.tobytes())


def fastq_text(records, eol=b"\n", final_eol=True) -> bytes:
    out = eol.join(b"@%s\n%s\n+\n%s" % r for r in records).replace(b"\n", eol)
    return out + (eol if final_eol and records else b"")


# --------------------------------------------------------------------------------------------------
# Kernels vs twins

_TOKENS = [b"@", b"+", b">", b"\n", b"\r\n", b"\r", b"A", b"c", b"g", b"N", b"I", b"!", b"~", b" ",
           b"\t", b"\x7f", b"r1", b"/1", b".2", b"\n@", b"\n+\n", b"\n>"]
garbage = st.lists(st.sampled_from(_TOKENS), max_size=40).map(b"".join)

base = st.sampled_from("ACGTNacgtn")
record = st.integers(0, 12).flatmap(lambda n: st.tuples(
    st.text("abcXYZ0123:_/.", min_size=0, max_size=8).map(str.encode),
    st.one_of(st.sampled_from([b"", b" 1:N:0", b"\tUMI:ACGT"]), st.text(" \tab", max_size=4).map(str.encode)),
    st.text(base, min_size=n, max_size=n).map(str.encode),
    st.text("!#5?FI~", min_size=n, max_size=n).map(str.encode),
))


@st.composite
def fastq_like(draw):
    """Mostly-valid FASTQ with optional corruption and cut."""
    recs = draw(st.lists(record, max_size=6))
    crlf = draw(st.sampled_from(["never", "always", "mixed"]))

    def eol():
        return b"\r\n" if crlf == "always" or (crlf == "mixed" and draw(st.booleans())) else b"\n"

    data = b"".join(b"@%s%s%s%s%s+%s%s%s" % (n, c, eol(), s, eol(), eol(), q, eol()) for n, c, s, q in recs)
    fix = draw(st.sampled_from(["none", "cut", "qual", "plus", "blank", "badq"]))
    if fix == "cut" and data:
        data = data[: draw(st.integers(0, len(data)))]
    elif fix == "qual":  # one quality string one shorter, another one longer
        data = re.sub(rb"\+(\r?\n)!", rb"+\1", data, count=1)
        data = re.sub(rb"\+(\r?\n)I", rb"+\1II", data, count=1)
    elif fix == "plus":
        data = re.sub(rb"\+(\r?\n)", rb"-\1", data, count=1)
    elif fix == "badq":  # '~' and '?' occur only in qualities
        data = data.replace(b"~", b"\x7f", 1).replace(b"?", b" ", 1)
    elif fix == "blank":
        k = draw(st.integers(0, len(data)))
        data = data[:k] + b"\n" + data[k:]
    return data


@st.composite
def fasta_like(draw):
    recs = draw(st.lists(st.tuples(record, st.integers(1, 5)), max_size=5))
    eol = draw(st.sampled_from([b"\n", b"\r\n"]))
    out = []
    for (n, c, s, _), width in recs:
        lines = [s[i : i + width] for i in range(0, len(s), width)]
        out.append(b">%s%s%s%s" % (n, c, eol, b"".join(x + eol for x in lines)))
    data = b"".join(out)
    if draw(st.booleans()) and data:
        data = data[: draw(st.integers(0, len(data)))]
    return data


@settings(max_examples=400, deadline=None)
@given(st.one_of(fastq_like(), garbage), st.booleans(), st.integers(0, 8))
def test_parse_fastq_matches_twin(data, at_eof, cap):
    assert kernel(data, at_eof, cap, False) == py_parse_fastq(data, at_eof, cap)


@settings(max_examples=400, deadline=None)
@given(st.one_of(fasta_like(), garbage), st.booleans(), st.integers(0, 8))
def test_parse_fasta_matches_twin(data, at_eof, cap):
    assert kernel(data, at_eof, cap, True) == py_parse_fasta(data, at_eof, cap)


@settings(max_examples=400, deadline=None)
@given(fasta_like(), st.booleans(), st.integers(0, 8))
def test_parse_fasta_again_is_idempotent(data, at_eof, cap):
    """Compacted records parse to the same reads (the paired reader re-parses trimmed records)."""
    first = kernel(data, at_eof, cap, True)
    again = kernel(bytes(first[3]), at_eof, cap, True)
    assert again[:3] == first[:3]


EDGE_FASTQ = [
    b"",
    b"@r1\nACGT\n+\nIIII\n",
    b"@r1\r\nACgt\r\n+\r\nIIII\r\n@r2 c\r\nN\r\n+r2\r\n#\r\n",
    b"@r1\nACGT\n+\nIIII",  # last record without trailing newline: incomplete
    b"@r1\nacgtn\n+\nIIIII\n\n\n",  # trailing blank lines
    b"@r1\n\n+\n\n",  # empty read
    b"@r1/1 x\nA\n+\nI\n@r1/2\nA\n+\nII\n",
    b"@r1\nA\n+\nI\n\n@r2\nA\n+\nI\n",  # blank line inside
    b"r1\nA\n+\nI\n",
    b"@r1\nA\n-\nI\n",
    b"@r1\nA\n+\n \n",
    b"@r\nACGT\r\n+\nIIIII\n",  # CR on the sequence line only
    b"@r\nACGT\n+\nIIII\r\n",
    b"@ab x\nA\n+\nI\n@a\t y\nA\n+\nI\n",  # a guessed id length that would swallow a tab
    b"@ab\nAC\n+\nII\n@cd\nA\n+\nII\n@ef\nACG\n+\nIII\n",
]


@pytest.mark.parametrize("data", EDGE_FASTQ)
@pytest.mark.parametrize("at_eof", [False, True])
def test_parse_fastq_edges(data, at_eof):
    for cap in (0, 1, 5):
        assert kernel(data, at_eof, cap, False) == py_parse_fastq(data, at_eof, cap)


def test_parse_fastq_edge_values():
    recs, consumed, status, buf = kernel(EDGE_FASTQ[2], True, 5, False)
    assert status == R.OK and consumed == len(EDGE_FASTQ[2]) and len(recs) == 2
    reads = R.parse_chunk(np.frombuffer(bytearray(EDGE_FASTQ[2]), np.uint8))[0]
    assert [reads.name(i) for i in range(2)] == ["r1", "r2"]
    assert [reads.seq(i) for i in range(2)] == ["ACGT", "N"]
    assert [reads.header(i) for i in range(2)] == ["r1", "r2 c"]
    assert kernel(EDGE_FASTQ[3], True, 5, False)[2] == R.TRUNCATED
    assert kernel(EDGE_FASTQ[3], False, 5, False)[:3] == ([], 0, R.OK)
    assert kernel(EDGE_FASTQ[4], True, 5, False)[1:3] == (len(EDGE_FASTQ[4]), R.OK)
    assert kernel(EDGE_FASTQ[6], True, 5, False)[2] == R.QUAL_LEN
    assert kernel(EDGE_FASTQ[7], True, 5, False)[2] == R.BLANK_LINE
    assert kernel(EDGE_FASTQ[8], True, 5, False)[2] == R.BAD_HEADER
    assert kernel(EDGE_FASTQ[9], True, 5, False)[2] == R.NO_PLUS
    assert kernel(EDGE_FASTQ[10], True, 5, False)[2] == R.BAD_QUAL


EDGE_FASTA = [b"", b">r1\nACGT\n", b">r1 x\r\nac\r\ngt\r\n\r\n>r2\n>r3\nNN", b">r1", b"r1\nACGT\n",
              b"\n\n>r1\nA C\tG\n"]


@pytest.mark.parametrize("data", EDGE_FASTA)
@pytest.mark.parametrize("at_eof", [False, True])
def test_parse_fasta_edges(data, at_eof):
    for cap in (0, 1, 5):
        assert kernel(data, at_eof, cap, True) == py_parse_fasta(data, at_eof, cap)


def test_parse_fasta_multiline_values():
    buf = np.frombuffer(bytearray(EDGE_FASTA[2]), np.uint8)
    reads, consumed, status = R.parse_chunk(buf, fasta=True, at_eof=True)
    assert status == R.OK and consumed == len(EDGE_FASTA[2])
    assert [reads.seq(i) for i in range(3)] == ["ACGT", "", "NN"]
    assert [reads.header(i) for i in range(3)] == ["r1 x", "r2", "r3"]
    assert reads.qual(0) == "IIII" and reads.qual_start[0] == -1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([b"a", b"b/1", b"b/2", b"b.1", b"b.2", b"b", b"ab", b"x/3"]),
                          st.sampled_from([b"a", b"b/1", b"b/2", b"b.1", b"b.2", b"b", b"ab", b"x/3"])),
                max_size=6))
def test_first_name_mismatch_matches_twin(pairs):
    def reads(names):
        return R.parse_chunk(np.frombuffer(bytearray(fastq_text([(n, b"A", b"I") for n in names])),
                                           np.uint8))[0]

    r1, r2 = reads([a for a, _ in pairs]), reads([b for _, b in pairs])
    want = next((i for i, (a, b) in enumerate(pairs) if py_mate_id(a) != py_mate_id(b)), -1)
    assert R.first_name_mismatch(r1, r2) == want


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60), st.data())
def test_uppercase_inplace_matches_twin(data, draw):
    spans = draw.draw(st.lists(st.tuples(st.integers(0, len(data)), st.integers(0, 10)), max_size=4))
    spans = [(s, min(n, len(data) - s)) for s, n in spans]
    buf = np.frombuffer(bytearray(data), np.uint8)
    R.uppercase_inplace(buf, np.array([s for s, _ in spans], np.int64), np.array([n for _, n in spans], np.int32))
    want = bytearray(data)
    for s, n in spans:
        want[s : s + n] = bytes(want[s : s + n]).upper()
    assert buf.tobytes() == bytes(want)


def test_parse_chunk_checks_its_input():
    with pytest.raises(TypeError):
        R.parse_chunk(np.zeros(4, np.int64))
    with pytest.raises(TypeError):
        R.parse_chunk(np.zeros(8, np.uint8)[::2])


# --------------------------------------------------------------------------------------------------
# Round trips through files


def random_reads(n: int, seed: int, max_len: int = 160):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        k = rnd.randint(0, max_len)
        name = f"read{i}_{rnd.randint(0, 10**6)}"
        comment = rnd.choice(["", " 1:N:0:ACGT", "\tUMI:GGTT"])
        seq = "".join(rnd.choice("ACGTNacgt") for _ in range(k))
        qual = "".join(chr(rnd.randint(33, 126)) for _ in range(k))
        out.append((name, comment, seq, qual))
    return out


def write_fastq(path: Path, recs, suffix="", compress=False, crlf=False) -> Path:
    text = "".join(f"@{n}{suffix}{c}\n{s}\n+\n{q}\n" for n, c, s, q in recs).encode()
    if crlf:
        text = text.replace(b"\n", b"\r\n")
    path.write_bytes(gzip.compress(text) if compress else text)
    return path


def collect(batches):
    names, seqs, quals, headers, r2names = [], [], [], [], []
    expect_first = 0
    for b in batches:
        assert b.first == expect_first and len(b) > 0
        expect_first += len(b)
        for i in range(len(b)):
            names.append(b.r1.name(i))
            seqs.append(b.r1.seq(i))
            quals.append(b.r1.qual(i))
            headers.append(b.r1.header(i))
            if b.r2 is not None:
                r2names.append(b.r2.name(i))
    return names, seqs, quals, headers, r2names


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("chunk", [64, 200, 4 << 20])
@pytest.mark.parametrize("threads", [0, 1])
def test_round_trip_single(tmp_path, compress, chunk, threads):
    recs = random_reads(300, seed=chunk + compress)
    path = write_fastq(tmp_path / "r.fq.x", recs, compress=compress, crlf=chunk == 200)
    names, seqs, quals, headers, _ = collect(R.iter_batches(str(path), chunk_bytes=chunk, threads=threads))
    assert names == [n for n, _, _, _ in recs]
    assert seqs == [s.upper() for _, _, s, _ in recs]
    assert quals == [q for _, _, _, q in recs]
    assert headers == [n + c for n, c, _, _ in recs]


@pytest.mark.parametrize("chunk", [64, 200, 4 << 20])
def test_round_trip_paired(tmp_path, chunk):
    recs1 = random_reads(250, seed=1)
    recs2 = [(n, c, s, q) for (n, c, _, _), (_, _, s, q) in zip(recs1, random_reads(250, seed=2, max_len=40))]
    p1 = write_fastq(tmp_path / "a_1.fq.gz", recs1, suffix="/1", compress=True)
    p2 = write_fastq(tmp_path / "a_2.fq", recs2, suffix="/2")
    batches = list(R.iter_batches(str(p1), str(p2), chunk_bytes=chunk))
    names, seqs, _, _, r2names = collect(batches)
    assert names == r2names == [n for n, _, _, _ in recs1]
    assert seqs == [s.upper() for _, _, s, _ in recs1]
    assert [b.r2.seq(i) for b in batches for i in range(len(b))] == [s.upper() for _, _, s, _ in recs2]


def interleave(recs1, recs2):
    return [r for pair in zip(recs1, recs2) for r in pair]


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("chunk", [64, 200, 4 << 20])
def test_interleaved_file_is_read_as_pairs(tmp_path, compress, chunk):
    """One file whose records alternate mates (bwa -p, fastp --interleaved_out) gives the same pairs."""
    recs1 = random_reads(250, seed=5)
    recs2 = [(n, c, s, q) for (n, c, _, _), (_, _, s, q) in zip(recs1, random_reads(250, seed=6))]
    p1 = write_fastq(tmp_path / "a_1.fq", recs1, suffix="/1")
    p2 = write_fastq(tmp_path / "a_2.fq", recs2, suffix="/2")
    both = tmp_path / "a.fq.gz"
    text = "".join(f"@{n}/{k}{c}\n{s}\n+\n{q}\n" for i, (n, c, s, q) in enumerate(interleave(recs1, recs2))
                   for k in [1 + i % 2])
    both.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    got = list(R.iter_batches(str(both), chunk_bytes=chunk))
    want = list(R.iter_batches(str(p1), str(p2)))
    assert all(b.r2 is not None for b in got)
    assert collect(got) == collect(want)
    assert [b.r2.seq(i) for b in got for i in range(len(b))] == [s.upper() for _, _, s, _ in recs2]
    assert [b.r2.qual(i) for b in got for i in range(len(b))] == [q for _, _, _, q in recs2]


def test_looks_interleaved():
    def reads(*names):
        text = "".join(f"@{n}\nAC\n+\nII\n" for n in names).encode()
        return R.parse_chunk(np.frombuffer(text, np.uint8).copy())[0]

    assert R.looks_interleaved(reads("a/1", "a/2", "b/1", "b/2"))
    assert R.looks_interleaved(reads("a", "a", "b", "b", "c"))  # an odd last record is the next chunk's
    assert R.looks_interleaved(reads("a.1", "a.2"))
    assert not R.looks_interleaved(reads("a", "a", "a", "a"))  # one id throughout: not pairs
    assert not R.looks_interleaved(reads("a", "b", "c", "d"))
    assert not R.looks_interleaved(reads("a", "a", "b", "c"))
    assert not R.looks_interleaved(reads("a"))
    # only the first INTERLEAVED_CHECK records decide
    many = [f"r{i // 2}" for i in range(R.INTERLEAVED_CHECK)] + ["x", "y"]
    assert R.looks_interleaved(reads(*many))


def test_interleaved_file_with_a_lone_or_wrong_mate(tmp_path):
    recs = random_reads(40, seed=7)
    pairs = interleave(recs, recs)
    lone = write_fastq(tmp_path / "lone.fq", pairs[:-1])
    bad(run(lone, chunk_bytes=200), "lone.fq", "interleaved", recs[-1][0], "no mate")
    wrong = pairs[:30] + [("zzz", "", "A", "I")] + pairs[31:]
    p = write_fastq(tmp_path / "wrong.fq.gz", wrong, compress=True)
    bad(run(p, chunk_bytes=200), "wrong.fq.gz", "records 31 and 32", "'zzz'", "not mates")


def test_empty_files(tmp_path):
    (tmp_path / "e.fq").write_bytes(b"")
    (tmp_path / "e.fq.gz").write_bytes(gzip.compress(b""))
    assert list(R.iter_batches(str(tmp_path / "e.fq"))) == []
    assert list(R.iter_batches(str(tmp_path / "e.fq.gz"), str(tmp_path / "e.fq"))) == []


def test_multi_member_gzip(tmp_path):
    """bgzip and concatenated gzip files are several gzip members."""
    p = tmp_path / "m.fq.gz"
    p.write_bytes(gzip.compress(b"@a\nAC\n+\nII\n") + gzip.compress(b"@b\nGT\n+\nII\n"))
    assert collect(R.iter_batches(str(p)))[0] == ["a", "b"]


def test_last_record_without_newline(tmp_path):
    p = tmp_path / "r.fq"
    p.write_bytes(b"@a\nACGT\n+\nIIII\n@b\nac\n+\nII")
    (batch,) = R.iter_batches(str(p))
    assert [batch.r1.seq(i) for i in range(2)] == ["ACGT", "AC"]


@pytest.mark.parametrize("chunk", [64, 4 << 20])
def test_fasta_long_reads(tmp_path, chunk):
    rnd = random.Random(5)
    seqs = ["".join(rnd.choice("ACGTacgt") for _ in range(rnd.randint(1000, 20000))) for _ in range(6)]
    text = "".join(f">m{i}/ccs len={len(s)}\n" + "".join(s[k : k + 80] + "\n" for k in range(0, len(s), 80))
                   for i, s in enumerate(seqs))
    p = tmp_path / "long.fa.gz"
    p.write_bytes(gzip.compress(text.encode()))
    names, got, quals, headers, _ = collect(R.iter_batches(str(p), chunk_bytes=chunk))
    assert got == [s.upper() for s in seqs]
    assert names == [f"m{i}/ccs" for i in range(6)]
    assert quals == ["I" * len(s) for s in seqs]
    assert headers[0].startswith("m0/ccs len=")


def test_paired_fasta(tmp_path):
    a, b = tmp_path / "a.fa", tmp_path / "b.fa"
    a.write_bytes(b"".join(b">p%d/1\nAC\nGT\n" % i for i in range(50)))
    b.write_bytes(b"".join(b">p%d/2\nTTTT%s\n" % (i, b"G" * (i % 7)) for i in range(50)))
    batches = list(R.iter_batches(str(a), str(b), chunk_bytes=64))
    assert sum(map(len, batches)) == 50
    assert all(x.r1.seq(i) == "ACGT" and x.r2.name(i) == f"p{x.first + i}" for x in batches for i in range(len(x)))


@pytest.mark.parametrize("compress", [False, True])
def test_stdin(tmp_path, monkeypatch, compress):
    recs = random_reads(50, seed=3)
    text = write_fastq(tmp_path / "x.fq", recs).read_bytes()

    class Stdin:
        buffer = io.BytesIO(gzip.compress(text) if compress else text)

    monkeypatch.setattr(sys, "stdin", Stdin)
    names = collect(R.iter_batches("-", chunk_bytes=200))[0]
    assert names == [n for n, _, _, _ in recs]


def test_unseekable_stdin(monkeypatch):
    """A pipe cannot seek back over the magic bytes."""
    text = gzip.compress(b"@a\nAC\n+\nII\n")

    class Pipe(io.RawIOBase):
        def __init__(self):
            self.data = io.BytesIO(text)

        def readable(self):
            return True

        def readinto(self, b):
            return self.data.readinto(b)

        def seekable(self):
            return False

        def seek(self, *a):
            raise io.UnsupportedOperation("seek")

    class Stdin:
        buffer = io.BufferedReader(Pipe())

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert collect(R.iter_batches("-"))[1] == ["AC"]


# --------------------------------------------------------------------------------------------------
# Real reads

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared read data not available")


@needs_data
@pytest.mark.parametrize("chunk", [1000, 4 << 20])
@pytest.mark.parametrize("r1,r2,pairs", [
    ("pizzly_spikein/reads_1.fastq.gz", "pizzly_spikein/reads_2.fastq.gz", 744),
    ("splitfusion_Lib001/Lib001.R1.fq.gz", "splitfusion_Lib001/Lib001.R2.fq.gz", 10_030),
])
def test_real_pairs(r1, r2, pairs, chunk):
    names, seqs, quals, _, r2names = collect(R.iter_batches(str(DATA / r1), str(DATA / r2), chunk_bytes=chunk))
    assert len(names) == len(r2names) == pairs
    assert [py_mate_id(n.encode()) for n in names] == [py_mate_id(n.encode()) for n in r2names]
    assert all(set(s) <= set("ACGTN") and len(s) == len(q) for s, q in zip(seqs, quals))


@needs_data
def test_real_umi_header_kept():
    batch = next(R.iter_batches(str(DATA / "splitfusion_Lib001/Lib001.R1.fq.gz")))
    assert "umi:" in batch.r1.header(0)


# --------------------------------------------------------------------------------------------------
# Bad input: one InputError, one line, naming the file


def bad(call, *must_contain):
    with pytest.raises(InputError) as e:
        call()
    msg = str(e.value)
    assert "\n" not in msg
    for text in must_contain:
        assert text in msg, msg
    return msg


def run(*paths, **kw):
    return lambda: list(R.iter_batches(*(str(p) for p in paths), **kw))


def test_missing_file(tmp_path):
    bad(run(tmp_path / "nope.fq"), "nope.fq", "no such file")
    bad(lambda: R.iter_batches(str(tmp_path / "nope.fq")), "nope.fq")  # fails at the call
    bad(run(tmp_path), str(tmp_path), "directory")


@pytest.mark.parametrize("threads", [0, 1])
def test_truncated_gzip(tmp_path, threads):
    p = tmp_path / "cut.fq.gz"
    p.write_bytes(gzip.compress(fastq_text([(b"r%d" % i, b"ACGT" * 20, b"I" * 80) for i in range(500)]))[:-100])
    bad(run(p, threads=threads, chunk_bytes=1000), "cut.fq.gz", "truncated gzip")


def test_corrupt_gzip(tmp_path):
    data = bytearray(gzip.compress(fastq_text([(b"r%d" % i, b"ACGT" * 20, b"I" * 80) for i in range(500)])))
    data[len(data) // 2 : len(data) // 2 + 50] = b"\xff" * 50
    p = tmp_path / "bad.fq.gz"
    p.write_bytes(bytes(data))
    bad(run(p), "bad.fq.gz", "gzip")


def test_not_reads(tmp_path):
    p = tmp_path / "x.txt"
    p.write_bytes(b"hello world\n")
    bad(run(p), "x.txt", "not FASTQ or FASTA")
    p = tmp_path / "x.fq.bz2"
    p.write_bytes(b"BZh91AY&SY")
    bad(run(p), "x.fq.bz2", "bzip2")
    p = tmp_path / "x.bam"
    p.write_bytes(gzip.compress(b"BAM\x01" + bytes(20)))
    bad(run(p), "x.bam", "BAM", "samtools fastq")


def test_missing_plus(tmp_path):
    p = tmp_path / "m.fq"
    p.write_bytes(fastq_text([(b"a", b"AC", b"II")]) + b"@b\nAC\nII\n@c\nAC\n+\nII\n")
    bad(run(p), "m.fq", "line 7", "record 2", "'+'")


def test_qual_length_wrong(tmp_path):
    p = tmp_path / "q.fq.gz"
    p.write_bytes(gzip.compress(fastq_text([(b"a", b"AC", b"II"), (b"b", b"ACG", b"II")])))
    bad(run(p), "q.fq.gz", "line 8", "record 2", "2 characters", "has 3")


def test_bad_header_and_quality_char(tmp_path):
    p = tmp_path / "h.fq"
    p.write_bytes(b"@a\nA\n+\nI\nb\nA\n+\nI\n")
    bad(run(p), "h.fq", "line 5", "'@'")
    p.write_bytes(b"@a\nA\n+\n\x01\n")
    bad(run(p), "h.fq", "line 4", "quality character")


def test_truncated_record(tmp_path):
    p = tmp_path / "t.fq"
    p.write_bytes(fastq_text([(b"a", b"AC", b"II")]) + b"@b\nAC\n")
    bad(run(p, chunk_bytes=64), "t.fq", "record 2", "truncated")


def test_record_longer_than_chunk_grows(tmp_path):
    p = tmp_path / "big.fq"
    p.write_bytes(fastq_text([(b"a", b"A" * 5000, b"I" * 5000), (b"b", b"C", b"I")]))
    batches = list(R.iter_batches(str(p), chunk_bytes=64))
    assert [b.r1.seq(i) for b in batches for i in range(len(b))] == ["A" * 5000, "C"]


def test_r2_shorter(tmp_path):
    recs = random_reads(20, seed=9)
    p1 = write_fastq(tmp_path / "s_1.fq", recs, "/1")
    p2 = write_fastq(tmp_path / "s_2.fq.gz", recs[:13], "/2", compress=True)
    bad(run(p1, p2, chunk_bytes=200), "R2", "s_2.fq.gz", "s_1.fq", "record 14", "not mates")
    bad(run(p2, p1), "R1", "record 14", "not mates")


def test_mismatched_names(tmp_path):
    recs = random_reads(30, seed=4)
    other = recs[:17] + [("zzz", "", "A", "I")] + recs[18:]
    p1 = write_fastq(tmp_path / "n_1.fq", recs)
    p2 = write_fastq(tmp_path / "n_2.fq", other)
    bad(run(p1, p2, chunk_bytes=200), "n_1.fq", "n_2.fq", "read 18", recs[17][0], "'zzz'")
