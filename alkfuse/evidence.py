"""Evidence: what the scan found, as plain data that merges by addition.

An evidence file is gzip-compressed JSON lines, written deterministically (gzip mtime 0, sorted keys,
records sorted by fragment name), so that the evidence of a whole input equals the merge of the
evidence of its parts:

    {"alkfuse_evidence": 1, "index": "<checksum>", "k": 19}      # header
    {"stats": {...}}                                            # counters (add up on merge)
    {"fragment": {...}}                                         # one line per candidate fragment
    {"tail": {...}}                                             # one line per partner tail read
    {"reciprocal": {...}}                                       # one line per reciprocal-transcript fragment

Coordinates are 0-based half-open transcript positions (``end5`` = one past the last partner base,
``start3`` = the first ALK base) on the transcripts named by id.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Iterable

from .errors import InputError

FORMAT = 1
FRAGMENT_BIN, FRAGMENT_BINS = 10, 200


@dataclass(frozen=True, slots=True)
class Split:
    """A read whose 5' part is a partner (or unknown sequence) and whose 3' part is ALK (fusion sense)."""

    mate: int  # 0 or 1
    gene5: str  # "." when the 5' part matches nothing in the index
    tx5: str  # transcript id, "." for unknown
    end5: int  # transcript position one past the last partner base (-1 for unknown)
    tx3: str
    start3: int  # transcript position of the first ALK base
    insert: str  # bases between partner and ALK ("" for none); for an unknown partner, its 5' sequence
    anchor5: int
    anchor3: int
    mismatches: int
    read_break: int  # 0-based position in the fusion-sense read of the first ALK base
    homolog: bool  # an anchor's k-mers are all shared with another gene


@dataclass(frozen=True, slots=True)
class Span:
    """A pair with one mate in a partner and the other in ALK, orientations as in a fusion transcript."""

    gene5: str
    tx5: str
    start5: int
    end5: int
    tx3: str
    start3: int
    end3: int
    homolog: bool
    mate5: int = 0  # which mate is in the partner
    read_end5: int = -1  # where the partner part ends in that mate's fusion-sense sequence


@dataclass(frozen=True, slots=True)
class Fragment:
    name: str
    umi: str
    seqs: tuple[str, ...]  # as read (mate 1, mate 2)
    quals: tuple[str, ...]
    reversed: tuple[bool, ...]  # per mate: its fusion-sense sequence is the reverse complement
    splits: tuple[Split, ...] = ()
    span: Span | None = None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "umi": self.umi,
            "seqs": list(self.seqs),
            "quals": list(self.quals),
            "reversed": list(self.reversed),
            "splits": [asdict(s) for s in self.splits],
            "span": asdict(self.span) if self.span else None,
        }

    @classmethod
    def from_json(cls, d: dict) -> "Fragment":
        return cls(
            d["name"],
            d["umi"],
            tuple(d["seqs"]),
            tuple(d["quals"]),
            tuple(d["reversed"]),
            tuple(Split(**s) for s in d["splits"]),
            Span(**d["span"]) if d["span"] else None,
        )


@dataclass(frozen=True, slots=True)
class PartnerTail:
    """A read (with no ALK k-mer in its fragment) that runs from the end of a panel partner's exon into
    bases other than the transcript's next ones: an insert, an intron, or a few ALK bases. Such reads show
    the inserted bases of a junction from the partner side (a fragment that ends inside a long insert),
    which place junctions no read crosses whole and join unknown 5' parts to their partner."""

    name: str
    mate: int
    gene5: str
    tx5: str  # transcript id
    end5: int  # transcript position one past the exon's last base
    anchor5: int  # partner bases the read shows before the exon end (>= k)
    tail: str  # the fusion-sense bases after the exon end, to the read's end or an adapter


LONG_MATE = "long read"  # Reciprocal.mate of a long read: no mate; read ends say nothing of duplicates


@dataclass(frozen=True, slots=True)
class Reciprocal:
    """A fragment of a reciprocal transcript: ALK's 5' exons (up to exon 19) joined to a partner's 3' exons,
    which the other derivative of a balanced rearrangement makes beside partner::ALK. Either one read runs
    from the end of an ALK exon into the start of a partner exon (``split``; a long read: ALK's chain of seeds
    then the partner's), or the pair's sense read lies in ALK and its mate in the partner. Not fusion evidence; the caller counts these beside the partner::ALK
    call they fit (``Call.reciprocal_fragments``)."""

    name: str
    umi: str
    gene: str  # the partner (the reciprocal transcript's 3' gene)
    tx: str  # partner transcript id
    start: int  # partner transcript position of the first partner base the fragment shows
    end: int  # ... one past the last
    alk_tx: str
    alk_start: int  # ALK transcript position of the first ALK base the fragment shows
    alk_end: int  # ... one past the last (a split read: the ALK exon's end)
    split: bool
    mate: str = ""  # a split read's mate: where it lies ("transcript:position" of its first base), "." nowhere,
    # LONG_MATE for a long read (no mate)


