"""scripts/: re-calling a benchmark's saved evidence and comparing two output trees, run as a user runs them."""

import subprocess
import sys
from pathlib import Path

import pytest

from alkfuse.pipeline import detect

from conftest import READS, ROOT

SCRIPTS = ROOT / "scripts"


def run(script, *args):
    return subprocess.run([sys.executable, str(SCRIPTS / script), *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def bench_tree(panel_index, tmp_path_factory):
    """A benchmark's --out directory in miniature: index/ and <sample>/detect/ with the saved evidence of a
    real read set (the pizzly spike-in, one EML4::ALK) and of an empty sample."""
    root = tmp_path_factory.mktemp("bench")
    (root / "index").symlink_to(panel_index, target_is_directory=True)
    spike = READS / "pizzly_spikein"
    detect(panel_index, root / "spikein" / "detect", str(spike / "reads_1.fastq.gz"),
           str(spike / "reads_2.fastq.gz"), sample="spikein")
    empty = tmp_path_factory.mktemp("empty")
    for mate in (1, 2):
        (empty / f"r{mate}.fq").write_text("@r1\n" + "ACGT" * 20 + "\n+\n" + "I" * 80 + "\n")
    detect(panel_index, root / "nothing" / "detect", str(empty / "r1.fq"), str(empty / "r2.fq"), sample="nothing")
    return root


def test_recall_writes_the_same_tables_as_detect(bench_tree, tmp_path):
    run_ = run("recall_runs.py", bench_tree, "--out", tmp_path / "re")
    assert run_.returncode == 0, run_.stderr
    assert "2 samples" in run_.stdout
    assert "EML4::ALK" in (tmp_path / "re" / "spikein" / "detect" / "fusions.tsv").read_text()
    cmp = run("compare_runs.py", bench_tree, tmp_path / "re")
    assert cmp.returncode == 0, cmp.stdout
    assert cmp.stdout.strip().splitlines()[-1].startswith("2 samples: 2 byte-identical, 0 differ, 0 missing")


def test_compare_shows_the_rows_that_changed(bench_tree, tmp_path):
    assert run("recall_runs.py", bench_tree, "--out", tmp_path / "re").returncode == 0
    tsv = tmp_path / "re" / "spikein" / "detect" / "fusions.tsv"
    header, *rows = tsv.read_text().splitlines()
    col = header.split("\t").index("confidence")
    old_row = rows[0].split("\t")
    new_row = old_row[:col] + ["changed"] + old_row[col + 1:]
    tsv.write_text("\n".join([header, "\t".join(new_row), *rows[1:]]) + "\n")
    cmp = run("compare_runs.py", bench_tree, tmp_path / "re")
    assert cmp.returncode == 1
    lines = cmp.stdout.splitlines()
    assert lines[0] == "== spikein/detect"
    assert lines[1].startswith("  - pass EML4::ALK") and old_row[col] in lines[1].split()
    assert lines[2].startswith("  + pass EML4::ALK") and "changed" in lines[2].split()
    assert lines[-1].startswith("2 samples: 1 byte-identical, 1 differ, 0 missing")


def test_compare_counts_a_missing_sample(bench_tree, tmp_path):
    assert run("recall_runs.py", bench_tree, "--out", tmp_path / "re").returncode == 0
    (tmp_path / "re" / "nothing" / "detect" / "fusions.tsv").unlink()
    cmp = run("compare_runs.py", bench_tree, tmp_path / "re")
    assert cmp.returncode == 1
    assert "1 missing" in cmp.stdout.splitlines()[-1]


def test_unusable_directories_are_one_line_errors(tmp_path):
    (tmp_path / "a").mkdir()
    cmp = run("compare_runs.py", tmp_path / "a", tmp_path / "a")
    assert cmp.returncode == 2 and cmp.stderr.count("\n") == 1 and "--out directory" in cmp.stderr
    cmp = run("compare_runs.py", tmp_path / "a", tmp_path / "nope")
    assert cmp.returncode == 2 and "not a directory" in cmp.stderr
    rec = run("recall_runs.py", tmp_path / "a", "--out", tmp_path / "o")
    assert rec.returncode == 1 and rec.stderr.count("\n") == 1 and "evidence.jsonl.gz" in rec.stderr
    assert "Traceback" not in rec.stderr
    assert not (tmp_path / "o").exists()


def test_recall_finds_samples_at_any_depth(bench_tree, tmp_path):
    """independent_long.py keeps its samples one level down (acc90/d2_g1/detect): they are found and called
    into the same relative places, byte-identical."""
    import shutil

    root = tmp_path / "nested"
    (root / "acc90").mkdir(parents=True)
    (root / "index").symlink_to(bench_tree / "index", target_is_directory=True)
    shutil.copytree(bench_tree / "spikein", root / "acc90" / "spikein")
    rec = run("recall_runs.py", root, "--out", tmp_path / "re")
    assert rec.returncode == 0 and "1 samples" in rec.stdout, rec.stderr
    cmp = run("compare_runs.py", root, tmp_path / "re")
    assert cmp.returncode == 0 and "1 samples: 1 byte-identical" in cmp.stdout.splitlines()[-1], cmp.stdout


def test_recall_calls_with_this_checkout_unless_pythonpath_says_otherwise(bench_tree, tmp_path):
    """An installed alkfuse (CI installs one; it may be older than the checkout) is not the one re-calls
    measure: the script puts its own checkout first and says which alkfuse it used."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    argv = [sys.executable, str(SCRIPTS / "recall_runs.py"), str(bench_tree), "--out", str(tmp_path / "re")]
    run_ = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run_.returncode == 0, run_.stderr
    assert run_.stdout.strip().endswith(f"by the alkfuse in {ROOT / 'alkfuse'}")


def test_compare_can_leave_out_a_column_one_side_lacks(bench_tree, tmp_path):
    """Runs before and after a change that added a column: identical without it, not with it."""
    assert run("recall_runs.py", bench_tree, "--out", tmp_path / "re").returncode == 0
    for table in ("fusions.tsv", "fusions.discarded.tsv"):
        path = tmp_path / "re" / "spikein" / "detect" / table
        path.write_text("".join(line + "\tadded\n" for line in path.read_text().splitlines()))
    assert run("compare_runs.py", bench_tree, tmp_path / "re").returncode == 1
    cmp = run("compare_runs.py", bench_tree, tmp_path / "re", "--ignore-columns", "added")
    assert cmp.returncode == 0, cmp.stdout
    assert cmp.stdout.splitlines()[-1].startswith("2 samples: 2 identical without added, 0 differ")


def test_scan_again_detects_from_the_saved_reads(bench_tree, tmp_path):
    """--scan: each sample's reads (sim/reads_1, reads_2 as accuracy.py keeps them) are detected again with
    the run's index; an unchanged alkfuse writes the same tables. A sample without its reads is a one-line
    error."""
    import shutil

    root = tmp_path / "run"
    root.mkdir()
    (root / "index").symlink_to(bench_tree / "index", target_is_directory=True)
    shutil.copytree(bench_tree / "spikein", root / "spikein")
    (root / "spikein" / "sim").mkdir()
    for mate in (1, 2):
        (root / "spikein" / "sim" / f"reads_{mate}.fastq.gz").symlink_to(
            READS / "pizzly_spikein" / f"reads_{mate}.fastq.gz")
    rec = run("recall_runs.py", root, "--out", tmp_path / "re", "--scan", "--threads", "2")
    assert rec.returncode == 0 and "1 samples detected again" in rec.stdout, rec.stderr
    cmp = run("compare_runs.py", root, tmp_path / "re")
    assert cmp.returncode == 0 and "1 samples: 1 byte-identical" in cmp.stdout.splitlines()[-1], cmp.stdout
    shutil.copytree(bench_tree / "nothing", root / "nothing")
    rec = run("recall_runs.py", root, "--out", tmp_path / "re2", "--scan")
    assert rec.returncode == 1 and rec.stderr.count("\n") == 1 and "saved reads" in rec.stderr
