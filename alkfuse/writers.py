"""Writers: render calls (plain data) as TSV and JSON. Written atomically, deterministic bytes.

Every coordinate a user reads is 1-based (breakpoints ``chrom:pos:strand``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

COLUMNS = (
    "fusion gene5 gene3 transcript5 transcript3 exon5 exon3 junction known_variant breakpoint5 breakpoint3 "
    "inserted_sequence split_reads spanning_pairs unique_fragments wildtype_fragments confidence "
    "reading_frame filters fusion_sequence"
).split()
EXTRA = ("fusion_fraction duplicates distinct_split_positions max_anchor5 max_anchor3 mismatches_per_read "
         "mismatches_per_100_bases precise partner_role confidence_reason reciprocal_fragments").split()


def _cell(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):
        return ",".join(v) if v else "."
    if v is None or v == "":
        return "."
    return str(v)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text)
    os.replace(tmp, path)


def tsv_text(calls) -> str:
    head = "\t".join(COLUMNS + EXTRA) + "\n"
    return head + "".join("\t".join(_cell(getattr(c, k)) for k in COLUMNS + EXTRA) + "\n" for c in calls)


def call_dict(c) -> dict:
    d = {k: getattr(c, k) for k in COLUMNS + EXTRA}
    d["filters"] = list(c.filters)
    d["supporting_reads"] = list(c.supporting_reads)
    d["reciprocal_reads"] = list(c.reciprocal_reads)
    d["passed"] = c.passed
    return d


def write_outputs(calls, outdir: str | Path, *, sample: str, stats: dict) -> dict[str, Path]:
    """fusions.tsv (passing), fusions.discarded.tsv (filtered, with reasons), fusions.json, stats.json."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    passed = [c for c in calls if c.passed]
    dropped = [c for c in calls if not c.passed]
    paths = {
        "tsv": out / "fusions.tsv",
        "discarded": out / "fusions.discarded.tsv",
        "json": out / "fusions.json",
        "stats": out / "stats.json",
    }
    doc = {"sample": sample, "fusions": [call_dict(c) for c in passed],
           "discarded": [call_dict(c) for c in dropped]}
    _atomic_write(paths["tsv"], tsv_text(passed))
    _atomic_write(paths["discarded"], tsv_text(dropped))
    _atomic_write(paths["json"], json.dumps(doc, indent=1, sort_keys=True) + "\n")
    _atomic_write(paths["stats"], json.dumps(stats, indent=1, sort_keys=True) + "\n")
    return paths
