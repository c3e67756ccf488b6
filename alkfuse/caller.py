"""The caller: evidence -> candidate junctions -> verified support -> filters -> annotated calls.

Steps, in order (each is a function below):

1. ``candidates``: split reads grouped by junction (partner transcript end, ALK transcript start); inserts
   that differ by a few bases (homopolymer runs, one error) join the most frequent one.
2. ``_rescue_candidates``: genes seen only in spanning pairs get one candidate per exon end of their
   canonical transcript joined to ALK exon 20 (19/21 when an ALK mate lies before exon 20).
3. ``assign``: every fragment is aligned (ungapped, seeded) to every candidate junction sequence; it
   supports the junction its own split read names, else the one its reads cross with the longest short
   anchor, else (spanning pair) the compatible junction with most split support. A fragment supports one
   junction at most.
4. ``_spanning_only`` + ``place_imprecise``: partners seen only in spanning pairs (and reads of inserted
   bases) get one imprecise junction whose exons, insert and ALK-side deletion are chosen among exon
   ends and listed variants by fragment-length likelihood (see ``place_imprecise``).
5. duplicates: fragments with the same UMI (if any) and the same mate positions on the junction count once.
6. ``filters.apply``: named filters mark calls (they never delete); see alkfuse/filters.py.
7. annotation: exons, junction notation, named variant, genome breakpoints, frame, fusion sequence.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from operator import ne
from types import SimpleNamespace

import numpy as np

from .adapters import end_at_start, read_through_start
from .align import JunctionHit, JunctionSeq, JunctionTable, _rank, coded_read, doubtful_mismatches
from .annotate import Annotator, count_reciprocal
from .evidence import FRAGMENT_BIN, LONG_MATE, Evidence, Fragment
from .index import Index
from .kernels import edit_distance as _edit_distance
from .kernels import covered_prefix, ends_within
from .panel import Panel
from .scan import ADAPTER_GAPPED, DOUBTFUL_QUALITY, gapped_end
from .filters import JOINED_BY_TAILS, RECURRENT_K, RECURRENT_PARTIAL, after_recurrent, alk_own_before, recurrent_kmers
from .seq import low_complexity, revcomp

FLANK = 400


@dataclass(frozen=True)
class CallParams:
    min_anchor: int = 10  # shorter anchor of a split read found by alignment to a junction
    rescue_anchor: int = 8  # ... for exon-boundary junctions tried for spanning-pair-only genes
    max_short_mismatches: int = 1  # mismatches allowed within a split read's shorter anchor
    max_fragment: int = 1000  # longest fragment a spanning pair may imply (longer libraries: fragment_limit)
    insert_tolerance: int = 3  # inserts differing in length by up to this (and similar) join
    nearby: int = 10  # bases within which a weak junction joins a junction with twice its support


@dataclass
class Junction:
    """A candidate fusion junction, 0-based transcript coordinates."""

    gene5: str
    tx5: int  # index transcript number, -1 for unknown partner
    end5: int
    tx3: int
    start3: int
    insert: str
    precise: bool = True
    seq5: str = ""  # 5' sequence of an unknown partner
    absorbs_unknown: bool = False  # also takes the split reads of an unknown 5' part at this ALK start
    absorbed: set = field(default_factory=set)  # unknown 5' parts (as reads show them) joined here with indels
    prefixes: list = field(default_factory=list)  # the reads' unknown 5' parts (longest first)
    inferred: str = ""  # how an imprecise junction was placed
    read_start3: int = -1  # where its reads' unknown 5' part joins ALK, when placing moved start3
    alternatives: list = field(default_factory=list)  # (notation, name) of other junctions the pairs fit nearly as well
    insert_votes: Counter = field(default_factory=Counter)  # insert length -> reads split here that show it
    prefix_reads: Counter = field(default_factory=Counter)  # unknown 5' part: each of its sequences -> reads
    seq5_errors: float = 0.0  # sequencing errors expected in the unknown part of its best-read read (qualities)
    fragments: list = field(default_factory=list)  # (Fragment, kind, hits)


@dataclass
class Call:
    """One fusion junction as plain data; writers render it."""

    fusion: str
    gene5: str
    gene3: str
    transcript5: str
    transcript3: str
    exon5: str
    exon3: str
    junction: str
    known_variant: str
    breakpoint5: str
    breakpoint3: str
    inserted_sequence: str
    split_reads: int
    spanning_pairs: int
    unique_fragments: int
    wildtype_fragments: int
    confidence: str
    reading_frame: str
    filters: list[str]
    fusion_sequence: str
    fusion_fraction: float
    duplicates: int
    distinct_split_positions: int
    max_anchor5: int
    max_anchor3: int
    mismatches_per_read: float
    precise: bool
    homolog_only: bool
    low_complexity: bool
    confidence_reason: str
    partner_role: str
    chrom5: str
    chrom3: str
    strand5: str
    strand3: str
    gpos5: int  # 0-based genome position of the last partner base (-1 unknown)
    gpos3: int
    supporting_reads: list[str]
    insert_length: int = 0
    deletion3: int = 0
    mismatches_per_100_bases: float = 0.0  # of split reads, per 100 bases they align
    sure_mismatches: int = 0  # of split reads' mismatches, those on bases of quality 20+ (the mismatches filter)
    sure_mismatches_per_100_bases: float = 0.0
    inference: str = ""  # how an imprecise junction was placed (see place_imprecise)
    long_reads: int = 0  # split reads that are long reads (scan.LONG_READ bases or more)
    reciprocal_fragments: int = 0  # fragments of the reciprocal ALK::partner transcript (annotate.count_reciprocal)
    reciprocal_reads: list[str] = field(default_factory=list)  # their names (one per PCR-duplicate group)

    @property
    def passed(self) -> bool:
        return not self.filters


def _prefix_quality(f: Fragment, s) -> list[float]:
    """Per base of an unknown 5' part, the chance it is right (from its read's qualities; bases the mate
    added in front count as sure)."""
    q = f.quals[s.mate]
    q = q[::-1] if f.reversed[s.mate] else q
    own = [1.0 - 10 ** (-(ord(c) - 33) / 10) for c in q[: s.read_break]][-len(s.insert):]
    return [1.0] * (len(s.insert) - len(own)) + own


def candidates(ev: Evidence, index: Index, params: CallParams, panel: Panel | None = None) -> list[Junction]:
    """Junctions the split reads show: per partner exon end and ALK start, their inserts clustered (ties of
    length go to a listed variant's: one MiSeq read of v8b with a base gained and one without made
    ``E17;ins62A20``); per ALK start, unknown 5' parts clustered."""
    listed = _listed_junctions(index, panel) if panel is not None else set()
    groups: dict[tuple, Counter] = defaultdict(Counter)
    weights: dict[str, list] = {}  # unknown 5' parts: per-base weights of the reads that show them
    for f in ev.fragments:
        for s in f.splits:
            if s.gene5 == ".":
                groups[(".", -1, -1, *_alk_start(index, s))][s.insert] += 1
                weights.setdefault(s.insert, []).append(_prefix_quality(f, s))
            else:
                groups[(s.gene5, index.by_id[s.tx5].idx, s.end5, *_alk_start(index, s))][s.insert] += 1
    out = []
    for (gene5, tx5, end5, tx3, start3), inserts in sorted(groups.items(), key=lambda x: x[0]):
        if gene5 == ".":
            for seq5, members in _cluster_prefixes(inserts):
                reads = [(m, w) for m in members for w in weights[m]]
                out.append(Junction(".", -1, -1, tx3, start3, "", True,
                                    _right_consensus([m for m, _ in reads], seq5, [w for _, w in reads]),
                                    prefixes=members, prefix_reads=Counter({m: len(weights[m]) for m in members}),
                                    seq5_errors=min(sum(1.0 - x for x in w) for _, w in reads)))
            continue
        here = frozenset(n for t, e, s3, n in listed if (t, e, s3) == (tx5, end5, start3))
        for rep, votes in _cluster_inserts(inserts, params.insert_tolerance, with_votes=True, listed=here):
            out.append(Junction(gene5, tx5, end5, tx3, start3, rep, insert_votes=votes))
    return out


def _alk_start(index: Index, s) -> tuple[int, int]:
    """(transcript, position) of a split read's first ALK base, on canonical ALK when that transcript holds
    it (a read placed on another isoform, e.g. ALK-ATI, whose exon 20 is the same genome bases)."""
    ti = index.by_id[s.tx3]
    alk = index.alk
    if ti.idx != alk.idx:
        p = alk.t.to_transcript(ti.t.to_genome(s.start3))
        if p is not None:
            return alk.idx, p
    return ti.idx, s.start3


