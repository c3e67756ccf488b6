"""Named filters (Arriba style): each marks a call with its name; nothing is deleted here.

A marked call goes to ``fusions.discarded.tsv`` with the names in ``filters``. Every filter can be
switched off by name (``--disable-filter NAME``). Order rules: filters are independent and all are
evaluated, so a call lists every reason it fails; confidence is set last, from the passing evidence.

| name            | marks a call when                                                                          |
|-----------------|--------------------------------------------------------------------------------------------|
| min_support     | fewer than 3 unique fragments, unless 2 with a named variant, 2 distinct split positions, |
|                 | or a split read and a spanning pair                                                        |
| duplicates      | the only support left after removing PCR duplicates is one fragment                       |
| homology        | every anchor is made of k-mers shared with another gene, or the partner is an ALK paralog   |
| low_complexity  | the partner anchor (or the unknown 5' sequence, or a long insert) is low complexity         |
| adapter         | the unknown 5' sequence is sequencing adapter (TruSeq, Nextera, MGI): read-through with more  |
|                 | errors than the scan's adapter search allows (its last 12-30 bases, an edit per 5 bases)     |
| recurrent_unknown | a 12-mer of the unknown 5' sequence stands right before 5+ ALK places more than 10 bases   |
|                 | apart, over all candidates, and fewer than 15 bases follow the last such 12-mer: adapter of a kit |
|                 | not listed, not a partner (low-complexity 12-mers not; alk_internal reads what follows)      |
| short_anchor    | no split read has 15+ partner bases and one 19+ ALK bases (10+ each at a listed variant's  |
|                 | junction) and no spanning pair backs it                                                    |
| mismatches      | split reads have more than 3 mismatches per 100 aligned bases (a paralog's or another      |
|                 | gene's reads; sequencing errors of a 250 bp MiSeq read stay below it), 3 or more in all    |
|                 | (one 50-base read's two errors are 4 per 100 but no pattern), on bases of quality 20+ only  |
|                 | (those a read doubts are its errors); not for long reads (PacBio/ONT: 1-15% errors are the |
|                 | chemistry's)                                                                               |
| alk_internal    | the partner is ALK itself, or an unknown 5' sequence is ALK's own: unspliced ALK pre-mRNA,  |
|                 | genomic DNA or ALK-ATI. Before exons 19-22 and 25 it ends with the ALK intron end listed in |
|                 | references/alk_intron_ends.tsv (or an ALK isoform's exon end spliced there); before other   |
|                 | exons it ends like an intron (a 3' splice site: ...AG after a pyrimidine-rich tract). With a |
|                 | genome index the ALK introns are indexed and such reads never become candidates.           |
| read_through    | the partner lies within 1 Mb upstream of ALK on the same strand (transcriptional read-through) |
| kinase_lost     | ALK is the 3' gene and its part starts after the start of ALK exon 22 (canonical ALK; in    |
|                 | genome order, inside a canonical exon or not): the kinase domain (exons 21-25) is not kept  |
|                 | whole, so the product cannot be an oncogenic ALK fusion (such calls come from 3' UTR reads  |
|                 | with an unexplained start, not from fusions)                                               |
| blocklist       | the gene pair is on the block list (references/blocklist.tsv or --blocklist)                |
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports FILTERS for --disable-filter: keep numpy out of its start
    from .index import Index
    from .panel import Panel

log = logging.getLogger("alkfuse")

READ_THROUGH_DISTANCE = 1_000_000
MAX_MISMATCHES_PER_100 = 3.0
MIN_MISMATCHES = 3  # fewer are no pattern, whatever their rate in a few short reads
# how caller.explain_unknown marks a partner named through partner tails (no read holds both genes)
JOINED_BY_TAILS = "partner exon end from reads that run from it"


def _min_support(c, ctx) -> bool:
    if c.unique_fragments >= 3:
        return False
    if c.unique_fragments == 2:
        independent = c.distinct_split_positions >= 2 or (c.split_reads > 0 and c.spanning_pairs > 0)
        return not (c.known_variant != "." or independent)
    return True


def _duplicates(c, ctx) -> bool:
    return c.unique_fragments == 1 and c.duplicates > 0


def _homology(c, ctx) -> bool:
    if c.homolog_only:
        return True
    return c.gene5 in ctx["alk_paralogs"]


def _low_complexity(c, ctx) -> bool:
    return c.low_complexity


ADAPTER_TAIL = 30  # an unknown 5' part's last bases compared with the adapters' ends
ADAPTER_MIN = 12  # fewer decide nothing
ADAPTER_EDIT_PER = 5  # compared bases per edit: adapter read-through with more errors than the scan allows
ADAPTER_SWALLOWED = 3  # adapter bases the ALK part may hold (ALK's first bases equal to the adapter's last)


def looks_like_adapter(seq5: str) -> bool:
    """Does an unknown 5' part end like an adapter before a fragment (``adapters.BEFORE``): its last 12-30
    bases aligned to an adapter's end (or up to 3 bases before it) with an edit per 5 bases? Read-through
    whose adapter holds more errors than the scan's adapter search takes (a read of a Nextera library
    with three, one of them a lost base) stays an unknown 5' part; reads of fragments that start at that
    ALK base, whose adapters were clean, then fit its junction but for a base or two, and a strongly
    expressed fusion made a false ``unknown::ALK ?;del24A21`` of 19 fragments."""
    from .adapters import BEFORE
    from .kernels import ends_within

    tail = seq5[-ADAPTER_TAIL:]
    if len(tail) < ADAPTER_MIN:
        return False
    return any(ends_within(tail, a, ADAPTER_SWALLOWED + 1, len(tail) // ADAPTER_EDIT_PER) for a in BEFORE)


def _adapter(c, ctx) -> bool:
    return c.gene5 == "unknown" and looks_like_adapter(c.fusion_sequence.split("|")[0])


RECURRENT_K = 12  # bases of an unknown 5' part looked up together
RECURRENT_PLACES = 5  # ALK places, more than RECURRENT_APART bases from each other, one k-mer may stand before
RECURRENT_APART = 10
RECURRENT_SLACK = 3  # a k-mer counts for a place when it ends this close to the part's end (ALK may take as
# many of the adapter's last bases: ADAPTER_SWALLOWED)
RECURRENT_PARTIAL = 8  # an adapter's last bases (8-11) a part starts with are cut too (short fragment ends)


def part_kmers(part: str) -> set[str]:
    """The k-mers of an unknown 5' part, low-complexity ones left out (poly-A stands before many places)."""
    from .seq import low_complexity

    kmers = {part[i : i + RECURRENT_K] for i in range(len(part) - RECURRENT_K + 1)}
    return {k for k in kmers if not low_complexity(k)}


