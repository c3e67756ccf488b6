#!/usr/bin/env python3
"""Compare the calls of two output trees, sample by sample: what a code change did to a benchmark.

    python scripts/compare_runs.py OLD NEW [--columns fusion,junction,...]

OLD and NEW are directories holding alkfuse outputs at the same relative paths (a benchmark's ``--out``,
where each sample has ``<sample>/detect/fusions.tsv``, or trees written by ``scripts/recall_runs.py``).
Every ``fusions.tsv`` under OLD is paired with NEW's at the same path. For each pair the script checks
whether ``fusions.tsv`` and ``fusions.discarded.tsv`` are byte-identical; for samples that differ it
prints the rows present on one side only, by the chosen columns (``-`` only in OLD, ``+`` only in NEW;
``pass``/``dis`` says which table). The last line counts samples: identical, differing, missing in NEW.

``--ignore-columns a,b`` compares the tables without these columns (named in either header): runs on
both sides of a change that added or removed a column are then "identical" when all else is.

Exit status: 0 when every sample's tables are byte-identical, 1 when any differ or are missing, 2 on
unusable input (a directory with no fusions.tsv).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

TABLES = ("fusions.tsv", "fusions.discarded.tsv")
DEFAULT_COLUMNS = ("fusion", "junction", "known_variant", "inserted_sequence", "unique_fragments", "confidence",
                   "filters")


def table_rows(sample_dir: Path, columns: tuple[str, ...]) -> list[str]:
    """The rows of a sample's two tables as one line each: table tag, then the chosen columns."""
    out = []
    for name, tag in zip(TABLES, ("pass", "dis")):
        path = sample_dir / name
        if not path.exists():
            continue
        lines = path.read_text().splitlines()
        if not lines:
            continue
        header = lines[0].split("\t")
        for line in lines[1:]:
            row = dict(zip(header, line.split("\t")))
            out.append(" ".join([tag, *(row.get(c, "?") for c in columns)]))
    return out


def table_text(path: Path, ignore: tuple[str, ...] = ()) -> str | None:
    """A table's text (None when missing), without the columns ``ignore`` names."""
    if not path.exists():
        return None
    text = path.read_text()
    if not ignore:
        return text
    lines = [line.split("\t") for line in text.splitlines()]
    keep = [i for i, c in enumerate(lines[0] if lines else []) if c not in ignore]
    return "".join("\t".join(cells[i] for i in keep if i < len(cells)) + "\n" for cells in lines)


def same_tables(a: Path, b: Path, ignore: tuple[str, ...] = ()) -> bool:
    return all(table_text(a / t, ignore) == table_text(b / t, ignore) for t in TABLES)


def compare(old: Path, new: Path, columns: tuple[str, ...] = DEFAULT_COLUMNS, ignore: tuple[str, ...] = ()) -> dict:
    """{"identical": [...], "differ": {relative dir: (only in old, only in new)}, "missing": [...]}."""
    result: dict = {"identical": [], "differ": {}, "missing": []}
    found = sorted(Path(d) for d, _, files in os.walk(old, followlinks=True) if "fusions.tsv" in files)
    for sample_dir in found:
        tsv = sample_dir / "fusions.tsv"
        rel = sample_dir.relative_to(old)
        other = new / rel
        if not (other / "fusions.tsv").exists():
            result["missing"].append(str(rel))
        elif same_tables(tsv.parent, other, ignore):
            result["identical"].append(str(rel))
        else:
            a, b = table_rows(tsv.parent, columns), table_rows(other, columns)
            result["differ"][str(rel)] = ([r for r in a if r not in b], [r for r in b if r not in a])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--columns", default=",".join(DEFAULT_COLUMNS),
                    help="comma-separated columns shown for differing rows (default: %(default)s)")
    ap.add_argument("--ignore-columns", default="",
                    help="comma-separated columns left out of the comparison (a column one side lacks)")
    args = ap.parse_args(argv)
    for d in (args.old, args.new):
        if not d.is_dir():
            print(f"error: {d} is not a directory: give two alkfuse output trees", file=sys.stderr)
            return 2
    ignore = tuple(c for c in args.ignore_columns.split(",") if c)
    result = compare(args.old, args.new, tuple(args.columns.split(",")), ignore)
    n = len(result["identical"]) + len(result["differ"]) + len(result["missing"])
    if n == 0:
        print(f"error: no fusions.tsv under {args.old}: give a benchmark's --out directory", file=sys.stderr)
        return 2
    for rel, (gone, added) in result["differ"].items():
        print(f"== {rel}" + ("" if gone or added else " (same rows by these columns; other columns differ)"))
        for r in gone:
            print(f"  - {r}")
        for r in added:
            print(f"  + {r}")
    for rel in result["missing"]:
        print(f"== {rel}: no fusions.tsv in {args.new}")
    same = "identical without " + ",".join(ignore) if ignore else "byte-identical"
    print(f"{n} samples: {len(result['identical'])} {same}, {len(result['differ'])} differ, "
          f"{len(result['missing'])} missing in {args.new}")
    return 0 if len(result["identical"]) == n else 1


if __name__ == "__main__":
    sys.exit(main())