def explain_unknown(juncs: list[Junction], ev: Evidence, index: Index, min_match: int = 8,
                    min_unknown: int = 20, panel: Panel | None = None,
                    tails: dict[str, list[tuple[int, str]]] | None = None) -> None:
    """Give an unknown 5' sequence its partner, in this order:

    1. it ends like a junction read with a known partner and insert at the same ALK start (reads that
       hold only inserted bases and ALK, e.g. a v8a read missing the EML4 part): join that junction, unless
       a junction without insert there reads it better (then the part is that partner's exon end: step 2);
    2. it begins with the end of an exon of a partner gene (seen in the sample, or any panel partner with
       a longer match, or as short a one when the rest is exactly a listed variant's insert there; one
       error per 16 bases allowed, a read's indel included): that partner plus inserted bases (the pizzly
       EML4 exon 14 + ALK intron 19 case);
    3. its start is the end of a partner tail (a read that runs from a partner exon end into other bases;
       16+ bases of overlap, one mismatch per 16): that partner exon, the tail's bases before the overlap
       and the unknown part as the insert (long inserts such as v5b's, which no read crosses whole); not
       when the unknown part is ALK's own (``filters.alk_own_before``: ALK pre-mRNA, whose repeats may
       match an intron read of the partner: the call would be a false fusion with that partner);
    4. the mates of its reads lie in one partner gene: that partner, exon inferred (imprecise).
    """
    tails = tails if tails is not None else canonical_tails(ev, index)
    seeds = _tail_seeds(tails)
    seen = {s.gene5 for f in ev.fragments for s in f.splits if s.gene5 != "."} \
        | {f.span.gene5 for f in ev.fragments if f.span is not None}
    panel_partners = {ti.gene for ti in index.transcripts if ti.role == "partner"}
    # Genes with evidence in the sample need a shorter match than the rest of the panel's partners, unless
    # the rest of the part is the insert of a listed variant there (its length exactly, at its ALK start).
    genes = [(g, min_match) for g in sorted(seen)] + [(g, min_match + 4) for g in sorted(panel_partners - seen)]
    listed = _listed_junctions(index, panel) if panel is not None else set()
    by_start = None  # _partner_from_mates' look-up, built on first use
    memo: dict[tuple[str, int, str], Counter] = {}

    def tail_votes(g: str, e: int, insert: str) -> Counter:  # the same host is voted on again as parts join it
        if (g, e, insert) not in memo:
            memo[g, e, insert] = _tail_votes(tails.get(g, ()), e, insert)
        return Counter(memo[g, e, insert])

    for j in juncs:
        if j.tx5 >= 0 or not j.seq5:
            continue
        if _misread_alk(j, index):
            j.fragments = None  # no junction: its fragments may still be spanning pairs
            continue
        host, edited = _best_host(j, juncs, index)
        if host is not None and host.insert:
            if edited:  # reads with an indel would shift the insert's bases in a vote; ``assign`` gives
                _absorb_by_parts(host, j)  # their reads to the host by their parts
            else:
                host.absorbs_unknown = True
                host.insert = _part_consensus(host.insert, j, host)
                host.prefix_reads.update(j.prefix_reads)  # its bases stand for these reads too now
                _tail_length(host, tails, index, listed, tail_votes)
                j.fragments = None  # removed below
            continue
        best = None
        for seq5 in (j.prefixes or [j.seq5])[:8]:  # the longest few: one without an early error will do
            for g, need in genes:
                canon = index.canonical[g]
                pseq = index.sequence(canon.idx)
                for _, e in canon.t.exon_bounds():
                    for L in _exon_end_offsets(seq5, pseq[e - 6 : e], min_match, min(len(seq5), e)):
                        if L < need and (canon.idx, e, j.start3, len(seq5) - L) not in listed:
                            continue
                        if _exon_end_fits(seq5[:L], pseq[:e]):
                            if best is None or L > best[0]:
                                best = (L, g, canon.idx, e, seq5[L:])
                            break
            if best is not None:
                break
        if best is None:
            best = _host_exon_end(j, juncs, index)
        if best is None and host is not None and (edited or \
                _end_mismatches(_five_prime_side(host, index), j.seq5) <= len(j.seq5) // 10):
            # the exon end of a junction reads show at this ALK start, read with more errors than the step
            # above allows (ART's MiSeq v3 profile: v5a's reads with 2 errors in their 21 EML4 bases were an
            # unknown::ALK call of 2 reads beside E2;A20 of 1), or as many as _best_host lets a part join a
            # junction with inserted bases (a v7 read's 43 EML4 bases with 4 errors under qualities that
            # expect them stood alone beside its E14;del12A20, and the v7 of 4 fragments was missed)
            _absorb_by_parts(host, j)
            continue
        if best is None and not _alk_own(j, index, panel):  # ALK pre-mRNA reads are not joined to a partner
            best = _join_tail(j.prefixes or [j.seq5], seeds, index)
            if best is not None:
                j.inferred = (f"{JOINED_BY_TAILS} into the inserted bases, {best[0]} of them the same as in the reads "
                              "from ALK; no read holds both genes")
        if best is not None:
            L, g, tx5, e, insert = best
            if 1 <= len(insert) <= 30 and panel is not None:
                # a few 'inserted' bases that are ALK but for one error before a listed ALK start (v7: 12
                # bases into exon 20): one substitution, not an insert and another deletion
                s0 = j.start3 - len(insert)
                if s0 in index.listed_alk_starts(j.tx3, panel) and \
                        _mismatches(insert, index.sequence(j.tx3)[s0 : j.start3]) <= 1 + len(insert) // 10:
                    j.start3, insert = s0, ""
            same = next((o for o in juncs if o is not j and not o.seq5 and (o.tx5, o.end5, o.tx3, o.start3) ==
                         (tx5, e, j.tx3, j.start3) and _similar(o.insert, insert, 3)), None)
            if same is not None:  # a junction reads show with the partner part long enough to seed
                same.absorbs_unknown = True
                # The insert length most reads show (a read indel in the one read that seeded the partner
                # made v8a E17;ins29A20 beside two reads of 10 EML4 bases and all 30); ties: a listed
                # length, then the seeded junction's.
                # Partner tails vote too (_tail_votes).
                votes = same.insert_votes + _prefix_votes(j, index.sequence(tx5)[e - 3 : e],
                                                          {len(insert), len(same.insert)}) \
                    + tail_votes(g, e, same.insert)
                size = _voted_length(votes, listed, (tx5, e, j.start3), len(same.insert))
                same.insert_votes = votes
                if size == len(insert) != len(same.insert):
                    same.insert = _part_consensus(insert, j)
                elif len(same.insert) == len(insert):
                    same.insert = _part_consensus(same.insert, j, same)
                j.fragments = None
                continue
            j.gene5, j.tx5, j.end5, j.insert = g, tx5, e, _part_consensus(insert, j)
            continue
        if by_start is None:
            by_start = _unknown_with_mates(ev, index)
        if not _partner_from_mates(j, ev, index, panel, by_start) and len(j.seq5) < min_unknown:
            j.fragments = None  # too short to stand as an unknown partner; its reads may align elsewhere
    juncs[:] = [j for j in juncs if j.fragments is not None]


MISREAD_MIN = 12  # bases of an unknown 5' part that can show it is ALK's own, misread


def _misread_alk(j: Junction, index: Index) -> bool:
    """Is an unknown 5' part ALK's own bases before its ALK start, read with as many errors as its qualities
    allow (an edit per 10 bases plus ``_error_allowance``)? Then nothing is joined there: the read is
    ALK. The error-rich last bases of InSilicoSeq's MiSeq reads (qualities 8-20) made ALK exon 20's bases
    14-36 with six errors a part before base 37, which the mates named EML4: a second EML4::ALK call."""
    if j.tx3 != index.alk.idx or len(j.seq5) < MISREAD_MIN or j.start3 < len(j.seq5):
        return False
    ref = index.sequence(j.tx3)[max(0, j.start3 - len(j.seq5) - 8) : j.start3]
    return ends_within(j.seq5, ref, 1, len(j.seq5) // 10 + _error_allowance(j.seq5_errors))


def _absorb_by_parts(host: Junction, j: Junction) -> None:
    """Unknown 5' part ``j`` joins ``host`` without a vote on its bases: ``assign`` gives its reads to the
    host by their parts; ``j`` is removed."""
    host.absorbs_unknown = True
    host.absorbed.update(j.prefixes or [j.seq5])
    j.fragments = None


TAIL_OVERLAP = 16  # bases a partner tail and an unknown 5' part must share to be joined


def _tail_seeds(tails: dict[str, list[tuple[int, str]]]) -> dict[str, list[tuple[str, int, str, int]]]:
    """Every TAIL_OVERLAP-mer of every partner tail -> (gene, exon end, tail, offset), in gene, end, tail order."""
    seeds: dict[str, list[tuple[str, int, str, int]]] = defaultdict(list)
    for g in sorted(tails):
        for e, tail in tails[g]:
            for o in range(len(tail) - TAIL_OVERLAP + 1):
                seeds[tail[o : o + TAIL_OVERLAP]].append((g, e, tail, o))
    return seeds


def _best_host(j: Junction, juncs: list[Junction], index: Index,
               mismatches: int = 2) -> tuple[Junction | None, bool]:
    """(the junction with a known partner at ``j``'s ALK start whose sequence ends like ``j``'s unknown 5'
    part, whether it took indels to read it so). The fewest mismatches (at most ``mismatches``) first, then
    the fewest edits (at most one per 16 bases) in a junction split reads show twice as often as the part:
    the parts of reads with an indel in the insert (a strongly expressed v5b gave such a part of 124 bases
    that took the reads of all the others, see ``assign``), not a part most reads show beside a junction
    seeded by a read with an indel. Ties: the one with more reads behind its insert (a strongly expressed v6
    at 150 bp: a part holding the insert and a few exon bases read as well as v6 and as two reads that
    lost a base near the exon's end, E13-6;ins74A20, which came first and took 416 fragments), then the
    first. One without inserted bases is returned too: then the part is the partner's exon end,
    explain_unknown's step 2."""
    fits = []
    cap = len(j.seq5) // 16
    reads = max(1, sum(j.prefix_reads.values()))
    for n, o in enumerate(juncs):
        if o.tx5 < 0 or o.tx3 != j.tx3 or o.start3 != j.start3:
            continue
        side = _five_prime_side(o, index)
        d = _end_mismatches(side, j.seq5)
        if d is not None and d <= _part_allowance(j.seq5_errors, len(j.seq5), mismatches):
            # more mismatches than ``mismatches`` only where the part's qualities expect them, or one per 16
            # bases (random bases differ in 3 of 4; ART's MiSeq v3 reads, 6-13% errors under good
            # qualities, left a v6 read's 165 bases of EML4 and insert with 7 an unknown::ALK beside v6):
            # such a part joins as one read with indels does (its reads by their parts; no vote on bases)
            fits.append((0 if d <= mismatches else 1, d, -_insert_reads(o), n, o))
        elif cap and len(side) >= len(j.seq5) and sum(o.insert_votes.values()) >= 2 * reads:
            edits = next((c for c in range(1, cap + 1) if ends_within(j.seq5, side[-len(j.seq5) - c :], 1, c)), None)
            if edits is not None:
                fits.append((1, edits, -_insert_reads(o), n, o))
    if not fits:
        return None, False
    best = min(fits, key=lambda x: x[:4])
    return best[4], bool(best[0])


def _part_allowance(errors: float, length: int, mismatches: int = 2) -> int:
    """Mismatches a noisy unknown part of ``length`` bases may have against a junction's bases and still be
    that junction's: ``mismatches`` plus what its qualities expect (``errors``, ``_error_allowance``) or one
    per 16 bases, whichever is more (random bases differ in 3 of 4)."""
    return mismatches + max(_error_allowance(errors), length // 16)


HOST_INSERT_MIN = 10  # inserted bases an unknown part must share with a junction to read its exon end as noisily


def _host_exon_end(j: Junction, juncs: list[Junction], index: Index,
                   min_exon: int = 12) -> tuple[int, str, int, int, str] | None:
    """(partner bases, gene, transcript, exon end, inserted bases) when unknown 5' part ``j`` is a junction
    reads show at its ALK start with HOST_INSERT_MIN+ inserted bases, but for a read indel in one of the
    two: the part's last bases within ``_similar`` of that insert (up to 3 bases longer or shorter) and the
    ``min_exon``+ bases before them that junction's exon end, with as many mismatches as ``_best_host`` allows
    a part (``_part_allowance``). ART's MiSeq v3 profile: a v8a's one read across the junction gained a base in the insert
    (E17;ins31A20) and its two reads of the 30 inserted bases and 14 and 28 EML4 bases with 2-3 errors each
    (more than ``_exon_end_fits`` takes) stood apart, a fusion of 3 fragments missed. Only exon ends of
    junctions reads show are read so: anywhere in EML4, one error per 8 bases made false second calls of a
    few inserted bases beside strongly expressed insert variants. The fewest mismatches, then the insert
    length nearest the junction's, win."""
    fits = []
    for o in juncs:
        if o.tx5 < 0 or len(o.insert) < HOST_INSERT_MIN or (o.tx3, o.start3) != (j.tx3, j.start3):
            continue
        exon = index.sequence(o.tx5)[: o.end5]
        for seq5 in (j.prefixes or [j.seq5])[:8]:
            for n in range(len(o.insert) - 3, len(o.insert) + 4):
                L = len(seq5) - n
                if L < min_exon or L > len(exon) or not _similar(o.insert, seq5[L:], 3):
                    continue
                d = _mismatches(seq5[:L], exon[-L:])
                if d <= _part_allowance(j.seq5_errors, L):
                    fits.append((d, abs(n - len(o.insert)), -L, o.tx5, o.end5, o.gene5, seq5[L:]))
    if not fits:
        return None
    d, _, L, tx5, e, g, insert = min(fits)
    return -L, g, tx5, e, insert


def _end_mismatches(side: str, part: str) -> int | None:
    """Mismatches of ``part`` against the last bases of ``side``; None when ``side`` is shorter."""
    return _mismatches(side[-len(part):], part) if len(side) >= len(part) else None


DOUBTFUL = 1 - 10 ** (-DOUBTFUL_QUALITY / 10)  # a base with less chance than this of being right is doubtful


def _part_mismatches(side: str, part: str, right: list[float]) -> int | None:
    """``_end_mismatches``, less one mismatch that falls on a base its read calls doubtful (``right``: per
    base of ``part``, the chance it is right). Reads of 11-15 of a strongly expressed v5b's last inserted
    bases with one such base (qualities 3-10) joined no junction at the exact-match rule for parts under
    16 bases, and a part of adapter and v5b's last 22 inserted bases, one read, took seven of them: a false
    ``unknown::ALK`` beside v5b (single-end 150 bp, quick grid)."""
    if len(side) < len(part):
        return None
    wrong = [i for i, (a, b) in enumerate(zip(side[-len(part):], part)) if a != b]
    return len(wrong) - any(right[i] < DOUBTFUL for i in wrong)


def _exon_end_fits(part: str, exon: str) -> bool:
    """``part`` reads as the end of ``exon`` (the partner's bases up to an exon end): one mismatch per 16
    bases, or as many edits when an indel (a read error) shifts the bases before it."""
    budget = len(part) // 16
    if _mismatches(part, exon[-len(part):]) <= budget:
        return True
    return budget > 0 and ends_within(part, exon[-len(part) - budget:], 1, budget)


def _prefix_votes(j: Junction, end3: str, lengths: set[int]) -> Counter:
    """Reads of unknown 5' part ``j`` per insert length in ``lengths``: those that show the partner's last
    bases ``end3`` right before that many inserted bases."""
    return Counter({n: sum(c for m, c in j.prefix_reads.items()
                           if len(m) >= n + len(end3) and m[len(m) - n - len(end3) : len(m) - n] == end3)
                    for n in lengths})


TAIL_PROBE_VOTE = 16  # last bases of a partner tail placed on a junction's insert to vote on its length


def _tail_shift(tail: str, insert: str, reach: int = 3) -> int | None:
    """How many bases longer than ``insert`` partner tail ``tail`` (the bases after the partner's exon end
    in a read that stops inside the insert) says the insert is: its last TAIL_PROBE_VOTE bases placed on
    ``insert`` within ``reach`` bases of where its length puts them (one mismatch allowed; the smallest
    shift wins ties). None for a tail too short, or as long as the insert (a split read, counted as one)."""
    n = TAIL_PROBE_VOTE
    if not n < len(tail) < len(insert):
        return None
    t0 = len(tail) - n
    fits = [(_mismatches(tail[t0:], insert[t0 - d : t0 - d + n]), abs(d), d) for d in range(-reach, reach + 1)
            if 0 <= t0 - d and t0 - d + n <= len(insert)]
    best = min(fits, default=None)
    return best[2] if best is not None and best[0] <= 1 else None


def _tail_votes(tails: Iterable[tuple[int, str]], end5: int, insert: str) -> Counter:
    """Insert lengths the distinct partner tails at exon end ``end5`` show (``_tail_shift``): one split read
    that lost a base of a homopolymer made v6 E13;ins68A20 beside three tails that read from EML4 exon 13
    into the insert with the base."""
    shifts = (_tail_shift(t, insert) for t in {t for e, t in tails if e == end5})
    return Counter(len(insert) + d for d in shifts if d is not None)


def _voted_length(votes: Counter, listed: set, junction: tuple[int, int, int], current: int) -> int:
    """The insert length with most votes at ``junction`` (partner transcript, exon end, ALK start); ties:
    a listed variant's length there, then ``current``, then the shorter."""
    return max(votes, key=lambda n: (votes[n], (*junction, n) in listed, n == current, -n))


def _tail_length(host: Junction, tails: dict[str, list[tuple[int, str]]], index: Index, listed: set,
                 tail_votes: Callable[[str, int, str], Counter] | None = None) -> None:
    """Give ``host`` (a junction seen whole, on its gene's canonical transcript) the insert length its
    partner tails show more often than its reads across the junction show its own (ties: a listed length,
    then the host's), the first inserted bases taken from the longest such tail. ``tail_votes(gene, exon
    end, insert)``: ``_tail_votes`` of ``tails``, remembered."""
    canon = index.canonical.get(host.gene5)
    if canon is None or host.tx5 != canon.idx or not host.insert:
        return
    votes = host.insert_votes + (tail_votes(host.gene5, host.end5, host.insert) if tail_votes is not None
                                 else _tail_votes(tails.get(host.gene5, ()), host.end5, host.insert))
    if not votes:
        return
    d = _voted_length(votes, listed, (host.tx5, host.end5, host.start3), len(host.insert)) - len(host.insert)
    if not d:
        return
    here = {t for e, t in tails.get(host.gene5, ()) if e == host.end5}
    show = sorted((t for t in here if _tail_shift(t, host.insert) == d), key=lambda t: (-len(t), t))
    if show:
        t0 = len(show[0]) - TAIL_PROBE_VOTE
        host.insert = show[0][:t0] + host.insert[t0 - d :]
        host.insert_votes = votes


def _join_tail(seqs5: list[str], seeds: dict[str, list[tuple[str, int, str, int]]], index: Index
               ) -> tuple[int, str, int, int, str] | None:
    """(overlap, gene, canonical transcript, exon end, insert) for the longest overlap between the start of
    one of the unknown 5' parts ``seqs5`` and the bases of a partner tail after some offset ``o`` (one
    mismatch per 16 bases, not low-complexity; found through an exact TAIL_OVERLAP-mer at the part's start or
    half of it further in, ``_tail_seeds``): the insert is the tail's first ``o`` bases and the 5' part.
    Ties go to the smaller offset, then gene name and exon end. The insert's length is the one most of the
    distinct tails at that exon end imply, and its first bases their majority: one tail's read indel
    before the overlap does not make the insert a base short (the best overlap's length wins ties)."""
    best, implied = None, {}
    for seq5 in seqs5[:8]:
        # A strong fusion has thousands of tails, most of them reading the same bases: each comparison once.
        simple: dict[int, bool] = {}  # n -> low_complexity(seq5[:n])
        fits: dict[str, bool] = {}  # the tail's bases from the offset -> within n // 16 mismatches of seq5's
        for shift in (0, TAIL_OVERLAP // 2):
            for g, e, tail, o in seeds.get(seq5[shift : shift + TAIL_OVERLAP], ()):
                o -= shift
                n = min(len(tail) - o, len(seq5))
                if o < 0 or n < TAIL_OVERLAP:
                    continue
                bases = tail[o : o + n]
                if bases not in fits:
                    fits[bases] = _mismatches(bases, seq5[:n]) <= n // 16
                if not fits[bases]:
                    continue
                if n not in simple:
                    simple[n] = low_complexity(seq5[:n])
                if simple[n]:
                    continue
                implied.setdefault((g, e, tail), o + len(seq5))
                if best is None or (n, -o) > best[0]:
                    best = ((n, -o), (n, g, e, tail, o, seq5))
    if best is None:
        return None
    n, g, e, tail, o, seq5 = best[1]
    votes = Counter(size for (g2, e2, _), size in implied.items() if (g2, e2) == (g, e))
    top = max(votes.values())
    size = o + len(seq5) if votes[o + len(seq5)] == top else min(x for x, v in votes.items() if v == top)
    size = max(size, len(seq5))
    heads = [t[: size - len(seq5)] for (g2, e2, t), x in implied.items() if (g2, e2, x) == (g, e, size)]
    rep = tail[:o] if o + len(seq5) == size else heads[0]
    return n, g, index.canonical[g].idx, e, _right_consensus(heads, rep) + seq5


def _right_consensus(seqs: list[str], rep: str, weights: list[list[float]] | None = None) -> str:
    """``rep`` (the end of one of ``seqs``), each base replaced by the majority of the bases ``seqs`` hold at
    that distance from their ends, votes weighted by ``weights`` (per sequence, per base; e.g. from base
    qualities) when given; ties keep ``rep``'s. One read's errors in a long insert do not show."""
    out = []
    for i in range(len(rep)):
        back = len(rep) - i
        votes: Counter = Counter()
        for n, x in enumerate(seqs):
            if len(x) >= back:
                votes[x[-back]] += weights[n][-back] if weights is not None else 1.0
        top = max(votes.values(), default=0)
        out.append(rep[i] if votes.get(rep[i], 0) == top else min(b for b, v in votes.items() if v == top))
    return "".join(out)


def _insert_reads(j: Junction) -> int:
    """Reads behind junction ``j``'s inserted bases: its split reads with an insert of that length, and
    the reads of the unknown 5' parts it was made from or has taken."""
    return j.insert_votes.get(len(j.insert), 0) + sum(j.prefix_reads.values())


def _part_consensus(rep: str, part: Junction, host: Junction | None = None) -> str:
    """``rep`` with each base the majority of the reads of unknown 5' part ``part`` (each of its sequences
    weighs as many reads as show it) and, when given, of ``host``'s insert (weighing the reads behind it,
    ``_insert_reads``). Counting each distinct sequence once instead let a few reads with one error
    outvote thousands: a strongly expressed v5b came out with a wrong base 4 before ALK."""
    seqs = list(part.prefixes or [part.seq5])
    weights = [part.prefix_reads.get(m, 1) for m in seqs]
    if host is not None:
        seqs.insert(0, host.insert)
        weights.insert(0, max(1, _insert_reads(host)))
    return _right_consensus(seqs, rep, [[w] * len(m) for m, w in zip(seqs, weights)])


def _exon_end_offsets(seq5: str, end6: str, lo: int, hi: int) -> list[int]:
    """Lengths L (``lo`` <= L <= ``hi``, longest first) at which ``seq5[:L]`` may end like an exon whose last
    six bases are ``end6``: those where half of them, three bases, sit exactly at ``seq5[L-6:L]`` (one error
    in the six is allowed). Spares comparing every length with every exon end."""
    found = set()
    for part, shift in ((end6[:3], 6), (end6[3:], 3)):
        i = seq5.find(part)
        while i >= 0:
            found.add(i + shift)
            i = seq5.find(part, i + 1)
    return sorted((x for x in found if lo <= x <= hi), reverse=True)


def _five_prime_side(j: Junction, index: Index) -> str:
    """Everything a read may show before the ALK part of junction ``j``."""
    return j.seq5 if j.tx5 < 0 else index.sequence(j.tx5)[: j.end5] + j.insert


def _ends_like(tail: str, seq: str, mismatches: int = 2) -> bool:
    return len(seq) <= len(tail) and _mismatches(tail[-len(seq):], seq) <= mismatches


BORROW_MIN = 20  # bases of an unknown 5' part that may take the partner mates of other parts at its ALK start


def _alk_own(j: Junction, index: Index, panel: Panel | None) -> bool:
    """Is a junction's unknown 5' part ALK's own sequence (``filters.alk_own_before``)?"""
    return alk_own_before(j.seq5, j.start3 if j.tx3 == index.alk.idx else None, index, panel)


def _unknown_with_mates(ev: Evidence, index: Index) -> dict[tuple[int, int], list[Fragment]]:
    """Fragments with a spanning pair and a split read of unknown 5' part, by that part's ALK start (each
    fragment once per start, in evidence order)."""
    out: dict[tuple[int, int], list[Fragment]] = defaultdict(list)
    for f in ev.fragments:
        if f.span is not None:
            for at in dict.fromkeys(_alk_start(index, s) for s in f.splits if s.gene5 == "."):
                out[at].append(f)
    return out


def _partner_from_mates(j: Junction, ev: Evidence, index: Index, panel: Panel | None = None,
                        by_start: dict[tuple[int, int], list[Fragment]] | None = None) -> bool:
    """Name the partner of an unknown 5' part from the mates of its reads (all in one gene): the
    partner's exon is inferred (the first exon end after the furthest mate), the insert is what reads show.
    Only the reads of this part count, not every unknown part at its ALK start: EML4::ALK v6 and v8b
    strongly expressed in one sample at 50 bp put v8b's mates (exons 15-17) beside v6's part, whose
    partner then ended at exon 17, and v8b's 700 spanning pairs went to it. A part none of whose reads has
    a partner mate takes those of every part there, unless it is ALK's own (``filters.alk_own_before``): an
    ALK-ATI read with an indel, its 17 intron-19 bases an unknown part at exon 20, took the mates of an
    EML4::ALK's reads there and passed as ``EML4::ALK E5;ins17A20`` (independent benchmark, 100 bp), or is
    shorter than BORROW_MIN: a read with 10 bases of NUTM1's exon end, one misread, beside five other
    fusions at ALK exon 20 took NPM1 mates and, with an NPM1 pair, passed as ``NPM1::ALK E3;ins10A20``
    (quick grid on ART's reads, seed 3, 50 bp)."""
    own = set(j.prefixes) or {j.seq5}
    at_start = (by_start if by_start is not None else _unknown_with_mates(ev, index)).get((j.tx3, j.start3), [])
    mates = [f.span for f in at_start if any(s.gene5 == "." and s.insert in own for s in f.splits)]
    if not mates and len(j.seq5) >= BORROW_MIN and not _alk_own(j, index, panel):  # no partner mate of its
        mates = [f.span for f in at_start]  # own: those of every part there, if of one gene (a v5b read with an
        # ALK indel 28 bases in: ?;del28A20)
    genes = Counter(m.gene5 for m in mates)
    if len(genes) != 1:
        return False
    gene = next(iter(genes))
    canon = index.canonical[gene]
    ends = [_to_tx(index, m.tx5, m.end5 - 1, canon.idx) for m in mates]
    ends = [e + 1 for e in ends if e is not None]
    if not ends:
        return False
    far = max(ends)
    j.gene5, j.tx5, j.insert, j.precise = gene, canon.idx, j.seq5, False
    j.end5 = next((e for _, e in canon.t.exon_bounds() if e >= far), canon.t.length)
    return True


def _mismatches(a: str, b: str) -> int:
    """Differences over the shorter of two strings (map: twice as fast as a generator on reads' parts)."""
    return sum(map(ne, a, b))


def _cluster_prefixes(prefixes: Counter) -> list[tuple[str, list[str]]]:
    """Unknown 5' sequences that end alike (the shorter is the end of the longer, one mismatch per 16
    bases) come from one partner: (longest sequence, members longest first) per cluster. Of sequences as
    long, the one more reads show comes first and heads a cluster: when one read with an indel did, the
    shorter reads joined it, the reads as long as it with their right bases stayed apart, and the part's
    first bases were that one read's, shifted (a strongly expressed v6 at 75 bp)."""
    clusters: list[tuple[str, list[str]]] = []
    for p in sorted(prefixes, key=lambda x: (-len(x), -prefixes[x], x)):
        home = next((c for c in clusters if _ends_like(c[0], p, len(p) // 16)), None)
        if home is None:
            clusters.append((p, [p]))
        else:
            home[1].append(p)
    return clusters


def _similar(a: str, b: str, tol: int) -> bool:
    if not a or not b or abs(len(a) - len(b)) > tol:
        return a == b
    return _edit_distance(a, b, tol + 2) <= max(tol, len(max(a, b, key=len)) // 10)


def _align_to(ref: str, seq: str) -> tuple[list[str], list[str]]:
    """Global unit-cost alignment of ``seq`` to ``ref``: per ref base the base ``seq`` puts there ('-': none),
    and per slot before each ref base (and after the last) the bases ``seq`` inserts there."""
    n, m = len(ref), len(seq)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(cost[i - 1][j - 1] + (ref[i - 1] != seq[j - 1]), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    at, extra = ["-"] * n, [""] * (n + 1)
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != seq[j - 1]):
            at[i - 1] = seq[j - 1]
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            extra[i] = seq[j - 1] + extra[i]
            j -= 1
    return at, extra


def _gapped_consensus(seqs: list[str]) -> str:
    """Majority of reads that differ by substitutions and indels (long reads): each aligned to the one of
    median length; per position the base (or gap) most of them show, and inserted bases where most
    insert. Ties keep the reference's base and insert nothing."""
    ref = sorted(seqs, key=len)[(len(seqs) - 1) // 2]
    aligned = [_align_to(ref, x) for x in seqs]
    out = []
    for i in range(len(ref) + 1):
        slots = Counter(extra[i] for _, extra in aligned)
        ins, votes = max(slots.items(), key=lambda kv: (kv[1], kv[0] == ""))
        if ins and 2 * votes > len(seqs):
            out.append(ins)
        if i < len(ref):
            bases = Counter(at[i] for at, _ in aligned)
            top = max(bases.values())
            b = ref[i] if bases[ref[i]] == top else min(x for x, v in bases.items() if v == top)
            if b != "-":
                out.append(b)
    return "".join(out)


def _cluster_inserts(inserts: Counter, tol: int, with_votes: bool = False, listed: frozenset = frozenset()) -> list:
    """Representative inserts: most frequent first; a near-identical insert joins its representative.
    Each representative is then the column-wise majority of its members of the length most of them have
    (ties: a length in ``listed``, a listed variant's there, as in ``_voted_length``; then the
    representative's), so that sequencing errors in single reads of a long insert, an indel included, do
    not show (ties keep the representative's base). ``with_votes``: (representative, reads per insert
    length) pairs."""
    members: dict[str, Counter] = {}
    for ins, n in sorted(inserts.items(), key=lambda x: (-x[1], -len(x[0]), x[0])):
        rep = next((r for r in members if _similar(ins, r, tol)), None)
        if rep is None:
            members[ins] = Counter({ins: n})
        else:
            members[rep][ins] += n
    out = []
    for rep, group in members.items():
        lengths = Counter()
        for m, n in group.items():
            lengths[len(m)] += n
        size = max(lengths, key=lambda n: (lengths[n], n in listed, n == len(rep), -n))  # most reads show
        rep = rep if len(rep) == size else max((m for m in group if len(m) == size), key=lambda m: (group[m], m))
        same = [m for m, n in group.items() if len(m) == size for _ in range(n)]
        out.append((_right_consensus(same, rep), lengths) if with_votes else _right_consensus(same, rep))
    return out


def _junction_seq(j: Junction, index: Index) -> JunctionSeq:
    right = index.sequence(j.tx3)[j.start3 : j.start3 + FLANK]
    if j.tx5 < 0:
        return JunctionSeq(j.seq5, "", right)
    left = index.sequence(j.tx5)[max(0, j.end5 - FLANK) : j.end5]
    return JunctionSeq(left, j.insert, right)


LIMIT_QUANTILE, LIMIT_MARGIN, LIMIT_MEASURED = 0.999, 1.25, 200


def fragment_limit(stats, params: CallParams) -> int:
    """The longest fragment a spanning pair may imply: ``params.max_fragment``, or for a library of longer
    fragments ``LIMIT_MARGIN`` times the length that ``LIMIT_QUANTILE`` of its measured fragments (at least
    ``LIMIT_MEASURED``) do not exceed. A fixed 1,000 cut the pairs of the longest tenth of InSilicoSeq's
    NovaSeq fragments (690 bases on average) off their fusion's split-read junction: they made a second
    call of the same gene pair at an exon where they fit."""
    counts = np.asarray(stats.fragment_lengths, dtype=float)
    if counts.sum() < LIMIT_MEASURED:
        return params.max_fragment
    b = int(np.searchsorted(np.cumsum(counts) / counts.sum(), LIMIT_QUANTILE))
    return max(params.max_fragment, int(LIMIT_MARGIN * (b + 1) * FRAGMENT_BIN))


def _rescue_candidates(ev: Evidence, index: Index, known: list[Junction], params: CallParams) -> list[Junction]:
    """Exon-boundary junctions for partner genes seen in spanning pairs but in no split read."""
    genes_with_split = {j.gene5 for j in known}
    spans = defaultdict(list)
    for f in ev.fragments:
        if f.span is not None and not f.splits and f.span.gene5 not in genes_with_split:
            spans[f.span.gene5].append(f.span)
    alk = index.alk
    bounds3 = alk.t.exon_bounds()
    limit = fragment_limit(ev.stats, params)
    out = []
    for gene in sorted(spans):
        canon = index.canonical[gene]
        b5 = canon.t.exon_bounds()
        ends = []
        for sp in spans[gene]:
            e = _to_tx(index, sp.tx5, sp.end5 - 1, canon.idx)
            if e is not None:
                ends.append(e + 1)
        if not ends:
            continue
        lo = max(0, min(ends) - 5)
        hi = max(ends) + limit
        alk_exons = [20]
        starts3 = [_to_tx(index, sp.tx3, sp.start3, alk.idx) for sp in spans[gene]]
        if any(s is not None and s < bounds3[19][0] - 10 for s in starts3):
            alk_exons = [19, 20]
        for _, e in b5[:-1]:
            if lo <= e <= hi:
                for ae in alk_exons:
                    out.append(Junction(gene, canon.idx, e, alk.idx, bounds3[ae - 1][0], "", True))
    return out


def tail_candidates(ev: Evidence, index: Index, known: list[Junction], min_tail: int = 8) -> list[Junction]:
    """Junctions read off the unaligned 3' tail of a partner mate: the tail's first bases found once in ALK
    exons 19-21 give the ALK start, deletions included (EML4::ALK v7 ``E14;del12A20``), which exon-boundary
    candidates cannot."""
    alk = index.alk
    b = alk.t.exon_bounds()
    lo, hi = b[18][0], b[20][1]
    region = index.sequence(alk.idx)[lo:hi]
    have = {(j.tx5, j.end5, j.tx3, j.start3) for j in known}
    found = Counter()
    for f in ev.fragments:
        sp = f.span
        if sp is None or f.splits or sp.read_end5 < 0:
            continue
        mate = f.seqs[sp.mate5]
        sense = revcomp(mate) if f.reversed[sp.mate5] else mate
        canon = index.canonical[sp.gene5]
        end5 = _to_tx(index, sp.tx5, sp.end5 - 1, canon.idx)
        if end5 is None:
            continue
        end5 += 1
        # The partner part may stop short of its exon end (an error) or overshoot it (chance matches).
        snapped = min((e for _, e in canon.t.exon_bounds() if abs(e - end5) <= 3), key=lambda e: abs(e - end5),
                      default=end5)
        d = snapped - end5
        tail = sense[sp.read_end5 + max(d, 0):]
        if len(tail) < min_tail:
            continue
        probe = tail[:14]
        at = region.find(probe)
        if at < 0 or region.find(probe, at + 1) >= 0:
            continue
        found[(sp.gene5, canon.idx, snapped, lo + at + min(d, 0))] += 1
    out = []
    for (gene, tx5, end5, start3), _ in sorted(found.items()):
        if (tx5, end5, alk.idx, start3) not in have:
            out.append(Junction(gene, tx5, end5, alk.idx, start3, ""))
    return out


def _to_tx(index: Index, tx_id: str, pos: int, target: int) -> int | None:
    """Transcript position ``pos`` of ``tx_id`` as a position of transcript ``target`` (via the genome)."""
    src = index.by_id[tx_id]
    if src.idx == target:
        return pos
    return index.transcripts[target].t.to_transcript(src.t.to_genome(pos))


def canonical_tails(ev: Evidence, index: Index) -> dict[str, list[tuple[int, str]]]:
    """Partner tails (``Evidence.tails``) per gene as (exon end on the gene's canonical transcript, tail),
    sorted; tails at exon ends the canonical transcript lacks are left out."""
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for t in ev.tails:
        canon = index.canonical.get(t.gene5)
        if canon is None or t.tx5 not in index.by_id:
            continue
        e = _to_tx(index, t.tx5, t.end5 - 1, canon.idx)
        if e is not None:
            out[t.gene5].append((e + 1, t.tail))
    return {g: sorted(v) for g, v in out.items()}


def junction_kmer_candidates(ev: Evidence, index: Index, known: list[Junction]) -> list[Junction]:
    """Exon-boundary junctions (and listed variants' ALK-side deletions) named by the partner-ALK junction
    k-mers that fragments hold (reads whose ALK or partner part is shorter than k)."""
    from .kernels import encode, kmer_keys

    if not len(index.junction_kmers):
        return []
    have = {(j.tx5, j.end5, j.tx3, j.start3) for j in known}
    names = index.junction_names()
    hits = set()
    for f in ev.fragments:
        if f.splits:
            continue
        for s in f.seqs:
            for seq in (s, revcomp(s)):
                keys, valid = kmer_keys(encode(seq), index.k)
                keys = keys[valid]
                at = np.searchsorted(index.junction_kmers, keys)
                at = np.minimum(at, len(index.junction_kmers) - 1)
                hits.update(int(index.junction_ids[i]) for i in at[index.junction_kmers[at] == keys])
    out = []
    for n in sorted(hits):
        gene, tid, e5, _, tid3, a3 = names[n].split("|")
        t5, t3 = index.by_id[tid], index.by_id[tid3]
        end5 = t5.t.exon_bounds()[int(e5[1:]) - 1][1]
        exon3, _, deleted = a3[1:].partition("+")  # A20, or A20+12: a listed variant's ALK-side deletion
        start3 = t3.t.exon_bounds()[int(exon3) - 1][0] + int(deleted or 0)
        if (t5.idx, end5, t3.idx, start3) not in have:
            out.append(Junction(gene, t5.idx, end5, t3.idx, start3, ""))
            have.add((t5.idx, end5, t3.idx, start3))
    return out


def _both_strands(f: Fragment) -> list[tuple[str, str]]:
    return [(s, revcomp(s)) for s in f.seqs]


def assign(ev: Evidence, index: Index, juncs: list[Junction], params: CallParams, rescue: set[int]) -> None:
    """Give each fragment to at most one junction (see the module docstring)."""
    seqs = [_junction_seq(j, index) for j in juncs]
    sides = [_five_prime_side(j, index) for j in juncs]
    by_split = defaultdict(list)
    for n, j in enumerate(juncs):
        if j.seq5 or j.absorbs_unknown:  # takes reads with an unknown 5' part at this ALK start
            by_split[("?", j.tx3, j.start3)].append(n)
        if not j.seq5:
            by_split[(j.gene5, j.tx5, j.end5, j.tx3, j.start3)].append(n)
    absorbed_by = {}  # unknown 5' part -> the junction it joined with indels (explain_unknown)
    for n, j in enumerate(juncs):
        for part in sorted(j.absorbed):
            absorbed_by.setdefault(part, n)
    table = JunctionTable(seqs)
    need = min(params.min_anchor, params.rescue_anchor)  # the anchors a good placement has (``_good``)
    support = [_insert_reads(j) for j in juncs]
    spans = []
    for f in ev.fragments:
        reads = [(coded_read(fw), coded_read(rc)) for fw, rc in _both_strands(f)]
        hits_of = _lazy_hits(reads, seqs, params, rescue, f.quals)
        chosen = None
        for s in f.splits:  # the junction the read was split at; of several, the one it reads best
            if s.gene5 == ".":
                fit = {}
                right = None  # the part's base qualities, read only where a mismatch may be forgiven
                for n in by_split.get(("?", *_alk_start(index, s)), []):
                    d = _end_mismatches(sides[n], s.insert)
                    if d and d <= len(s.insert) // 16 + 1:
                        right = right or _prefix_quality(f, s)
                        d = _part_mismatches(sides[n], s.insert, right)
                    if d is not None and d <= len(s.insert) // 16:
                        fit[n] = d
                if not fit and s.insert in absorbed_by:
                    fit = {absorbed_by[s.insert]: 0}
            else:
                key = (s.gene5, index.by_id[s.tx5].idx, s.end5, *_alk_start(index, s))
                fit = {n: _edit_distance(s.insert, juncs[n].insert, params.insert_tolerance + 2)
                       for n in by_split.get(key, []) if _similar(s.insert, juncs[n].insert, params.insert_tolerance)}
            if fit:  # ties: a junction with a known partner before an unknown 5' part (the fallback), then
                # the one more reads show (_best_host)
                chosen = min(fit, key=lambda n: (fit[n], juncs[n].tx5 < 0, -support[n], n))
                break
        if chosen is None:
            # A read places on a junction only through a seed (11-mer) they share, on a diagonal where it
            # can hold anchors each side: the others are not tried.
            shared = table.crossable([c for pair in reads for c in pair], need)
            crossing = [n for n in shared if any(hits_of(n)) and _explains_unknown(f, hits_of(n), juncs[n], sides[n])]
            if crossing:
                chosen = max(crossing, key=lambda n: (max(min(h.anchor5, h.anchor3) for h in hits_of(n) if h), -n))
        if chosen is not None:
            juncs[chosen].fragments.append((f, "split", hits_of(chosen)))
        elif f.span is not None:
            spans.append((f, hits_of))
    _fold_indistinct(juncs, seqs, params, rescue)
    # Second pass, once split support is known: a spanning pair joins the compatible junction that reads
    # cross most often (v3a and v3b pairs look alike; the better-seen junction takes them) times the
    # chance of the fragment length it implies there, when the library's sizes were measured: the pairs of
    # a strongly expressed v6 (EML4 exon 13) all went to a v8b (exon 17) in the same sample, which reads
    # crossed a little more often, though they implied fragments 500 bases longer there.
    split_support = [len(j.fragments) for j in juncs]
    model = FragmentModel.of(ev.stats)
    limit = fragment_limit(ev.stats, params)
    for f, hits in spans:
        ok = {n: length for n, j in enumerate(juncs) if split_support[n]
              and (length := _implied_length(f, j, index)) is not None and length <= limit}
        if not ok:
            continue
        if len(ok) > 1 and model is not None:
            chosen = max(ok, key=lambda n: (math.log(split_support[n]) + model(ok[n]), -n))
        else:
            chosen = max(ok, key=lambda n: (split_support[n], -n))
        juncs[chosen].fragments.append((f, "span", hits(chosen)))


def _fold_indistinct(juncs: list[Junction], seqs: list[JunctionSeq], params: CallParams, rescue: set[int]) -> None:
    """A junction none of whose reads tells it from another junction at the same ALK start with more
    fragments (each read that crosses it reads the other's sequence over as many bases with as many
    mismatches or fewer, whatever its anchors there) is that junction: its partner part is a chance match.
    Seed 31 of the accuracy grid: 25 bases of AKAP9 equal EML4 exon 14's GA-rich end and v4's first
    inserted bases, and reads with fewer EML4 bases than that were split at AKAP9, a second call of 7
    fragments beside v4's 26. Weakest junctions first."""
    order = sorted(range(len(juncs)), key=lambda n: (-len(juncs[n].fragments), n))
    for n in reversed(order):
        j = juncs[n]
        if not j.fragments or j.tx5 < 0 or any(kind != "split" or not any(h) for _, kind, h in j.fragments):
            continue
        for m in order:
            k = juncs[m]
            if m == n or len(k.fragments) <= len(j.fragments) or k.tx5 < 0 or (k.tx3, k.start3) != (j.tx3, j.start3):
                continue
            moved = []
            for f, kind, hits in j.fragments:
                reads = [(coded_read(fw), coded_read(rc)) for fw, rc in _both_strands(f)]
                if any(h is not None and not _reads_as_well(seqs[m], read, h) for h, read in zip(hits, reads)):
                    break
                moved.append((f, kind, _lazy_hits(reads, seqs, params, rescue, f.quals)(m)))
            else:
                k.fragments = k.fragments + moved
                j.fragments = []
                break


def _reads_as_well(js: JunctionSeq, read: tuple, hit: JunctionHit) -> bool:
    """Whether a read (coded, both strands) that crosses another junction as ``hit`` crosses ``js`` over as
    many bases with as many mismatches or fewer, on the same strand."""
    other = js.align(coded=read[1] if hit.reverse else read[0])
    return other is not None and other.mismatches <= hit.mismatches and \
        other.read_end - other.read_start >= hit.read_end - hit.read_start


UNKNOWN_SLACK = 3  # bases of a read's unknown 5' part a placement may leave unaligned (errors at its start)


def _explains_unknown(f: Fragment, hits: list[JunctionHit | None], j: Junction, side: str) -> bool:
    """A read the scan split into an unknown 5' part and ALK crosses junction ``j`` only if its placement
    there reads the part (the partner bases and the junction's insert) nearly to its start, or the part
    reads as the end of the junction's 5' side (``side``) with an indel (``_exon_end_fits``): a 19-base
    part, the last 19 inserted bases of a v3b, placed on the exon-boundary candidate EML4 E7;A20 by its
    last 10 bases (one mismatch) and, with v3b's two spanning pairs, passed as ``E7;A20`` (quick grid on
    ART's reads, seed 3, 50 bp). Other reads, and a part with no placement on that mate, are not held back."""
    for s in f.splits:
        h = hits[s.mate] if s.mate < len(hits) else None
        if s.gene5 == "." and h is not None and h.anchor5 + len(j.insert) < len(s.insert) - UNKNOWN_SLACK \
                and not (len(side) >= len(s.insert) and _exon_end_fits(s.insert, side)):
            return False
    return True


def _lazy_hits(reads: list[tuple], seqs: list[JunctionSeq], params: CallParams, rescue: set[int],
               quals: tuple[str, ...] = ()):
    """n -> per read of a fragment, its best good placement on junction ``n`` (or None), with its mismatches
    on bases the read doubts counted when ``quals`` (per read) are given; computed on first use and kept."""
    cache: dict[int, list[JunctionHit | None]] = {}

    def hits(n: int) -> list[JunctionHit | None]:
        if n not in cache:
            js, hs = seqs[n], []
            for i, (fw, rc) in enumerate(reads):
                a, b = js.align(coded=fw), js.align(coded=rc)
                good = [h for h in (a, replace(b, reverse=True) if b else None)
                        if h is not None and _good(h, params, n in rescue)]
                best = max(good, key=_rank) if good else None
                if best is not None and best.mismatches and i < len(quals):
                    doubtful = doubtful_mismatches(best, js, rc if best.reverse else fw, quals[i], DOUBTFUL_QUALITY)
                    best = replace(best, doubtful=doubtful) if doubtful else best
                hs.append(best)
            cache[n] = hs
        return cache[n]

    return hits


def _good(h: JunctionHit, params: CallParams, rescue: bool) -> bool:
    need = params.rescue_anchor if rescue else params.min_anchor
    return min(h.anchor5, h.anchor3) >= need and h.short_mismatches <= params.max_short_mismatches


def _implied_length(f: Fragment, j: Junction, index: Index) -> int | None:
    """The fragment length spanning pair ``f`` implies across junction ``j``; None when its mates do not
    lie on the junction's two sides (3 bases of slack)."""
    sp = f.span
    if j.tx5 < 0 or sp.gene5 != j.gene5:
        return None
    e5 = _to_tx(index, sp.tx5, sp.end5 - 1, j.tx5)
    s5 = _to_tx(index, sp.tx5, sp.start5, j.tx5)
    s3 = _to_tx(index, sp.tx3, sp.start3, j.tx3)
    e3 = _to_tx(index, sp.tx3, sp.end3 - 1, j.tx3)
    if None in (e5, s5, s3, e3) or e5 + 1 > j.end5 + 3 or s3 < j.start3 - 3:
        return None
    return (j.end5 - s5) + len(j.insert) + (e3 + 1 - j.start3)


def _dedupe(j: Junction, index: Index) -> tuple[list, int]:
    """Fragments with the same UMI and mate positions count once: a read across the junction by its 5' end
    on the junction, its mate by where its first k-mer found in the index lies (``_read_place``). Long
    reads count once per UMI only: full-length cDNA reads of one transcript share both ends by nature
    (two v6 reads at 1% errors, each the whole fusion transcript, were one fragment and the call lost)."""
    from .scan import LONG_READ

    seen, kept = set(), []
    for f, kind, hits in sorted(j.fragments, key=lambda x: x[0].name):
        if max(map(len, f.seqs)) >= LONG_READ:
            pos = ("long read",) if f.umi else (f.name,)
        elif kind == "split" and any(hits):
            pos = tuple(h.five_prime(len(s)) if h else _read_place(index, s) for h, s in zip(hits, f.seqs))
        elif f.span is not None:
            pos = (f.span.tx5, f.span.start5, f.span.tx3, f.span.end3)
        else:
            pos = tuple(f.seqs)
        key = (f.umi, kind, pos)
        if key in seen:
            continue
        seen.add(key)
        kept.append((f, kind, hits))
    return kept, len(j.fragments) - len(kept)


def _read_place(index: Index, read: str) -> tuple[int, int, int] | None:
    """(strand, transcript, transcript position of the read's 5' end) from the read's 5'-most k-mer that the
    index holds (its first transcript and position when several hold it): a duplicate of the read lies
    there too, errors in its first bases aside."""
    from .kernels import encode, kmer_keys

    for strand, s in enumerate((read, revcomp(read))):
        keys, valid = kmer_keys(encode(s), index.k)
        at = np.flatnonzero(valid)
        if not len(at):
            return None
        lo, hi = index.lookup(keys[at])
        hit = np.flatnonzero(hi > lo)
        if not len(hit):
            continue
        i = hit[0] if strand == 0 else hit[-1]  # the k-mer nearest the read's 5' end
        rows = np.arange(lo[i], hi[i])
        tx, pos = np.asarray(index.kmer_tx[rows]), np.asarray(index.kmer_pos[rows])
        b = int(np.lexsort((pos, tx))[0])
        return strand, int(tx[b]), int(pos[b] - at[i] if strand == 0 else pos[b] - at[i] + len(s))
    return None


def _spanning_only(ev: Evidence, index: Index, juncs: list[Junction]) -> list[Junction]:
    """Partner genes with spanning pairs left over: one imprecise junction per gene, joined to ALK exon 20
    (an imprecise junction named from mates of insert reads takes them instead). ``place_imprecise``
    then chooses its exons."""
    used = {id(f) for j in juncs for f, _, _ in j.fragments}
    spans = defaultdict(list)
    for f in ev.fragments:
        if f.span is not None and not f.splits and id(f) not in used:
            spans[f.span.gene5].append(f)
    alk = index.alk
    a20 = alk.t.exon_bounds()[19][0]
    imprecise = {j.gene5: j for j in juncs if not j.precise and j.tx5 >= 0}
    out = []
    for gene in sorted(set(spans) | set(imprecise)):
        j = imprecise.get(gene)
        if j is None:
            j = Junction(gene, index.canonical[gene].idx, 0, alk.idx, a20, "", precise=False)
            out.append(j)
        j.fragments = j.fragments + [(f, "span", [None] * len(f.seqs)) for f in spans.get(gene, [])]
    return out


NAMED_PRIOR = math.log(4.0)  # a listed variant is four times as likely as any other exon junction
OUT_OF_FRAME_PRIOR = math.log(0.25)  # a junction that breaks the ALK reading frame is rarely oncogenic
UNLISTED_INSERT_PRIOR = math.log(0.05)  # inserted bases at an unlisted junction: far rarer than a listed insert
# A junction less than 100x as likely as another leaves the variant name open (the best alone at a posterior
# of 99% between two). At 10x, three calls of 2-3 spanning pairs named the wrong variant alone (v5b for a v5a
# at 10x and 13.5x, v4 for a v7 at 27x: short fragments of the right one read as longer ones of the other,
# quick grid, seed 77), beside 8 right ones between 10x and 100x in the saved runs: a few pairs' ratio is a
# weak guide.
UNRESOLVED = math.log(100.0)
RECIPROCAL_FIT = math.log(4.0)  # a partner exon end where reciprocal split reads' partner part starts
RECIPROCAL_CONFLICT = math.log(0.05)  # a partner end past where 2+ reciprocal fragments' partner part starts
UNSEEN_MAX = 200  # unseen inserted bases tried before what reads show of an unlisted insert (place_imprecise)


EVIDENCE_ANCHOR = 19  # bases of each gene a fragment across a junction shows when the scan collects it


class FragmentModel:
    """Log-probability of a fragment length under the library's measured size distribution
    (``Stats.fragment_lengths``: 1 pair in 32 of those that lie on an indexed transcript, in bins of
    FRAGMENT_BIN): a Gaussian kernel density whose width follows Silverman's rule, so that a few dozen pairs
    (a small input) give a smooth curve rather than spikes and holes that decide between exons, and many
    pairs keep the curve's shape; mixed with a share ``FLOOR_SHARE`` spread evenly over all lengths, so that a fragment
    far beyond the lengths measured costs a bounded factor. None when fewer than ``minimum`` pairs were
    measured."""

    FLOOR_SHARE = 0.005

    def __init__(self, counts: list[int]):
        c = np.asarray(counts, dtype=float)
        n = c.sum()
        centres = np.arange(len(c)) * FRAGMENT_BIN + FRAGMENT_BIN / 2
        mean = float((c * centres).sum() / n)
        sd = math.sqrt(float((c * (centres - mean) ** 2).sum() / n))
        cum = np.cumsum(c) / n
        iqr = float(centres[np.searchsorted(cum, 0.75)] - centres[np.searchsorted(cum, 0.25)])
        spread = min(sd, iqr / 1.349) if iqr > 0 else sd
        width = max(FRAGMENT_BIN, 1.06 * spread * n ** -0.2)  # Silverman's rule of thumb
        half = int(math.ceil(4 * width / FRAGMENT_BIN))
        kernel = np.exp(-0.5 * (np.arange(-half, half + 1) * FRAGMENT_BIN / width) ** 2)
        smooth = np.convolve(c, kernel / kernel.sum())[half : half + len(c)]
        self.logp = np.log((1 - self.FLOOR_SHARE) * smooth / smooth.sum() + self.FLOOR_SHARE / len(c))
        self._norms: dict[tuple, float] = {}

    @classmethod
    def of(cls, stats, minimum: int = 20) -> "FragmentModel | None":
        return cls(stats.fragment_lengths) if sum(stats.fragment_lengths) >= minimum else None

    def support_norm(self, insert: int, anchor: int = EVIDENCE_ANCHOR) -> float:
        """log of the chance that a fragment across a junction with ``insert`` bases between the sides is
        evidence at all (up to a factor common to all junctions): sum over lengths L of p(L) times the
        junction offsets at which the fragment holds ``anchor`` or more bases of each gene (what the scan
        collects: a partner mate to classify, ALK k-mers or an ALK fragment end). Given that a fragment
        is evidence, a long insert leaves fewer places for it, so each such fragment is likelier under it;
        the implied lengths alone cannot weigh that."""
        key = (insert, anchor)
        if key not in self._norms:
            total = sum(math.exp(lp) * max(0, b * FRAGMENT_BIN + FRAGMENT_BIN // 2 - insert - 2 * anchor + 1)
                        for b, lp in enumerate(self.logp))
            self._norms[key] = math.log(total) if total > 0 else -50.0
        return self._norms[key]

    def __call__(self, length: int) -> float:
        if length <= 0:
            return float(self.logp.min()) - 5.0
        return float(self.logp[min(length // FRAGMENT_BIN, len(self.logp) - 1)])

    def total(self, lengths: np.ndarray) -> float:
        """The sum of ``self(n)`` over an array of lengths."""
        at = self.logp[np.minimum(np.maximum(lengths, 0) // FRAGMENT_BIN, len(self.logp) - 1)]
        return float(np.where(lengths <= 0, self.logp.min() - 5.0, at).sum())


TAIL_ERROR = 0.02  # sequencing errors per base at read ends, where tails lie
TAIL_MATCH, TAIL_MISMATCH = math.log(1 - TAIL_ERROR), math.log(TAIL_ERROR / 3)
NOVEL_BASE = math.log(0.25)  # per read base a hypothesis calls inserted sequence of its own (any of 4 bases)
TAIL_ALK_MIN = 8  # ALK bases at the end of a partner tail that make its junction a hypothesis
TAIL_FROM_FUSION = 0.5  # chance that a partner tail at the hypothesis' exon end comes from the fusion
IGNORED_READ = math.log(0.01)  # per read of inserted bases that a hypothesis leaves unexplained


_N = ord("N")


def _novel(insert: str) -> int:
    """Bases of an insert that reads show (N: bases no read covered)."""
    return len(insert) - insert.count("N")


class TailBlock:
    """Reads' tails, (partner end in transcript coordinates, bases after it), as one padded array per end,
    so that a junction hypothesis is fitted to all of them with a few array operations. Place-imprecise
    scores every hypothesis against every tail: a strongly expressed fusion has thousands."""

    def __init__(self, tails: Iterable[tuple[int, str]]):
        self.tails = list(tails)
        by_end: dict[int, list[int]] = defaultdict(list)
        for i, (e, _) in enumerate(self.tails):
            by_end[e].append(i)
        self.groups: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # end -> (order, bases, lengths)
        for e, idx in by_end.items():
            lengths = np.array([len(self.tails[i][1]) for i in idx], dtype=np.int64)
            bases = np.zeros((len(idx), int(lengths.max())), dtype=np.uint8)
            for row, i in enumerate(idx):
                bases[row, : lengths[row]] = np.frombuffer(self.tails[i][1].encode(), np.uint8)
            self.groups[e] = (np.array(idx, dtype=np.int64), bases, lengths)

    @classmethod
    def of(cls, tails: Iterable[tuple[int, str]] | TailBlock) -> TailBlock:
        return tails if isinstance(tails, TailBlock) else cls(tails)

    def costs(self, end5p: int, pseq: str, end5: int, insert: str, aseq: str, start3: int) -> np.ndarray:
        """Per tail at partner end ``end5p`` (in block order): its log-likelihood under the hypothesis, as
        ``_tail_fit`` defines it."""
        _, bases, lengths = self.groups[end5p]
        width = bases.shape[1]
        expect = np.frombuffer((pseq[end5p:end5] + insert + aseq[start3 : start3 + width])[:width].encode(),
                               np.uint8)
        used = np.minimum(lengths, len(expect))
        inside = np.arange(len(expect)) < used[:, None]
        seen = inside & (expect != _N)
        n_seen = np.count_nonzero(seen, axis=1)
        wrong = np.count_nonzero(seen & (bases[:, : len(expect)] != expect), axis=1)
        return TAIL_MISMATCH * wrong + TAIL_MATCH * (n_seen - wrong) + NOVEL_BASE * (used - n_seen)

    def fit(self, pseq: str, end5: int, insert: str, aseq: str, start3: int) -> float:
        """``_tail_fit`` of all tails."""
        per = np.zeros(len(self.tails))
        for e, (order, _, _) in self.groups.items():
            per[order] = self.costs(e, pseq, end5, insert, aseq, start3)
        return _sum_in_order(per)

    def partner_terms(self, pseq: str, end5: int, insert: str, aseq: str, start3: int) -> np.ndarray:
        """Per tail at ``end5`` (block order): its term of ``_partner_tail_fit``."""
        if end5 not in self.groups:
            return np.zeros(0)
        other = NOVEL_BASE * self.groups[end5][2]
        fit = self.costs(end5, pseq, end5, insert, aseq, start3)
        return np.logaddexp(math.log(TAIL_FROM_FUSION) + fit, math.log(1 - TAIL_FROM_FUSION) + other) - other


def _sum_in_order(values: np.ndarray) -> float:
    """Left-to-right float sum (the same bits whatever numpy's or Python's summation algorithm)."""
    total = 0.0
    for v in values.tolist():
        total += v
    return total


def _tail_fit(tails: list[tuple[int, str]] | TailBlock, pseq: str, end5: int, insert: str, aseq: str,
              start3: int) -> float:
    """log-likelihood of partner mates' bases after their partner part under a junction hypothesis: they
    read on as the rest of the partner exon, the insert and ALK from ``start3``. A base the hypothesis
    predicts is read right or wrong (TAIL_MATCH, TAIL_MISMATCH: a 2% error rate); a base that falls on
    unseen inserted bases (N) is any of four (NOVEL_BASE). So a tail that overlaps the inserted bases other
    reads show favours the insert length that lines them up, and a tail that contradicts them disfavours it."""
    return TailBlock.of(tails).fit(pseq, end5, insert, aseq, start3)


def _partner_tail_fit(tails: list[tuple[int, str]] | TailBlock, pseq: str, end5: int, insert: str, aseq: str,
                      start3: int) -> float:
    """log-likelihood ratio of partner tails (reads whose fragment has no ALK read, running from a partner
    exon end into other bases) under a junction hypothesis against their being other molecules (an
    intron, another chimera: each base any of four). A tail at the hypothesis' exon end comes from the
    fusion with chance TAIL_FROM_FUSION and is then read as the insert and ALK (``_tail_fit``); tails at
    other exon ends are other molecules under every hypothesis. So a tail whose bases line up with the
    inserted bases other reads show favours the insert length that lines them up; a tail on unseen inserted
    bases (N) says nothing; a tail that contradicts the insert costs little (another molecule)."""
    return _sum_in_order(TailBlock.of(tails).partner_terms(pseq, end5, insert, aseq, start3))


def _fill_insert(insert: str, tails: list[tuple[int, str]] | TailBlock, pseq: str, end5: int, aseq: str,
                 start3: int, min_votes: int = 1, own: bool = False) -> str:
    """The insert with its unseen bases (N) replaced by the majority of the partner tails at ``end5`` that
    fit it better than chance (``_partner_tail_fit`` > 0), where at least ``min_votes`` tails agree and no
    other base has as many. With ``own`` (the partner mates of the call's own pairs, which are the fusion's
    reads), every tail at ``end5`` votes: one that lies on unseen bases alone fits no better than chance."""
    tails = TailBlock.of(tails)
    if "N" not in insert or end5 not in tails.groups:
        return insert
    votes: list[Counter] = [Counter() for _ in insert]
    order = tails.groups[end5][0].tolist()
    voting = order if own else [i for i, term in zip(order, tails.partner_terms(pseq, end5, insert, aseq,
                                                                                  start3).tolist()) if term > 0]
    for i in voting:
        for n, b in enumerate(tails.tails[i][1][: len(insert)]):
            votes[n][b] += 1
    out = []
    for b, v in zip(insert, votes):
        if b == "N" and v:
            (top, most), *rest = sorted(v.items(), key=lambda x: (-x[1], x[0]))
            if most >= min_votes and (not rest or rest[0][1] < most):
                b = top
        out.append(b)
    return "".join(out)


def _misread_exon_end(part: str, before_end: str) -> bool:
    """Does ``part`` (bases reads show before an ALK start) read as the end of ``before_end`` (a partner
    transcript up to an exon end) but for read errors (one mismatch in 8+ bases, and one more per 16)? The
    test for a listed variant's shown bases beyond its insert, and for unlisted parts: a NUTM1::ALK read
    at 1% errors whose 27 NUTM1 bases held two misread bases was an unknown part, and its call
    ``E4;ins26A20``."""
    n = len(part)
    return n <= len(before_end) and _mismatches(part, before_end[-n:]) <= (n >= 8) + n // 16


def _unlisted_prior(canon, end5: int, insert: str, alk, start3: int) -> float:
    """log prior of an unlisted junction hypothesis: out of frame x1/4, inserted bases x1/20."""
    frame = Annotator.frame_of(canon, end5, len(insert), alk, start3)
    return (OUT_OF_FRAME_PRIOR if frame == "out-of-frame" else 0.0) + (UNLISTED_INSERT_PRIOR if insert else 0.0)


def _reciprocal_prior(ev: Evidence, index: Index, gene: str, canon: int, slack: int = 4):
    """The log prior that fragments of the reciprocal ALK::``gene`` transcript (``evidence.Reciprocal``) put
    on a partner exon end ``e`` (canonical transcript position), as a function of ``e``. A balanced break in
    the partner's intron n makes partner::ALK end at exon n and ALK::partner start at exon n + 1: in
    transcript coordinates the same position. So an end where a reciprocal split read's partner part starts
    is x4; an end more than ``slack`` bases (a chance overshoot) past where two or more reciprocal
    fragments' partner parts start would need the partner's bases on both derivatives: x1/20. Returns the
    prior and the number of reciprocal split reads per partner start."""
    starts, firsts = Counter(), []
    for r in ev.reciprocal:
        if r.gene != gene or r.tx not in index.by_id:
            continue
        s = _to_tx(index, r.tx, r.start, canon)
        if s is None:
            continue
        if r.split and r.mate != LONG_MATE:  # a long read's first partner seed is not its exon start
            starts[s] += 1
        firsts.append(s)
    second = sorted(firsts)[1] if len(firsts) >= 2 else None

    def prior(e: int) -> float:
        if second is not None and e > second + slack:
            return RECIPROCAL_CONFLICT
        return RECIPROCAL_FIT if e in starts else 0.0

    return prior, starts


def place_imprecise(juncs: list[Junction], ev: Evidence, index: Index, panel: Panel,
                    partner_tails: dict[str, list[tuple[int, str]]]) -> None:
    """Choose the junction of every imprecise call (spanning pairs, and reads holding only inserted bases
    and ALK) among hypotheses: each partner exon end at or after the furthest partner mate, with the inserted
    bases reads show, and each listed variant of the partner whose exons, insert and ALK-side deletion the
    mates and reads allow. The choice maximises the likelihood of the pairs' implied fragment lengths under
    the library's size distribution (normalised by the chance that a fragment is evidence at all), times
    the fit of partner mates' unaligned tails (``_tail_fit``) and of partner tails, reads of fragments
    without ALK that run from the exon end into other bases (``_partner_tail_fit``; a tail that ends in ALK
    bases adds its own hypothesis), 1/4 per read base the hypothesis leaves
    as inserted sequence rather than partner exon (``NOVEL_BASE``), and a prior (listed variants x4;
    out-of-frame junctions x1/4, inserted bases at an unlisted junction x1/20; reciprocal-transcript
    fragments, ``_reciprocal_prior``).
    A listed variant's insert keeps the bases reads show, preceded by N for those no read covered; the N are
    then filled by the partner tails and the partner mates' tails that read on from the exon end into them.
    Without a measured size distribution the first exon end after the mates is taken, as before.
    Other junctions scoring within 100x of the best (``UNRESOLVED``) are kept as ``alternatives``: when one of
    them, or the best, is a listed variant, the call's name lists them all (``v4|v7``), not a guess."""
    model = FragmentModel.of(ev.stats)
    alk = index.alk
    b3 = alk.t.exon_bounds()
    ann = Annotator(index, panel)
    blocks: dict[str, TailBlock] = {}  # partner gene -> its partner tails
    for j in juncs:
        if j.precise or j.tx5 < 0:
            continue
        canon = index.canonical[j.gene5]
        if j.tx5 != canon.idx:
            continue
        placed, tails = [], []
        for f, _, _ in j.fragments:
            m = f.span
            if m is None:
                continue
            s5 = _to_tx(index, m.tx5, m.start5, canon.idx)
            e5 = _to_tx(index, m.tx5, m.end5 - 1, canon.idx)
            s3 = _to_tx(index, m.tx3, m.start3, alk.idx)
            e3 = _to_tx(index, m.tx3, m.end3 - 1, alk.idx)
            if None not in (s5, e5, s3, e3):
                placed.append((s5, e5 + 1, s3, e3 + 1))
                if m.read_end5 >= 0:  # the partner mate's bases after its partner part: insert, then ALK
                    read = f.seqs[m.mate5]
                    tail = (revcomp(read) if f.reversed[m.mate5] else read)[m.read_end5:]
                    tail = tail[: read_through_start(tail)]  # a partner mate's tail stops at adapter read-through
                    if tail:
                        tails.append((e5 + 1, tail))
        if not placed:
            continue
        far5 = max(p[1] for p in placed)
        near3 = min(p[2] for p in placed)
        pseq = index.sequence(canon.idx)
        ends = [e for _, e in canon.t.exon_bounds()[:-1] if e >= far5 - 3][:8] or [canon.t.length]
        bounds5 = canon.t.exon_bounds()
        hyps = []  # (log prior, end5, insert, start3, variant name)
        # With the inserted bases and ALK start that reads of the insert show; and without them, at ALK exon
        # 20, at a cost per such read (one of them may be an artefact, e.g. ALK bases after an error).
        shown = sum(1 for f, _, _ in j.fragments if f.splits)
        modes = [(j.insert, j.start3, 0.0)]
        if j.insert and j.start3 != b3[19][0]:
            modes.append(("", b3[19][0], IGNORED_READ * shown))
        for seen, start3_seen, cost in modes:
            for e in ends:
                trim = next((n for n in range(min(7, len(seen)), 0, -1) if seen[:n] == pseq[e - n : e]), 0)
                ins = seen[trim:]
                hyps.append((cost + _unlisted_prior(canon, e, ins, alk, start3_seen), e, ins, start3_seen, ""))
                if ins and _misread_exon_end(seen, pseq[:e]):  # the reads' part is this exon's end, misread
                    hyps.append((cost + _unlisted_prior(canon, e, "", alk, start3_seen), e, "", start3_seen, ""))
            for v in panel.variants:
                if v.gene5 != j.gene5 or v.gene3 != alk.gene or not 1 <= v.exon5 < len(bounds5) \
                        or not 1 <= v.exon3 <= len(b3):
                    continue
                e, start3 = bounds5[v.exon5 - 1][1], b3[v.exon3 - 1][0] + v.deletion_length
                if e < far5 - 3 or start3 > near3 + 3 or (seen and start3 != start3_seen):
                    continue
                extra = len(seen) - v.insert_length  # shown bases beyond the insert must be the exon's end
                # (the partner is known from the mates: read errors allowed, _misread_exon_end)
                if extra > 0 and not _misread_exon_end(seen[:extra], pseq[:e]):
                    continue
                ins = seen[extra:] if extra > 0 else "N" * -extra + seen
                hyps.append((cost + NAMED_PRIOR, e, ins, start3, v.name))
        ptails = partner_tails.get(j.gene5, [])
        if j.gene5 not in blocks:
            blocks[j.gene5] = TailBlock(ptails)
        pblock, mate_block = blocks[j.gene5], TailBlock(tails)
        aseq = index.sequence(alk.idx)
        starts3 = sorted(s3 for s3 in index.listed_alk_starts(alk.idx, panel) if s3 <= near3 + 3) \
            if ptails and not j.insert else []
        for e, tail in ptails:  # a tail that reads into ALK: its junction, unless it is one of the above
            if e not in ends:
                continue
            for s3 in starts3:
                m = next((m for m in range(min(len(tail), 40), TAIL_ALK_MIN - 1, -1)
                          if tail[-m:] == aseq[s3 : s3 + m]), 0)
                if m and not any(h[1:4] == (e, tail[:-m], s3) for h in hyps):
                    hyps.append((_unlisted_prior(canon, e, tail[:-m], alk, s3), e, tail[:-m], s3, ""))
        if model is None:
            best = hyps[0]
        else:
            scores: dict[tuple, float] = {}
            reciprocal, reciprocal_starts = _reciprocal_prior(ev, index, j.gene5, canon.idx)

            def score(h, lengths: float | None = None):
                """``lengths``: the sum of the pairs' length terms, when computed already."""
                if h not in scores:
                    prior, e, ins, start3, _ = h
                    if lengths is None:
                        lengths = sum(model((e - s5) + len(ins) + (e3 - start3)) for s5, _, _, e3 in placed)
                    lengths -= len(placed) * model.support_norm(len(ins))
                    scores[h] = prior + reciprocal(e) + lengths + _tail_fit(mate_block, pseq, e, ins, aseq, start3) \
                        + NOVEL_BASE * _novel(ins) + _partner_tail_fit(pblock, pseq, e, ins, aseq, start3)
                return scores[h]

            ranked = sorted(hyps, key=lambda h: (-score(h), h[1], h[4]))
            best = ranked[0]
            if not best[4] and best[2] and "N" not in best[2]:
                # An unlisted insert that reads show may be longer than they reach (a partner outside the
                # panel has no partner tails): the same junction with 1..UNSEEN_MAX unseen bases before
                # them, at a further x1/20, by the same score (lengths summed as one array: many pairs).
                _, e, ins, start3, _ = best
                implied = np.array([(e - s5) + (e3 - start3) + len(ins) for s5, _, _, e3 in placed])
                for k in range(1, UNSEEN_MAX + 1):
                    h = (_unlisted_prior(canon, e, "N" * k + ins, alk, start3) + UNLISTED_INSERT_PRIOR, e,
                         "N" * k + ins, start3, "")
                    score(h, model.total(implied + k))
                    hyps.append(h)
                ranked = sorted(hyps, key=lambda h: (-score(h), h[1], h[4]))
                best = ranked[0]
        if j.seq5 and j.start3 != best[3]:
            j.read_start3 = j.start3
        _, j.end5, j.insert, j.start3, name = best
        j.insert = _fill_insert(j.insert, pblock, pseq, j.end5, aseq, j.start3)
        # and from the call's own partner mates, where two or more agree (one read's error stays an N)
        j.insert = _fill_insert(j.insert, mate_block, pseq, j.end5, aseq, j.start3, min_votes=2, own=True)
        j.inferred = f"fits listed variant {name}" if name else "exon end chosen by fragment lengths"
        if model is None:
            continue
        if reciprocal(j.end5) > 0:
            j.inferred += f"; {reciprocal_starts[j.end5]} reciprocal-transcript reads begin in the next exon"
        rivals = _rivals(ranked, lambda h: ann.label(canon, h[1], len(h[2]), alk, h[3]))
        if rivals:
            (note, vname), h = rivals[0]
            j.inferred += f"; {_ratio(score(best) - score(h))} as likely as {vname if vname != '.' else note}"
        j.alternatives = [lab for lab, h in rivals if score(best) - score(h) < UNRESOLVED]


def _rivals(ranked: list[tuple], label) -> list[tuple[tuple[str, str], tuple]]:
    """The hypotheses (log prior, end5, insert, start3, name) after the best in ``ranked`` that would be
    reported as another junction, the best-ranked one of each, as (``label(h)``: notation, name or '.', h).
    Hypotheses with one name are one outcome (a listed variant with or without the bases some read showed,
    an unlisted hypothesis on its exons with an insert length the name tolerates); unnamed ones are one
    when their notation is."""
    def key(lab):
        return lab[1] if lab[1] != "." else lab[0]

    seen, out = {key(label(ranked[0]))}, []
    for h in ranked[1:]:
        lab = label(h)
        if key(lab) not in seen:
            seen.add(key(lab))
            out.append((lab, h))
    return out


def _ratio(log_ratio: float) -> str:
    """A likelihood ratio as people read it: one decimal below 1000, '>1000x' above (more digits say nothing)."""
    return ">1000x" if log_ratio >= math.log(1000) else f"{math.exp(log_ratio):.1f}x"


def call(ev: Evidence, index: Index, panel: Panel, params: CallParams = CallParams(),
         disabled_filters: frozenset[str] = frozenset(), blocklist: frozenset = frozenset()) -> list[Call]:
    """All candidate junctions as calls (passing and filtered), in a deterministic order."""
    from .filters import apply_filters

    ev = without_recurrent_adapters(ev, index)
    juncs = candidates(ev, index, params, panel)
    tails = canonical_tails(ev, index)  # partner tails on canonical coordinates, for both steps below
    explain_unknown(juncs, ev, index, panel=panel, tails=tails)
    extra = _rescue_candidates(ev, index, juncs, params)
    extra += junction_kmer_candidates(ev, index, juncs + extra)
    extra += tail_candidates(ev, index, juncs + extra)
    rescue = set(range(len(juncs), len(juncs) + len(extra)))
    juncs = juncs + extra
    assign(ev, index, juncs, params, rescue)
    juncs = [j for j in juncs if j.fragments]
    for j in juncs:
        if not any(kind == "split" for _, kind, _ in j.fragments):
            j.precise = False  # spanning pairs only: the junction was never seen in a read
    juncs += _spanning_only(ev, index, juncs)
    _join_unknown_to_imprecise(juncs)
    _join_alk_indel_twins(juncs, index)
    place_imprecise(juncs, ev, index, panel, tails)
    _merge_insert_indels(juncs, index, panel, params)
    _merge_long_read_scatter(juncs, index, panel, params)
    _merge_nearby(juncs, params, index, panel)
    juncs = _to_listed(juncs, index, panel, params)
    ann = Annotator(index, panel)
    calls = []
    for j in juncs:
        kept, dups = _dedupe(j, index)
        if not kept:
            continue
        calls.append(ann.make_call(j, kept, dups, ev.stats.wildtype_fragments))
    calls = _merge_same(calls)
    count_reciprocal(calls, ev.reciprocal, index)
    apply_filters(calls, index, panel, disabled_filters, blocklist)
    calls.sort(key=lambda c: (not c.passed, -c.unique_fragments, c.gene5, c.breakpoint5, c.breakpoint3, c.inserted_sequence))
    return calls


ADAPTER_REST = 8  # bases after an adapter that stand for an unknown part (as many as a part may end like a junction)


def without_recurrent_adapters(ev: Evidence, index: Index) -> Evidence:
    """The evidence with each unknown 5' part cut after an adapter that stands before many ALK places
    (``filters.recurrent_kmers`` over every such read, ``filters.after_recurrent``), when ADAPTER_REST or
    more bases follow it: those bases are what joins ALK, and they join a junction they end like
    (``explain_unknown``) or stand too short. Single reads of short fragments of a kit ``adapters.py`` does
    not list keep the adapter; a fusion's reads whose 5' part was only a few partner or insert bases after
    it made parts of their own, unknown::ALK calls beside the fusion (v5b strongly expressed, single-end
    150 bp: five of 4-5 fragments at its ALK start, each showing another stretch of its insert). Parts with
    fewer bases after the adapter are adapter: they stay as they are, and the ``recurrent_unknown`` filter
    marks them."""
    unknown = [(s.insert, _alk_start(index, s)[1]) for f in ev.fragments for s in f.splits if s.gene5 == "."]
    recurrent = recurrent_kmers(unknown)
    if not recurrent:
        return ev
    tail = _learnt_adapter_end(unknown, recurrent)

    def cut(s):
        if s.gene5 != ".":
            return s
        if tail:  # where the adapter ends, read with errors or indels too (scan.gapped_end), or its last bases
            # at the part's start; not after the last recurrent k-mer: some run 1-3 bases past the adapter
            # (junk parts end with an ALK base or two the alignment left), and a CLTC read's 12 bases after
            # the adapter lost one and no longer read as the exon end
            at = gapped_end(tail, s.insert) or end_at_start(s.insert, (tail,), ADAPTER_GAPPED - 3, RECURRENT_PARTIAL)
            rest = s.insert[at:]
        else:
            rest = after_recurrent(s.insert, recurrent)
        if len(rest) == len(s.insert) or len(rest) < ADAPTER_REST:
            return s
        return replace(s, insert=rest, anchor5=min(s.anchor5, len(rest)))

    fragments = [replace(f, splits=tuple(cut(s) for s in f.splits)) if f.splits else f for f in ev.fragments]
    return replace(ev, fragments=fragments)


def _learnt_adapter_end(unknown: list[tuple[str, int]], recurrent: set[str]) -> str:
    """The last ADAPTER_GAPPED bases of the adapter as the parts that end with its most frequent recurrent
    k-mer show them (the majority base at each place), '' when none shows as many. A read whose adapter
    holds misread bases keeps it otherwise: one v8b read with one, one v5b read with two, each headed the
    cluster that the fusion's short insert parts joined (unknown::ALK ?;A20 of 12 and 25 fragments beside
    strongly expressed fusions, single-end 150 bp)."""
    counts = Counter(p[-RECURRENT_K:] for p, _ in unknown if p[-RECURRENT_K:] in recurrent)
    if not counts:
        return ""
    top = max(counts, key=lambda k: (counts[k], k))  # ties by sequence: whatever the reads' order
    ends = Counter(p[-ADAPTER_GAPPED:] for p, _ in unknown if p.endswith(top) and len(p) >= ADAPTER_GAPPED)
    if not ends:
        return ""
    seqs = sorted(ends.elements())
    return _right_consensus(seqs, max(ends, key=lambda e: (ends[e], e)))


def _at_boundaries(j: Junction, index: Index, panel: Panel | None = None) -> bool:
    """The junction joins an exon end of the partner to an exon start of ALK, with nothing inserted; with
    ``panel``, a listed variant's ALK start inside an exon counts as one (EML4::ALK v7, 12 bases in)."""
    if j.tx5 < 0 or j.insert:
        return False
    ends = {e for _, e in index.transcripts[j.tx5].t.exon_bounds()}
    starts = index.listed_alk_starts(j.tx3, panel) if panel is not None else \
        {s for s, _ in index.transcripts[j.tx3].t.exon_bounds()}
    return j.end5 in ends and j.start3 in starts


def _merge_insert_indels(juncs: list[Junction], index: Index, panel: Panel, params: CallParams) -> None:
    """Two junctions at the same partner exon end and ALK start whose inserts differ by an indel or two
    (reads of a long insert that reach the partner are few, so one read's indel can shape a consensus)
    are one fusion, whatever their support: the insert kept is the one of the listed variant's length
    there, else the better supported one."""
    listed = _listed_junctions(index, panel)
    order = sorted(range(len(juncs)), key=lambda n: (-len(juncs[n].fragments), n))
    gone = set()
    for a in order:
        strong = juncs[a]
        if a in gone or strong.tx5 < 0:
            continue
        for b in order:
            weak = juncs[b]
            if b == a or b in gone or (weak.tx5, weak.end5, weak.tx3, weak.start3) != (
                    strong.tx5, strong.end5, strong.tx3, strong.start3):
                continue
            gap = abs(len(weak.insert) - len(strong.insert))
            if not 0 < gap <= 2 or "N" in weak.insert + strong.insert \
                    or _edit_distance(weak.insert, strong.insert, 2) > 2:
                continue
            if (strong.tx5, strong.end5, strong.start3, len(weak.insert)) in listed and (
                    strong.tx5, strong.end5, strong.start3, len(strong.insert)) not in listed:
                strong.insert = weak.insert
            strong.fragments = strong.fragments + weak.fragments
            strong.precise = strong.precise or weak.precise
            gone.add(b)
    juncs[:] = [j for n, j in enumerate(juncs) if n not in gone]


LISTED_REACH = 12  # bases inside an exon a junction may lie from a listed variant's exon end or ALK start


def _to_listed(juncs: list[Junction], index: Index, panel: Panel, params: CallParams) -> list[Junction]:
    """A junction up to LISTED_REACH bases inside an exon next to a listed variant's boundary (ALK from the
    last bases of exon 19, before exon 20; the partner on into its next exon) spells the same sequence as
    a junction at that boundary with those bases inserted. When the inserted bases then number exactly
    the listed variant's, it is that variant: an insert whose last bases read like ALK exon 19's end by
    chance (v5b at 100 bp from ART's reads was E2;ins111del99A19: 6 of its 117 inserted bases are exon
    19's last 6) is named, not reported as a break inside ALK exon 19. Junctions that spell other lengths
    keep their coordinates. Done last, once reads with errors in those bases have joined the junction (at
    its first coordinates); the reads stay with it (the sequence is the same), their placements taken again
    on the listed coordinates, and a junction that becomes another one joins it."""
    by_partner: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for t5, e, b, size in sorted(_listed_junctions(index, panel)):
        by_partner[t5].append((e, b, size))
    alk = index.alk.idx
    moved = []
    for j in juncs:
        listed = by_partner.get(j.tx5, ())
        if j.tx5 < 0 or j.tx3 != alk or (j.end5, j.start3, len(j.insert)) in listed:
            continue
        for e, b, size in listed:
            if e <= j.end5 <= e + LISTED_REACH and b - LISTED_REACH <= j.start3 <= b and \
                    (j.end5 - e) + len(j.insert) + (b - j.start3) == size:
                j.insert = index.sequence(j.tx5)[e : j.end5] + j.insert + index.sequence(alk)[j.start3 : b]
                j.end5, j.start3 = e, b
                js = [_junction_seq(j, index)]
                j.fragments = [(f, kind, _lazy_hits([(coded_read(fw), coded_read(rc)) for fw, rc in _both_strands(f)],
                                                    js, params, set(), f.quals)(0)) for f, kind, _ in j.fragments]
                moved.append(j)
                break
    gone = set()
    for j in moved:  # moved onto another junction's coordinates and insert: one junction
        same = next((o for o in juncs if o is not j and id(o) not in gone and (o.gene5, o.tx5, o.end5, o.tx3,
                     o.start3, o.insert) == (j.gene5, j.tx5, j.end5, j.tx3, j.start3, j.insert)), None)
        if same is not None:
            same.fragments = same.fragments + j.fragments
            same.precise = same.precise or j.precise
            gone.add(id(j))
    return [j for j in juncs if id(j) not in gone]


def _listed_junctions(index: Index, panel: Panel) -> set[tuple[int, int, int, int]]:
    """(partner transcript, partner exon end, ALK start, insert length) of every listed ALK variant, on the
    canonical transcripts."""
    listed = set()
    b3 = index.alk.t.exon_bounds()
    for v in panel.variants:
        canon = index.canonical.get(v.gene5)
        if canon is not None and v.gene3 == index.alk.gene and 1 <= v.exon5 <= len(canon.t.exons) \
                and 1 <= v.exon3 <= len(b3):
            listed.add((canon.idx, canon.t.exon_bounds()[v.exon5 - 1][1], b3[v.exon3 - 1][0] + v.deletion_length,
                        v.insert_length))
    return listed


def _merge_long_read_scatter(juncs: list[Junction], index: Index, panel: Panel, params: CallParams) -> None:
    """Long reads with 5-15% errors (nanopore) put each read's junction a few bases apart, its insert a few
    bases longer or shorter: junctions seen only in long reads, of the same genes, within ``nearby``
    bases at both ends and inserts within a fifth of their length (3 bases at least) of each other are
    one fusion. It takes the coordinates of the member that is a listed variant (insert length within 3),
    else of a member on exon boundaries, else of the best supported; when no member is listed but one
    listed junction lies among them, its exon end and ALK start. With three reads or more (in one junction
    or several) the insert is the majority of the reads' own inserts (``_gapped_consensus``): a junction's
    insert is one read's, and at 1% errors three reads of a 69-base insert can be 68, 69 and 70 bases long.
    Short-read junctions are left alone."""
    from .scan import LONG_READ

    def long_only(j):
        return bool(j.fragments) and all(max(map(len, f.seqs)) >= LONG_READ for f, _, _ in j.fragments)

    listed = _listed_junctions(index, panel)
    order = sorted((n for n, j in enumerate(juncs) if j.tx5 >= 0 and long_only(j)),
                   key=lambda n: (-len(juncs[n].fragments), n))
    gone: set[int] = set()
    for a in order:
        if a in gone:
            continue
        head = juncs[a]
        group = [a] + [b for b in order if b != a and b not in gone
                       and (juncs[b].tx5, juncs[b].tx3) == (head.tx5, head.tx3)
                       and abs(juncs[b].end5 - head.end5) <= params.nearby
                       and abs(juncs[b].start3 - head.start3) <= params.nearby
                       and abs(len(juncs[b].insert) - len(head.insert)) <= max(3, len(head.insert) // 5)]
        if len(group) < 2:
            _read_consensus(head, [head], index, listed)
            continue

        def rank(n):
            j = juncs[n]
            named = any((j.tx5, j.end5, j.start3, size) in listed for size in range(len(j.insert) - 3,
                                                                                    len(j.insert) + 4))
            return (not named, not _at_boundaries(j, index), -len(j.fragments), n)

        best = min(group, key=rank)
        keep = juncs[best]
        members = [juncs[n] for n in group]
        fits = {(e, s3) for t5, e, s3, size in listed if t5 == keep.tx5
                and min(m.end5 for m in members) - 3 <= e <= max(m.end5 for m in members) + 3
                and min(m.start3 for m in members) - 3 <= s3 <= max(m.start3 for m in members) + 3
                and abs(size - len(keep.insert)) <= 3}
        if len(fits) == 1 and rank(best)[0]:  # no member is the listed variant, one lies among them
            keep.end5, keep.start3 = next(iter(fits))
        _read_consensus(keep, members, index, listed)
        for b in group:
            if juncs[b] is not keep:
                keep.fragments = keep.fragments + juncs[b].fragments
                gone.add(b)
    juncs[:] = [j for n, j in enumerate(juncs) if n not in gone]


CONSENSUS_READS = 51  # long reads whose inserts make a consensus (each costs a quadratic alignment)
BALANCE_WINDOW = 200  # bases of a long read each side of its junction that measure its indel balance
LONG_READ_SIZE_SHARE = 0.05  # a listed insert's length is the long reads' within 3 bases or this share of it


def _read_consensus(keep: Junction, members: list[Junction], index: Index, listed: set[tuple]) -> None:
    """With three reads or more across ``members``' junctions, ``keep``'s insert becomes the majority of the
    reads' own inserts in its frame (a read's split on other transcripts than ``keep``'s counts as its
    junction's insert). With two that differ in length, no majority: the one of the listed variant's
    length at ``keep``'s coordinates, if one is (two v5b reads at 1% errors, 117 and 118 bases).

    Long-read chemistries gain or lose bases more than they misread them, and often one more than the
    other (PacBio CLR inserts, nanopore deletes), so every read's insert is longer or shorter than the
    molecule's by a share that the read's own bases beside the junction show: each read's insert length
    is divided by its bases per reference base there (``_indel_balance``), and when the median of those
    lies within 3 bases or 5% (LONG_READ_SIZE_SHARE) of a listed variant's insert at ``keep``'s
    coordinates, the insert is the reads' consensus made that long (``_consensus_of_length``). Errors
    are not spread evenly along a read: four pbsim CLR reads of v5b at 90% accuracy hold 123-129 bases
    of its 117-base insert (pbsim's own alignments) while their flanks gain 1-6%; their majority was 122
    bases, unnamed, and their corrected median 122."""
    pseq, aseq = index.sequence(keep.tx5), index.sequence(keep.tx3)
    id5, id3 = index.transcripts[keep.tx5].t.id, index.transcripts[keep.tx3].t.id
    inserts = []
    for m in members:
        for f, kind, _ in m.fragments:
            own = [s for s in f.splits if (s.tx5, s.tx3) == (id5, id3)] if kind == "split" else []
            view = SimpleNamespace(end5=own[0].end5, start3=own[0].start3, insert=own[0].insert) if own else m
            inserts.append((f.name, _insert_in_frame(view, keep, pseq, aseq), f, own[0] if own else None))
    chosen = sorted(inserts, key=lambda x: x[:2])[:CONSENSUS_READS]  # by read name: whatever the input order
    seqs = sorted(ins for _, ins, _, _ in chosen)
    if len(inserts) >= 3:
        keep.insert = _gapped_consensus(seqs)
    elif len(inserts) == 2:
        fits = sorted(ins for ins in seqs if (keep.tx5, keep.end5, keep.start3, len(ins)) in listed)
        if fits:
            keep.insert = fits[0]
    here = [size for t5, e5, s3, size in listed if (t5, e5, s3) == (keep.tx5, keep.end5, keep.start3)]
    if len(seqs) < 2 or not here:  # the reads' balance is measured only where a listed length may apply
        return
    lengths = sorted(len(ins) / (_indel_balance(f, own, pseq, aseq) if own else 1.0) for _, ins, f, own in chosen)
    estimate = (lengths[(len(lengths) - 1) // 2] + lengths[len(lengths) // 2]) / 2
    sizes = [size for size in here if abs(size - estimate) <= max(3, round(LONG_READ_SIZE_SHARE * size))]
    if sizes:
        size = min(sizes, key=lambda n: (abs(n - estimate), n))
        if len(keep.insert) != size:
            keep.insert = _consensus_of_length(seqs, size)


def _indel_balance(f: Fragment, split, pseq: str, aseq: str) -> float:
    """A long read's bases per reference base beside its junction: up to BALANCE_WINDOW bases after its
    ALK start and before its partner's end, each aligned to the reference they came from
    (``kernels.covered_prefix``, the partner side read backwards); 1.0 when neither side has 50 bases."""
    read = revcomp(f.seqs[split.mate]) if f.reversed[split.mate] else f.seqs[split.mate]
    end = split.read_break - len(split.insert)  # one past the read's last partner base
    sides = ((read[split.read_break : split.read_break + BALANCE_WINDOW], aseq[split.start3 :]),
             (read[max(0, end - BALANCE_WINDOW) : end][::-1], pseq[: split.end5][::-1]))
    read_bases = reference_bases = 0
    for piece, ref in sides:
        if len(piece) < 50:
            continue
        covered = covered_prefix(piece, ref[: len(piece) + len(piece) // 4], len(piece) // 2)
        if covered > 0:
            read_bases, reference_bases = read_bases + len(piece), reference_bases + covered
    return read_bases / reference_bases if reference_bases else 1.0


def _consensus_of_length(seqs: list[str], size: int) -> str:
    """The reads' gapped consensus (``_gapped_consensus``) made ``size`` bases long, a base at a time: of
    the sequences one base shorter (too long) or one base longer by a base some read inserts there (too
    short), the one nearest the reads (least sum of edit distances; of equal sums, the first in
    alphabetical order). Left as it is when too short and no read inserts a base."""
    cons = _gapped_consensus(seqs)
    while len(cons) != size:
        if len(cons) > size:
            options = {cons[:i] + cons[i + 1 :] for i in range(len(cons))}
        else:
            options = {cons[:i] + extra[i][0] + cons[i:] for _, extra in (_align_to(cons, x) for x in seqs)
                       for i in range(len(cons) + 1) if extra[i]}
            if not options:
                break
        cons = min(options, key=lambda c: (sum(_edit_distance(c, x, len(c) + len(x)) for x in seqs), c))
    return cons


def _insert_in_frame(m: Junction | SimpleNamespace, keep: Junction, pseq: str, aseq: str) -> str:
    """The bases junction ``m``'s reads show between ``keep``'s partner end and ALK start (same genes)."""
    ins = m.insert
    if m.end5 < keep.end5:
        ins = ins[keep.end5 - m.end5 :]
    if m.start3 > keep.start3:
        ins = ins[: max(0, len(ins) - (m.start3 - keep.start3))]
    left = pseq[keep.end5 : m.end5] if m.end5 > keep.end5 else ""
    right = aseq[m.start3 : keep.start3] if m.start3 < keep.start3 else ""
    return left + ins + right


def _merge_nearby(juncs: list[Junction], params: CallParams, index: Index, panel: Panel | None = None) -> None:
    """A weak junction a few bases from a junction with at least twice its support (or as much, when only
    that one joins exon boundaries) is the same molecule read with errors at the junction (e.g.
    ``E2-2;ins2A20`` beside ``E2;A20``): its fragments join it. The other way round when the weak one
    joins exon boundaries (or a listed variant's ALK start), the strong one does not, it has at most twice
    the support and both read the same fusion sequence but for a few edits (``_same_molecule``): a break
    inside an exon is far rarer than a read's indel (a v7 read that gained a base 14 bases before EML4
    exon 14's end gave ``E14-14;ins15del12A20``, which took v7's spanning pair and then its other read:
    Nextera quick grid, 100 bp / 3)."""
    gone = set()
    first: dict[tuple, Junction] = {}
    for b, j in enumerate(juncs):  # the same junction found twice (e.g. from two clusters of reads)
        key = (j.tx5, j.end5, j.tx3, j.start3, j.insert, j.precise, j.seq5 if j.tx5 < 0 else "")
        if key in first:
            first[key].fragments = first[key].fragments + j.fragments
            gone.add(b)
        else:
            first[key] = j
    for b, weak in enumerate(juncs):  # an imprecise junction placed where reads show one, or where another
        if b in gone:
            continue
        if weak.precise or weak.tx5 < 0:  # imprecise one with more fragments was placed: the same fusion
            continue
        same = [n for n, j in enumerate(juncs) if n != b and n not in gone
                and (j.tx5, j.end5, j.tx3, j.start3) == (weak.tx5, weak.end5, weak.tx3, weak.start3)
                and (abs(len(j.insert) - len(weak.insert)) <= params.insert_tolerance
                     or len(j.fragments) >= 2 * len(weak.fragments)  # its insert length was a guess
                     or (j.precise and j.insert and weak.insert.endswith(j.insert)))  # and more bases before
                and (j.precise or (len(j.fragments), -n) > (len(weak.fragments), -b))]
        if not same:
            continue
        strong = juncs[min(same, key=lambda n: (not juncs[n].precise, -len(juncs[n].fragments), n))]
        if not strong.precise and _novel(weak.insert) > _novel(strong.insert) and len(weak.insert) == len(strong.insert):
            strong.insert = weak.insert  # the bases more reads showed
        strong.fragments = strong.fragments + weak.fragments
        gone.add(b)
    order = sorted((n for n in range(len(juncs)) if n not in gone), key=lambda n: (-len(juncs[n].fragments), n))
    for a in order:
        if a in gone:
            continue
        strong = juncs[a]
        clean = _at_boundaries(strong, index)
        yields = panel is not None and strong.precise and not _at_boundaries(strong, index, panel)
        for b in order:
            weak = juncs[b]
            if b == a or b in gone:
                continue
            if (yields and weak.precise
                    and 2 * len(weak.fragments) >= len(strong.fragments) and _at_boundaries(weak, index, panel)
                    and _same_molecule(weak, strong, index, params)):
                weak.fragments = weak.fragments + strong.fragments
                gone.add(a)
                break
            # twice the support, or as much when only the stronger one sits on exon boundaries
            if 2 * len(weak.fragments) > len(strong.fragments) and not (
                    clean and weak.tx5 == strong.tx5 and len(weak.fragments) <= len(strong.fragments)
                    and not _at_boundaries(weak, index)):
                continue
            same5 = weak.tx5 == strong.tx5 and abs(weak.end5 - strong.end5) <= params.nearby \
                or weak.tx5 < 0 and strong.precise
            if (same5 and weak.tx3 == strong.tx3 and abs(weak.start3 - strong.start3) <= params.nearby
                    and abs(len(weak.insert) - len(strong.insert)) <= params.nearby) \
                    or _same_molecule(weak, strong, index, params) or _alk_indel_twin(weak, strong, index):
                if not strong.precise and weak.precise and _seen_exon_ends(weak, index):
                    # reads show this one's exons; the other's were inferred from fragment lengths
                    weak.fragments = weak.fragments + strong.fragments
                    gone.add(a)
                    break
                strong.fragments = strong.fragments + weak.fragments
                gone.add(b)
    juncs[:] = [j for n, j in enumerate(juncs) if n not in gone]


def _seen_exon_ends(j: Junction, index: Index) -> bool:
    """The junction joins a partner exon end to an ALK exon start or listed ALK start (inserted bases
    allowed): what a cryptic exon or a listed variant looks like, not a read error."""
    return j.tx5 >= 0 and j.end5 in {e for _, e in index.transcripts[j.tx5].t.exon_bounds()} \
        and j.start3 in index.listed_alk_starts(j.tx3)


def _same_molecule(weak: Junction, strong: Junction, index: Index, params: CallParams, window: int = 50,
                   max_edits: int = 3) -> bool:
    """The two junctions read the same fusion sequence up to a few errors (a partner part cut short by an
    indel near its end, then the rest of the exon as 'inserted' bases; an unknown 5' part that is the end
    of the partner exon plus insert): the last ``window`` bases up to 20 bases into ALK differ by at most
    ``max_edits`` edits. The stronger one may be imprecise when reads showed the end of its insert (an N,
    a base no read showed, counts as an edit)."""
    if strong.tx5 < 0 or weak.tx3 != strong.tx3 or abs(weak.start3 - strong.start3) > params.nearby:
        return False
    aseq = index.sequence(strong.tx3)
    stop = max(weak.start3, strong.start3) + 20

    def fused(j):
        return (_five_prime_side(j, index)[-window:] + aseq[j.start3 : stop])[-window:]

    a, b = fused(weak), fused(strong)
    n = min(len(a), len(b))
    return n >= 30 and _edit_distance(a[-n:], b[-n:], max_edits) <= max_edits


def _alk_indel_twin(weak: Junction, strong: Junction, index: Index, after: int = 20,
                    same_start: bool = True) -> bool:
    """The weak junction is the strong one read with an indel in ALK: the same partner exon end, and the
    bases after it (the weak one's 'inserted' bases, then ``after`` bases of its ALK part) read as the
    strong one's insert and ALK up to an edit per 20 bases and one more (a base read twice 12 bases into
    ALK comes out as ``E13;ins13del12A20`` beside ``E13;A20``: the 'insert' is ALK's own first 13 bases).
    Both are compared up to the same ALK base, so each of the read's indels counts once (a v1 read that
    gained two bases and misread one in ALK's first 23, ``E13;ins25del23A20``: three edits in 45 bases).
    An unknown 5' part is such a twin when it ends with the strong one's ALK bases up to its own ALK start
    and, before them, 8 or more of the bases the strong one shows before ALK (a strongly expressed
    EML4::ALK v5b whose reads lose a base 17 bases into ALK gave ``?;del17A20`` from five fragments beside
    535; one with 8 inserted bases, ``?;del15A20`` from 2 beside 30,498); 4 or more when the mates name the
    strong one's partner (a read of HOOK3::ALK E11;ins40A20 that lost one of ALK's first 12 bases shows 16
    bases before its apparent ALK start 12 bases in)."""
    if strong.tx5 >= 0 and (weak.tx5 < 0 or not weak.precise and weak.seq5 and weak.gene5 == strong.gene5):
        # an unknown 5' part, or one whose partner only its mates name (the part is its insert)
        return _unknown_indel_twin(weak, strong, index, after, 8 if weak.tx5 < 0 else 4, same_start)
    if weak.tx5 < 0 or (weak.tx5, weak.end5, weak.tx3) != (strong.tx5, strong.end5, strong.tx3) \
            or "N" in weak.insert + strong.insert or weak.start3 == strong.start3:
        return False
    aseq = index.sequence(strong.tx3)
    stop = weak.start3 + after
    a = weak.insert + aseq[weak.start3 : stop]
    b = strong.insert + aseq[strong.start3 : stop]  # up to the same ALK base: the reads' indels count once
    cap = 1 + len(a) // 20
    return stop <= len(aseq) and _edit_distance(a, b, cap) <= cap


def _error_allowance(expected: float) -> int:
    """Edits to allow for ``expected`` sequencing errors (from base qualities): about the 97.5th percentile
    of their number (expected plus two standard deviations of a Poisson count), 0 for good bases."""
    return int(expected + 2.0 * math.sqrt(expected))


def _unknown_indel_twin(weak: Junction, strong: Junction, index: Index, after: int, before: int,
                        same_start: bool = True) -> bool:
    """``_alk_indel_twin`` for an unknown 5' part ``weak``: both sequences, up to ``after`` bases past the
    weak one's ALK start, end alike (an edit per 20 bases and one more), the part showing ``before`` or more
    bases before the strong one's ALK start. With ``same_start`` the part may join ALK where the strong one
    does: the error then lies on the partner side (a TMPRSS2::ALK E7;A20 read without exon 7's last base
    leaves its 10 bases before that as a part that its mate names TMPRSS2, placed as ``E6;ins10A20``; one of
    CLTC::ALK E31;A19 with an error in its 15 CLTC bases, placed as the listed ``E31;A20``). A placed part
    is compared where its reads join ALK (``Junction.read_start3``). The part may start anywhere in the
    strong one's sequence: a base the read lost or gained in the insert shifts everything before it (a v8b
    read ``TATGAGCCGTCGAGA`` + ALK for ``TATGCGCGCGTCGAGA`` + ALK, its mate in EML4: two edits). The part's
    expected sequencing errors (``Junction.seq5_errors``, from its qualities) are allowed on top
    (``_error_allowance``): the last bases of InSilicoSeq's MiSeq reads (qualities 8-20) made a 60-base
    part of a v8a with 6 edits a second EML4::ALK call, placed as v7."""
    start3 = weak.read_start3 if weak.read_start3 >= 0 else weak.start3  # as its reads show it
    shift = start3 - strong.start3
    if weak.tx3 != strong.tx3 or shift < (0 if same_start else 1) or len(weak.seq5) < shift + before \
            or "N" in weak.seq5:
        return False
    aseq = index.sequence(strong.tx3)
    a = weak.seq5 + aseq[start3 : start3 + after]
    b = _five_prime_side(strong, index) + aseq[strong.start3 : start3 + after]
    cap = 1 + len(a) // 20 + _error_allowance(weak.seq5_errors)
    if len(b) < len(a) - cap:
        return False
    return ends_within(a, b, 1, cap)


def _join_alk_indel_twins(juncs: list[Junction], index: Index) -> None:
    """Reads of a fusion whose ALK part lost or gained a base a few bases in, their partner named by their
    mates: the reads show the insert's end and ALK's first bases as 'inserted' bases before a later ALK
    start, no exon start. Placed from fragment lengths like other imprecise junctions, they became a
    second call at the next partner exon (HOOK3::ALK E11;ins40A20 with 1,188 fragments gave ``E12;A20``
    from 3), or joined a weak junction that happened to share that place. They join the strongest precise
    junction (twice their fragments or more) whose ``_alk_indel_twin`` they are, before any placing. Not
    those joined to ALK where it is (an error on the partner side): placed, such a part may be a listed
    variant whose bases are better than the precise junction's (one read's extra base made v6
    ``E13;ins70A20``, which joins the listed length when both are placed); ``_merge_nearby`` joins them."""
    precise = sorted((j for j in juncs if j.precise and j.tx5 >= 0), key=lambda j: -len(j.fragments))
    gone = set()
    for n, weak in enumerate(juncs):
        if weak.precise or weak.tx5 < 0 or not weak.seq5:
            continue
        strong = next((s for s in precise if len(s.fragments) >= 2 * len(weak.fragments)
                       and _alk_indel_twin(weak, s, index, same_start=False)), None)
        if strong is not None:
            strong.fragments = strong.fragments + weak.fragments
            gone.add(n)
    juncs[:] = [j for n, j in enumerate(juncs) if n not in gone]


def _join_unknown_to_imprecise(juncs: list[Junction]) -> None:
    """One partner seen only in spanning pairs and one unknown 5' sequence joined to the same ALK exon
    start are one fusion with a long insert (e.g. EML4::ALK v5b): report the partner, the inferred exon,
    and the inserted bases that reads show. Not a junction whose partner the mates of its own unknown part
    named: its inserted bases are that part, and another part there has other mates or none (a read of
    ALK-ATI's intron 19 took the place of v8b's insert: ``E17;ins30A20``, named v8a)."""
    unknown = [j for j in juncs if j.tx5 < 0]
    for imp in [j for j in juncs if not j.precise and j.tx5 >= 0 and not j.seq5]:
        same = [u for u in unknown if u.tx3 == imp.tx3 and u.start3 == imp.start3]
        if len(same) == 1 and sum(1 for j in juncs if not j.precise and j.tx5 >= 0) == 1:
            u = same[0]
            imp.insert = u.seq5
            imp.fragments = imp.fragments + u.fragments
            juncs.remove(u)
            unknown.remove(u)


def _merge_same(calls: list[Call]) -> list[Call]:
    """Two candidates that annotate to the same junction (e.g. an unknown-partner read and a named one)
    are kept apart only when their notation differs, or, for unknown partners, their 5' sequences (two
    unknown parts that ``_cluster_prefixes`` kept apart are two partners: ALK pre-mRNA and a fusion at
    one exon start; the second was dropped whole, and with it the fusion when the intron came first)."""
    seen = {}
    out = []
    for c in calls:
        key = (c.gene5, c.breakpoint5, c.breakpoint3, c.inserted_sequence, c.precise,
               c.fusion_sequence.split("|")[0] if c.gene5 == "unknown" else "")
        if key in seen:
            continue
        seen[key] = c
        out.append(c)
    return out