def recurrent_kmers(parts) -> set[str]:
    """k-mers of unknown 5' parts that stand right before RECURRENT_PLACES or more ALK places apart from
    each other (ending within RECURRENT_SLACK bases of the part's end); ``parts`` holds (part, ALK place)
    pairs, 1-fragment candidates' (or single reads') too. A partner, known or not, joins ALK at one place,
    or at two or three exon starts where ALK is spliced on after it; the same bases before ALK fragments
    that start anywhere are a library's adapter (a kit ``adapters.py`` does not list) or another ligated
    sequence. Seen: single-end 150 bp reads of 3,000 wild-type ALK fragments of 140 +- 40 bases whose
    adapter no list held made ten false ``unknown::ALK`` calls of 2-4 fragments, at 200 ALK places; one of
    them, at exon 20, had 33 bases of ALK-ATI's first exon after the adapter."""
    places: dict[str, set[int]] = {}
    for part, place in parts:  # only k-mers right before ALK: a fusion's reads with an indel a few bases into
        # ALK put its part, then those ALK bases, before many places (v5b at 74,000 fragments)
        for kmer in part_kmers(part[-RECURRENT_K - RECURRENT_SLACK:]):
            places.setdefault(kmer, set()).add(place)
    out = set()
    for kmer, ps in places.items():
        ordered = sorted(ps)
        apart = 1 + sum(b - a > RECURRENT_APART for a, b in zip(ordered, ordered[1:]))
        if apart >= RECURRENT_PLACES:
            out.add(kmer)
    return out


def after_recurrent(part: str, recurrent: set[str]) -> str:
    """An unknown 5' part's bases after the last of the ``recurrent`` k-mers in it, or, with none in it, after
    the last 8-11 bases of one that it starts with (all of it when neither): what stands between the
    adapter and ALK."""
    ends = [i + RECURRENT_K for i in range(len(part) - RECURRENT_K + 1) if part[i : i + RECURRENT_K] in recurrent]
    if ends:
        return part[max(ends):]
    from .adapters import end_at_start

    return part[end_at_start(part, recurrent, RECURRENT_K - 1, RECURRENT_PARTIAL):]


def _recurrent_unknown(c, ctx) -> bool:
    """An unknown 5' part that holds a recurrent k-mer and fewer than STRONG_ANCHOR bases after it: adapter
    up to ALK. With more after it, those bases are what joins ALK there (a partner read from a short
    fragment, ALK-ATI's first exon): the caller has already cut such reads' parts after the adapter
    (``caller.without_recurrent_adapters``), and the other filters judge what is left (``_unknown_part``)."""
    part = c.fusion_sequence.split("|")[0]
    return c.gene5 == "unknown" and len(after_recurrent(part, ctx["recurrent"])) < min(len(part), STRONG_ANCHOR)


