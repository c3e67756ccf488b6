"""The command line, run in-process: exit codes, one-line errors, no half-written output."""

import gzip
import subprocess
import sys

import pytest

from alkfuse import __version__
from alkfuse.cli import main

from conftest import READS


def test_version_prints_only_the_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == __version__


def test_help_does_not_import_numba():
    code = "import sys; from alkfuse.cli import main; main(['--help']); print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")


def test_usage_error_exits_2(capsys):
    assert main(["detect", "--index", "x"]) == 2
    assert main(["index", "--gtf", "a.gtf", "--out", "o"]) == 2


def test_missing_index_is_one_line(tmp_path, capsys):
    r1 = READS / "pizzly_spikein" / "reads_1.fastq.gz"
    assert main(["detect", "--index", str(tmp_path / "nope"), "-1", str(r1), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("ERROR:") and "alkfuse index" in err[-1]
    assert "Traceback" not in "\n".join(err)


def _bad_inputs(tmp_path):
    good = READS / "pizzly_spikein" / "reads_1.fastq.gz"
    raw = good.read_bytes()
    (tmp_path / "trunc.fq.gz").write_bytes(raw[: len(raw) - 200])
    with gzip.open(tmp_path / "malformed.fq.gz", "wt") as fh:
        fh.write("@r1\nACGT\n-\nIIII\n")
    with gzip.open(tmp_path / "short2.fq.gz", "wt") as fh:
        fh.write("@SRR1659964.63159.1\nACGT\n+\nIIII\n")
    return {
        "truncated gzip": [str(tmp_path / "trunc.fq.gz")],
        "malformed": [str(tmp_path / "malformed.fq.gz")],
        "mismatched pairs": [str(good), str(tmp_path / "short2.fq.gz")],
    }


@pytest.mark.parametrize("case", ["truncated gzip", "malformed", "mismatched pairs"])
def test_bad_reads_fail_cleanly(panel_index, tmp_path, capsys, case):
    files = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    args = ["detect", "--index", str(panel_index), "-1", files[0], "--out", str(out)]
    if len(files) == 2:
        args += ["-2", files[1]]
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("ERROR:") and len(err[-1]) < 400
    assert not (out / "fusions.tsv").exists(), "no output from a failed run"


def test_wrong_reference_is_refused(tmp_path, capsys):
    gtf = tmp_path / "a.gtf"
    gtf.write_text('chr2\tx\texon\t1\t100\t.\t+\t.\tgene_id "g"; gene_name "ALK"; transcript_id "T1";\n')
    fa = tmp_path / "t.fa"
    fa.write_text(">OTHER\nACGT\n")
    assert main(["index", "--gtf", str(gtf), "--transcripts", str(fa), "--out", str(tmp_path / "i")]) == 1
    assert "ERROR:" in capsys.readouterr().err
    assert not (tmp_path / "i").exists()


def test_detect_scan_call_from_the_command_line(panel_index, tmp_path):
    d = READS / "pizzly_spikein"
    r1, r2 = str(d / "reads_1.fastq.gz"), str(d / "reads_2.fastq.gz")
    assert main(["-q", "detect", "--index", str(panel_index), "-1", r1, "-2", r2, "--out", str(tmp_path / "d"),
                 "--sample", "spikein"]) == 0
    assert main(["-q", "scan", "--index", str(panel_index), "-1", r1, "-2", r2, "--out", str(tmp_path / "e.jsonl.gz")]) == 0
    assert main(["-q", "call", "--index", str(panel_index), str(tmp_path / "e.jsonl.gz"), "--out", str(tmp_path / "c"),
                 "--sample", "spikein"]) == 0
    assert (tmp_path / "d" / "fusions.tsv").read_bytes() == (tmp_path / "c" / "fusions.tsv").read_bytes()
    assert (tmp_path / "d" / "fusions.tsv").read_text().count("\n") == 2


def test_interleaved_reads_give_the_paired_calls(panel_index, tmp_path, capsys):
    """One interleaved file (-1 only) is read as pairs: the same calls as -1/-2, not single-end ones."""
    d = READS / "pizzly_spikein"
    r1, r2 = str(d / "reads_1.fastq.gz"), str(d / "reads_2.fastq.gz")
    with gzip.open(r1, "rt") as f1, gzip.open(r2, "rt") as f2, gzip.open(tmp_path / "i.fq.gz", "wt") as out:
        lines1, lines2 = f1.readlines(), f2.readlines()
        for k in range(0, len(lines1), 4):
            out.writelines(lines1[k:k + 4] + lines2[k:k + 4])
    assert main(["detect", "--index", str(panel_index), "-1", r1, "-2", r2, "--out", str(tmp_path / "p")]) == 0
    assert main(["detect", "--index", str(panel_index), "-1", str(tmp_path / "i.fq.gz"),
                 "--out", str(tmp_path / "i")]) == 0
    assert "interleaved pairs" in capsys.readouterr().err
    for name in ("fusions.tsv", "fusions.discarded.tsv", "fusions.json"):
        assert (tmp_path / "p" / name).read_bytes() == (tmp_path / "i" / name).read_bytes()


def test_every_filter_can_be_switched_off_by_name(capsys):
    """--disable-filter accepts exactly the filters the caller applies (a hand-kept list once lacked one)."""
    from alkfuse.filters import FILTERS
    for name in FILTERS:  # a usage error (2) would come before the missing index (1)
        assert main(["-q", "detect", "--index", "/nonexistent", "-1", "x.fq", "--out", "o",
                     "--disable-filter", name]) == 1
    assert main(["-q", "detect", "--index", "/nonexistent", "-1", "x.fq", "--out", "o",
                 "--disable-filter", "no_such_filter"]) == 2
    capsys.readouterr()


def test_disable_filter_by_name(panel_index, tmp_path):
    d = READS / "splitfusion_Lib001"
    args = ["-q", "detect", "--index", str(panel_index), "-1", str(d / "Lib001.R1.fq.gz"), "-2",
            str(d / "Lib001.R2.fq.gz")]
    assert main(args + ["--out", str(tmp_path / "a")]) == 0
    assert main(args + ["--out", str(tmp_path / "b"), "--disable-filter", "alk_internal"]) == 0
    a = (tmp_path / "a" / "fusions.tsv").read_text().count("\n")
    b = (tmp_path / "b" / "fusions.tsv").read_text().count("\n")
    assert b > a
    assert "alk_internal" in (tmp_path / "a" / "fusions.discarded.tsv").read_text()