@dataclass(slots=True)
class Stats:
    """Counters of a scan; ``a + b`` is the stats of both inputs."""

    fragments: int = 0
    reads: int = 0
    bases: int = 0
    alk_kmer_fragments: int = 0  # fragments with a read holding an ALK pre-filter k-mer
    alk_internal_fragments: int = 0  # explained by ALK alone (wild type, ALK-ATI, ...)
    wildtype_fragments: int = 0  # unfused ALK: exon 19 -> 20
    split_fragments: int = 0
    span_fragments: int = 0
    partial_fragments: int = 0  # kept for the caller to place (short ALK or partner part)
    tail_reads: int = 0  # reads kept as partner tails (no ALK k-mer in their fragment)
    reciprocal_fragments: int = 0  # fragments of a reciprocal ALK::partner transcript
    # Fragment lengths of a hash-chosen sample of the pairs that lie on one indexed transcript (scan.
    # sample_fragment_lengths), in bins of FRAGMENT_BIN bases: the library's size distribution.
    fragment_lengths: list[int] = field(default_factory=lambda: [0] * FRAGMENT_BINS)

    def __add__(self, other: "Stats") -> "Stats":
        out = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            out[f.name] = [x + y for x, y in zip(a, b)] if isinstance(a, list) else a + b
        return Stats(**out)

    def add_fragment_lengths(self, lengths) -> None:
        """Add an array of fragment lengths (negative entries: not measured)."""
        import numpy as np

        lengths = np.asarray(lengths)
        bins = np.minimum(lengths[lengths >= 0] // FRAGMENT_BIN, FRAGMENT_BINS - 1)
        for b, n in zip(*np.unique(bins, return_counts=True)):
            self.fragment_lengths[int(b)] += int(n)

    def fragment_length_median(self, minimum: int = 20) -> int | None:
        """Median fragment length (bin centre), or None with fewer than ``minimum`` pairs measured."""
        total = sum(self.fragment_lengths)
        if total < minimum:
            return None
        seen = 0
        for i, n in enumerate(self.fragment_lengths):
            seen += n
            if 2 * seen >= total:
                return i * FRAGMENT_BIN + FRAGMENT_BIN // 2
        return None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Evidence:
    index: str
    k: int
    stats: Stats = field(default_factory=Stats)
    fragments: list[Fragment] = field(default_factory=list)
    tails: list[PartnerTail] = field(default_factory=list)
    reciprocal: list[Reciprocal] = field(default_factory=list)

    def __add__(self, other: "Evidence") -> "Evidence":
        if other.index != self.index:
            raise InputError("evidence files come from different indexes: scan all inputs with the same index")
        return Evidence(self.index, self.k, self.stats + other.stats, self.fragments + other.fragments,
                        self.tails + other.tails, self.reciprocal + other.reciprocal)

    def sorted(self) -> "Evidence":
        return Evidence(self.index, self.k, self.stats, sorted(self.fragments, key=lambda f: (f.name, f.seqs)),
                        sorted(self.tails, key=lambda t: (t.name, t.mate, t.tx5, t.end5, t.tail)),
                        sorted(self.reciprocal, key=lambda r: (r.name, r.tx, r.start, r.alk_start)))


def write_evidence(ev: Evidence, path: str | Path) -> None:
    """Write atomically (temporary file then rename): no half-written evidence on error."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    ev = ev.sorted()
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        def put(obj):
            gz.write((json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n").encode())

        put({"alkfuse_evidence": FORMAT, "index": ev.index, "k": ev.k})
        put({"stats": ev.stats.to_json()})
        for f in ev.fragments:
            put({"fragment": f.to_json()})
        for t in ev.tails:
            put({"tail": asdict(t)})
        for r in ev.reciprocal:
            put({"reciprocal": asdict(r)})
    os.replace(tmp, path)


def read_evidence(path: str | Path) -> Evidence:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such evidence file")
    try:
        with gzip.open(path, "rt") as fh:
            head = json.loads(fh.readline() or "null")
            if not isinstance(head, dict) or head.get("alkfuse_evidence") != FORMAT:
                raise InputError(f"{path}: not an alkfuse evidence file (format {FORMAT}): make it with `alkfuse scan`")
            ev = Evidence(head["index"], head["k"])
            for lineno, line in enumerate(fh, 2):
                obj = json.loads(line)
                if "stats" in obj:
                    ev.stats = ev.stats + Stats(**obj["stats"])
                elif "fragment" in obj:
                    ev.fragments.append(Fragment.from_json(obj["fragment"]))
                elif "tail" in obj:
                    ev.tails.append(PartnerTail(**obj["tail"]))
                elif "reciprocal" in obj:
                    ev.reciprocal.append(Reciprocal(**obj["reciprocal"]))
                else:
                    raise InputError(f"{path}: line {lineno}: unknown record")
    except (OSError, EOFError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: damaged evidence file ({exc.__class__.__name__}): run `alkfuse scan` again") from None
    return ev


def merge_evidence(paths: Iterable[str | Path]) -> Evidence:
    total = None
    for p in paths:
        ev = read_evidence(p)
        total = ev if total is None else total + ev
    if total is None:
        raise InputError("no evidence files given")
    return total.sorted()