def _unknown_part(c, ctx) -> str:
    """A call's unknown 5' part as shown, without any adapter that recurs before ALK elsewhere."""
    return after_recurrent(c.fusion_sequence.split("|")[0], ctx["recurrent"])


STRONG_ANCHOR = 15  # partner bases of a split read that stand for a junction not listed (short_anchor)
# ALK bases of such a read: more than a fragment end of 10-18 ALK-like bases shows (index.ALK_END_MAX + 1;
# not imported: the CLI imports this module and keeps numpy out of its start).
# Unrelated reads that end in a few bases like an ALK exon start are picked by the scan's fragment-end probes
# (their 5' parts an unknown partner) and, read with a mismatch, reached 15-16 ALK bases: ART's reads of
# the FusionSimulator transcripts at 10x (4.4M pairs, 100 bp) gave a passing `unknown::ALK ?;A21` of five
# such ends. A real junction's reads run on into ALK past the first 18 bases too.
STRONG_ALK_ANCHOR = 19


def _short_anchor(c, ctx) -> bool:
    if c.spanning_pairs > 0:
        return False  # a mate wholly in each gene backs it, whatever the reads' anchors
    # A listed variant's exact junction needs only the anchors alignment asked for (10 bases): its long
    # inserts (v5b: 117 bases) leave little room for anchors in a read.
    if c.known_variant != ".":
        return min(c.max_anchor5, c.max_anchor3) < 10
    return c.max_anchor5 < STRONG_ANCHOR or c.max_anchor3 < STRONG_ALK_ANCHOR


def _mismatches(c, ctx) -> bool:
    if c.long_reads and c.long_reads >= c.split_reads:
        return False  # long reads: 1-15% errors are their chemistry's, not a pattern
    # mismatches on bases the reads doubt (quality < 20) are read errors, not another gene's sequence
    return c.sure_mismatches_per_100_bases > MAX_MISMATCHES_PER_100 and c.sure_mismatches >= MIN_MISMATCHES


def looks_intronic(seq5: str, window: int = 15, min_pyrimidine: float = 0.6) -> bool:
    """Ends like the 3' end of an intron: AG after a pyrimidine-rich tract."""
    tract = seq5[-2 - window : -2]
    return seq5.endswith("AG") and len(tract) == window and \
        sum(b in "CT" for b in tract) >= min_pyrimidine * window


INTRON_END_EDIT_PER = 10  # compared bases per edit allowed with a listed intron end (read errors, SNPs)


def alk_own_before(seq5: str, start3: int | None, index: Index | None, panel: Panel | None) -> bool:
    """Is an unknown 5' part that joins canonical ALK at transcript position ``start3`` ALK's own sequence
    (unspliced pre-mRNA, genomic DNA, an ALK isoform's read with an error)? Where the panel lists the end
    of the intron before that exon start (``Panel.intron_ends``, for an exon that starts as listed): when
    the part ends with that intron end or with the end of an ALK isoform's exon spliced to that start
    (ALK-ATI's first exon before exon 20), an edit per 10 bases allowed. Elsewhere (no listed end there,
    or no index): when it looks like an intron's end (``looks_intronic``), which one partner exon end in
    five does too."""
    ends = _alk_ends_before(start3, index, panel)
    if ends is None:
        return looks_intronic(seq5)
    from .kernels import ends_within

    for ref in ends:
        n = min(len(seq5), len(ref))
        if n and ends_within(seq5[-n:], ref, 1, n // INTRON_END_EDIT_PER):
            return True
    return False


def _alk_ends_before(start3: int | None, index: Index | None, panel: Panel | None) -> list[str] | None:
    """The listed intron end before canonical ALK's exon start ``start3`` and the ends of ALK isoforms'
    exons spliced to it (their last as many bases); None when no intron end is listed there."""
    if index is None or panel is None or start3 is None:
        return None
    alk = index.alk
    if start3 not in {s for s, _ in alk.t.exon_bounds()[1:]}:
        return None
    seq = index.sequence(alk.idx)
    intron = next((r.intron_end for r in panel.intron_ends if seq.startswith(r.exon_start, start3)), None)
    if intron is None:
        return None
    ends = [intron]
    gpos = alk.t.to_genome(start3)
    for ti in index.genes[alk.gene]:
        at = ti.t.to_transcript(gpos)
        if at and at in {s for s, _ in ti.t.exon_bounds()}:
            ends.append(index.sequence(ti.idx)[max(0, at - len(intron)) : at])
    return ends


def _alk_start3(c, index: Index | None) -> int | None:
    """Canonical ALK's transcript position of a call's first ALK base (None when not on it)."""
    if index is None or c.gpos3 < 0 or c.chrom3 != index.alk.t.chrom:
        return None
    return index.alk.t.to_transcript(c.gpos3)


def _alk_internal(c, ctx) -> bool:
    if c.gene5 == "ALK":
        return True
    return c.gene5 == "unknown" and alk_own_before(
        _unknown_part(c, ctx), _alk_start3(c, ctx["index"]), ctx["index"], ctx["panel"])


def _read_through(c, ctx) -> bool:
    if c.gpos5 < 0 or c.chrom5 != c.chrom3 or c.strand5 != c.strand3:
        return False
    # upstream of ALK in the direction of transcription
    d = (c.gpos3 - c.gpos5) if c.strand3 == "+" else (c.gpos5 - c.gpos3)
    return 0 < d <= READ_THROUGH_DISTANCE


KINASE_LAST_EXON_START = 22  # an ALK part starting after this exon's first base lacks part of the kinase


def _kinase_lost(c, ctx) -> bool:
    if ctx["index"] is None:  # no annotation to place the ALK part in
        return False
    alk = ctx["index"].alk
    if c.gene3 != alk.gene or c.gpos3 < 0 or c.chrom3 != alk.t.chrom:
        return False
    # Downstream of exon 22's first base in the direction of transcription, inside a canonical exon or not:
    # an ALK isoform's own exon inside intron 22 (ENST00000453137) had a 2-fragment unknown::ALK pass
    # (ART's reads of the FusionSimulator transcripts at 10x, 150 bp), its start in no canonical exon.
    first = alk.t.to_genome(alk.t.exon_bounds()[KINASE_LAST_EXON_START - 1][0])
    return c.gpos3 > first if alk.t.strand == "+" else c.gpos3 < first


def _blocklist(c, ctx) -> bool:
    return (c.gene5, c.gene3) in ctx["blocklist"]


FILTERS = {
    "min_support": _min_support,
    "duplicates": _duplicates,
    "homology": _homology,
    "low_complexity": _low_complexity,
    "adapter": _adapter,
    "recurrent_unknown": _recurrent_unknown,
    "short_anchor": _short_anchor,
    "mismatches": _mismatches,
    "alk_internal": _alk_internal,
    "read_through": _read_through,
    "kinase_lost": _kinase_lost,
    "blocklist": _blocklist,
}


def apply_filters(calls, index: Index, panel: Panel, disabled: frozenset[str] = frozenset(),
                  blocklist: frozenset = frozenset()) -> None:
    unknown = set(disabled) - set(FILTERS)
    if unknown:
        from .errors import AlkfuseError

        raise AlkfuseError(f"unknown filter name(s) {', '.join(sorted(unknown))}: choose from {', '.join(FILTERS)}")
    ctx = {"panel": panel, "index": index, "blocklist": frozenset(panel.blocklist) | frozenset(blocklist),
           "alk_paralogs": {"LTK"} | {g.symbol for g in panel.paralogs() if "ALK" in g.note},
           "recurrent": recurrent_kmers((c.fusion_sequence.split("|")[0], c.gpos3) for c in calls
                                        if c.gene5 == "unknown" and c.gpos3 >= 0)}
    for name, test in FILTERS.items():
        if name in disabled:
            continue
        n = 0
        for c in calls:
            if test(c, ctx):
                c.filters.append(name)
                n += 1
        if n:
            log.info("filter %s marked %d candidate(s)", name, n)
    for c in calls:
        c.confidence, c.confidence_reason = confidence(c)


def confidence(c) -> tuple[str, str]:
    """high / medium / low with the reason a person can read."""
    tier, why = _tier(c)
    if c.precise and c.inference.startswith(JOINED_BY_TAILS):
        why += f"; {c.inference}"
    return tier, why


def _tier(c) -> tuple[str, str]:
    if c.filters:
        return "low", "filtered: " + ",".join(c.filters)
    if not c.precise:
        how = f" ({c.inference})" if c.inference else ""
        return "low", f"junction not seen whole in a read: exons inferred from spanning pairs{how}"
    boundary = c.exon5 != "." and c.exon3 != "."
    named = c.known_variant != "."
    if c.gene5 == "unknown":
        if c.unique_fragments >= 3:
            return "medium", "partner not in the reference; junction seen in reads"
        return "low", "partner not in the reference"
    if c.inference.startswith(JOINED_BY_TAILS) and not c.spanning_pairs:
        return "medium", f"{c.unique_fragments} unique fragments, partner named by reads of its side only"
    if c.unique_fragments >= 3 and (boundary or named):
        why = "named variant" if named else "exon boundaries"
        return "high", f"{c.unique_fragments} unique fragments, {why}"
    if c.unique_fragments >= 3:
        return "medium", f"{c.unique_fragments} unique fragments; break not at exon boundaries"
    return "medium", f"{c.unique_fragments} unique fragments"
