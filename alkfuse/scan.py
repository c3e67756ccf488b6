"""The scan: reads -> batches -> ALK pre-filter kernel -> candidate fragments -> evidence.

The kernel counts, for every read of a raw batch, its canonical k-mers that are ALK k-mers (ALK exon 18
onward, unique to ALK). Only fragments with such a hit become Python objects; each is then classified:

- split: a read whose fusion-sense sequence is partner (or unknown sequence) then ALK;
- span: one mate inside ALK (exon 19 on), the other inside a partner, oriented like a fusion transcript;
- ALK-internal: explained by one ALK isoform (wild type, ALK-ATI): counted, not kept;
  ``wildtype_fragments`` counts those that cross the canonical exon 19 -> 20 splice junction.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from .adapters import BEFORE, READ_THROUGH, end_at_start, read_through_start
from .evidence import LONG_MATE, Evidence, Fragment, PartnerTail, Reciprocal, Span, Split, Stats
from .index import ALK_END_MIN, KINASE, PROBE_MAX, TAIL_MIN_DIFF, TAIL_PROBE, Index
from .kernels import approx_end, edit_distance, end_edits, ends_within, mate_overlap, mate_overlap_indel
from .mapping import ReadMapper, Segment
from .seq import low_complexity, revcomp

log = logging.getLogger("alkfuse")

_UMI_IN_NAME = re.compile(r"(?:[:_]umi[:_]|[:_])([ACGTN]{6,}(?:[+-][ACGTN]{6,})?)$", re.IGNORECASE)


# Adapters (``adapters.py``: TruSeq, Nextera, MGI) as they appear before an insert in fusion-sense reads:
# whole (the last ADAPTER_EXACT bases of each read-through's reverse complement, or the first of each
# read-through, for adapter dimers and ligation chimeras).
ADAPTER_EXACT = 13
ADAPTERS = tuple(sorted({a[-ADAPTER_EXACT:] for a in BEFORE} | {a[:ADAPTER_EXACT] for a in READ_THROUGH}))
PREFIX_MIN_EDITED = 30  # bases before an ALK segment from which indels are allowed in comparing them with ALK
PREFIX_MIN_GAPPED = 16  # from here to PREFIX_MIN_EDITED, two edits (a read's end with two indels)
ADAPTER_OVERLAP = 3  # adapter bases that may lie inside the ALK part of a read
# bases of an adapter's end that, at a read's start, are taken for adapter: with three kits' ends (TCT,
# CAG, CTT) 3 bases cut 3 in 64 unknown parts by chance and cost a 2-fragment fusion whose partner part
# began with CAG (its 22 bases became 19, too few to stand); 4 bases cut 3 in 256, fewer than TruSeq's 3
# alone did (1 in 64)
ADAPTER_END_MIN = 4
ADAPTER_APPROX_MIN = 12  # adapter bases a read must show to be taken for adapter despite errors
ADAPTER_GAPPED = 20  # an adapter's last bases, matched with up to two edits (indels shift the others)
_ADAPTER_TAILS = tuple(sorted({a[-ADAPTER_GAPPED:] for a in BEFORE}))


def adapter_cut(seq: str) -> int:
    """Where a fusion-sense read's bases after adapter read-through begin: after the last whole adapter
    (13 bases exact, or 12+ bases of one of ``adapters.BEFORE`` with a mismatch per 10, running to its end,
    which may lie past the end of ``seq``), or after the end of an adapter that the read starts with (a
    fragment a few bases shorter than the read leaves only the adapter's last bases before it); 0 when
    there is none. A read error in the adapter made unknown 5' parts of adapter bases, false unknown::ALK
    calls where ALK is strongly expressed in short-fragment libraries. When neither finds it, an adapter's
    last 20 bases with up to two edits (indels too) ending in the read (``_adapter_gapped_end``): one
    2x250 read whose adapter gained a base 11 bases from its end left an unknown 5' part of adapter,
    and the caller gave that junction the clean read-through reads ending at the same ALK base: three
    false `unknown::ALK` calls of 5-7 fragments beside strongly expressed fusions."""
    cut = max((seq.rfind(a) + len(a) for a in ADAPTERS if a in seq), default=0)
    cut = max(cut, _adapter_approx_end(seq))
    if cut:
        return cut
    cut = _adapter_gapped_end(seq)
    if cut:
        return cut
    return end_at_start(seq, BEFORE, ADAPTER_EXACT - 1, ADAPTER_END_MIN)


DOUBTFUL_QUALITY = 20  # a base called under this Phred quality is one the read itself doubts
QUICK_GUARD = 16  # quick_internal: first bases of a read placed by its end that may hold a short partner part
POLY_G_MIN = 10  # bases of a no-signal run, as fastp's poly-G trimming takes them
POLY_G_GAP = 8  # at most one other base (a read error) per this many in the run


def poly_g_tail(read: str) -> int:
    """How many of a read's last bases are the no-signal G run of a two-colour instrument (NovaSeq,
    NextSeq): the longest end of POLY_G_MIN+ bases that starts with G and holds at most one other base per
    POLY_G_GAP, the run stopping at two others fewer than POLY_G_GAP apart (a proportional allowance alone
    let a long run take the fragment's own bases before it as long as some were G); 0 when none. As fastp
    trims poly-G. Untrimmed, an antisense read's tail is a run of C before its ALK part in fusion sense: 10%
    of reads with such tails beside wild-type ALK at 400x made 239 discarded ``unknown::ALK`` rows of poly-C
    5' parts; six fusions at 500 fragments took 11.5 minutes to call instead of 7 s, with two false calls;
    and an ALK mate with a tail made no spanning pair."""
    cut = other = 0
    last = -POLY_G_GAP
    for i, b in enumerate(reversed(read)):
        if b != "G":
            if i - last < POLY_G_GAP:
                break
            other, last = other + 1, i
        elif i + 1 >= POLY_G_MIN and other <= (i + 1) // POLY_G_GAP:
            cut = i + 1
    return cut


MATE_OVERLAP_MIN = 20  # fragment bases both reads must show to tell a fragment shorter than a read
MATE_OVERLAP_PER = 10  # at most one unequal base per this many of them (read errors of either read)


def fragment_ends(read1: str, read2: str) -> tuple[int, int]:
    """How many of each read's first bases are its fragment's, when the fragment is shorter than a read, told
    by the reads alone (their first bases are the fragment's two ends: ``kernels.mate_overlap``, or
    ``kernels.mate_overlap_indel`` when one read gained or lost a base in it); (0, 0) when the fragment is
    as long as the reads or longer. The bases a read has past it are adapter, whatever the kit (fastp's
    overlap analysis): an adapter no kit in ``adapters.py`` knows stood before ALK in reversed reads of
    short fragments, and 3,000 wild-type ALK fragments of 140 +- 40 bases read 2x150 made 21 false
    ``unknown::ALK`` calls. Pairs with an indel kept theirs without the second kernel: beside a fusion of
    74,000 fragments, ALK reads with an indel made a false ``unknown::ALK`` of 12 (adapter, then ALK bases
    before the indel: a part neither ALK's own nor adapter alone)."""
    a = np.frombuffer(read1.encode(), np.uint8)
    b = np.frombuffer(revcomp(read2).encode(), np.uint8)
    n = mate_overlap(a, b, MATE_OVERLAP_MIN, MATE_OVERLAP_PER)
    if n:
        return n, n
    return mate_overlap_indel(a, b, MATE_OVERLAP_MIN, MATE_OVERLAP_PER)


_ADAPTER_CODES = tuple(np.frombuffer(a.encode(), np.uint8) for a in BEFORE)


def _adapter_approx_end(seq: str) -> int:
    """The largest read position where one of ``adapters.BEFORE`` ends, over placements that show 12+ of
    its bases inside ``seq`` with at most one mismatch per 10 (0 when none): ``kernels.approx_end``."""
    read = np.frombuffer(seq.encode(), np.uint8)
    return max(approx_end(read, codes, ADAPTER_APPROX_MIN) for codes in _ADAPTER_CODES)


def _adapter_gapped_end(seq: str) -> int:
    """The read position where the last ADAPTER_GAPPED bases of one of ``adapters.BEFORE`` end, aligned
    with the fewest unit-cost edits, at most two (``kernels.end_edits``); of equal edits the largest;
    over adapters the largest; 0 when none. (One edit more lets the alignment run on over a fragment base
    equal to the adapter's last.) A 20-base stretch within two edits of one adapter's end turns up by
    chance about once in 10^8 positions."""
    return max(gapped_end(tail, seq) for tail in _ADAPTER_TAILS)


def gapped_end(tail: str, seq: str) -> int:
    """Where ``tail`` (ADAPTER_GAPPED bases of an adapter's end) ends in ``seq``, aligned with the fewest
    unit-cost edits, at most two; of equal edits the largest position; 0 when none."""
    edits = end_edits(tail, seq, 2)[ADAPTER_GAPPED - 2 :]  # one pass over the read: every end at once
    for cap in (0, 1, 2):
        ok = np.flatnonzero(edits <= cap)
        if len(ok):
            return ADAPTER_GAPPED - 2 + int(ok[-1])
    return 0


def _end_fit(sense: str, ref: str, longest: int) -> int:
    """The largest n in ALK_END_MIN..``longest`` for which the last n bases of ``sense`` read as the first
    n of ``ref`` with no mismatch (n = ALK_END_MIN) or one (longer); 0 when none. All n at once: row n
    compares the read from its n-th last base with ``ref``."""
    longest = min(longest, len(ref), len(sense))
    if longest < ALK_END_MIN:
        return 0
    read = np.frombuffer(sense[len(sense) - longest :].encode(), np.uint8)
    head = np.frombuffer(ref[:longest].encode(), np.uint8)
    ns = np.arange(longest, ALK_END_MIN - 1, -1)
    i = np.arange(longest)
    inside = i < ns[:, None]
    at = np.minimum((longest - ns)[:, None] + i, longest - 1)
    wrong = np.count_nonzero((read[at] != head) & inside, axis=1)
    ok = np.flatnonzero(wrong <= (ns > ALK_END_MIN))
    return int(ns[ok[0]]) if len(ok) else 0


LONG_READ = 400  # reads at least this long (single-end) are long reads: seeds are chained across indels
LONG_BOUNDARY_REACH = 30  # a long read's side that ends this near an exon boundary may end there instead
LONG_INSIDE_EXON = 4  # alignment score (match +1, mismatch and gap -2) a break inside an exon must gain
LONG_MIN_SEEDS = 5
LONG_ALK_START = 60  # a long read whose ALK chain starts before this read position begins in ALK


@dataclass(frozen=True)
class ScanParams:
    min_kmer_hits: int = 1  # ALK pre-filter k-mers a read needs to be looked at
    stride: int = 1  # look up every stride-th k-mer in the pre-filter
    min_anchor: int = 10  # bases of partner sequence a split read needs (k-mer seeded, so >= k in practice)
    min_unknown5: int = 20  # unmatched 5' bases before ALK to call an unknown partner (long reads)
    alk_tolerance: int = 8  # unaligned bases allowed for a read to count as ALK-internal
    max_insert: int = 300  # longest non-template sequence between partner and ALK
    snap: int = 4  # bases a segment may overshoot an exon boundary by chance
    wt_anchor: int = 8  # bases each side of the exon 19/20 junction for a wild-type read
    quick: bool = True  # count reads lying as they are on canonical ALK without the full classification
    length_sample_bits: int = 5  # measure the fragment length of 1 pair in 2**bits (library size distribution)


# ALK bases before a segment that an exon start is reached over with an indel: from 10 to a whole short read
# (a 2x250 v6 read that gained a base 48 bases into ALK was E13;ins118del48A20 when this stopped at 40)
GAPPED_MIN, GAPPED_MAX = 10, 300


def _mismatches(a: str, b: str) -> int:
    """Differences between two equally long strings (numpy: a read is 100-300 bases)."""
    return int(np.count_nonzero(np.frombuffer(a.encode(), np.uint8) != np.frombuffer(b.encode(), np.uint8)))


def reach_exon_end(seq: str, x5: int, x3: int, rest: str, mismatches: int | None) -> int | None:
    """The read position where an exon's last bases ``rest`` end when read from ``seq[x5]`` on: as many read
    bases with substitutions (at most ``mismatches``; None: any), or one or two bases more or fewer (two
    edits at most), not past ALK's start ``x3``. Of these, the fewest edits and inserted bases left before
    ALK, substitutions on a tie; None when none fits (or ``rest`` is empty). A v1 read that gained a base 5
    bases before NPM1 exon 4's end read the exon's last base as an inserted one (``E4;ins1A20``) when only
    substitutions were tried."""
    best = None
    for delta in (0, 1, -1, 2, -2) if rest else ():
        end = x5 + len(rest) + delta
        if not x5 <= end <= x3:
            continue
        edits = _mismatches(seq[x5:end], rest) if delta == 0 else edit_distance(seq[x5:end], rest, 2)
        cap = 2 if delta else len(rest) if mismatches is None else mismatches
        if edits <= cap and (best is None or edits - delta < best[0]):
            best = (edits - delta, end)  # a base gained is one fewer left inserted
    return None if best is None else best[1]


def _alk_before(seq: str, x: int, aseq: str, t: int, n: int = 10) -> bool:
    """Do the ``n`` read bases before read position ``x`` read as the ALK bases before ``t`` (shifted by up
    to 3, a mismatch allowed: ``_reads_on_before``)? Then ALK goes on before ``t``: not a listed variant's
    ALK start inside an exon (v7's 12 bases in), where the partner's bases come before."""
    return x >= n and _reads_on_before(seq[x - n : x], aseq, t)


def _longest(segs: list[Segment]) -> Segment:
    """The longest segment; of equally long ones the one with fewer mismatches, then the first transcript."""
    return max(segs, key=lambda s: (s.length, -s.mismatches, -s.tx))


def _reads_on_before(prefix: str, aseq: str, t0: int) -> bool:
    """Does ``prefix`` read as the bases of ``aseq`` that end at ``t0``: with a shift of up to 3 bases
    (an indel at the segment's edge) and one mismatch per 10 bases and one more (40 bases or fewer), or
    (``PREFIX_MIN_EDITED`` bases or more) ending within 3 bases of ``t0`` with one edit per 10 and one more,
    or (``PREFIX_MIN_GAPPED`` to ``PREFIX_MIN_EDITED``) with two edits: a v5b read whose first 21 bases were
    ALK's with two bases inserted (a read's low-quality end) passed as ``unknown::ALK ?;del20A20`` beside a
    strongly expressed v5b, 2 fragments. Sixteen random bases come within two edits of ALK's by chance
    about once in 10^5; a partner's 10 or more bases before ALK bases with an indel do not."""
    n = len(prefix)
    if n == 0:
        return True
    if n <= 40 and any(t0 + d - n >= 0 and _mismatches(prefix, aseq[t0 + d - n : t0 + d]) <= 1 + n // 10
                       for d in range(-3, 4)):
        return True
    if n < PREFIX_MIN_GAPPED:  # short: chance agreement with ALK within a few edits is too likely
        return False
    cap = 1 + n // 10 if n >= PREFIX_MIN_EDITED else 2
    window = aseq[max(0, t0 - n - cap - 3) : t0 + 3]  # the prefix may end 3 bases either side of t0
    return ends_within(prefix, window, 7 - max(0, t0 + 3 - len(aseq)), cap)


def umi_of(name: str, header: str = "") -> str:
    """The UMI in a read name (``...:umi:ACGT``, ``..._ACGTACGT``) or comment (``RX:Z:``), else ``""``."""
    m = re.search(r"RX:Z:([ACGTN+-]+)", header)
    if m:
        return m.group(1)
    m = _UMI_IN_NAME.search(name)
    return m.group(1).upper() if m else ""


class Classifier:
    """Turns the reads of one fragment into a Fragment of evidence (or None) and stats."""

    def __init__(self, index: Index, params: ScanParams):
        self.index = index
        self.p = params
        self.m = ReadMapper(index)
        alk = index.alk
        b = alk.t.exon_bounds()
        self.alk_idx = alk.idx
        self.exon20_start = b[19][0] if len(b) >= 20 else 0
        self.exon19_start = b[18][0] if len(b) >= 19 else 0
        self.alk_ids = {ti.idx for ti in index.genes[KINASE]}
        self._alk_seq = index.sequence(alk.idx)
        _, self._end_starts = index.alk_end_probes()
        # first occurrence of each 24-mer of canonical ALK (a repeated 24-mer would be placed once only,
        # and a read it misplaces falls back to the full classification)
        self._alk_24mers: dict[str, int] = {}
        for i in range(len(self._alk_seq) - 23):
            self._alk_24mers.setdefault(self._alk_seq[i : i + 24], i)
        # ALK starts a partner part may stand before (exon starts, listed variants' ALK starts)
        self._alk_starts = sorted({lo for lo, _ in b} | set(self._end_starts))
        self.exon_ends: dict[int, set[int]] = {}
        self.exon_starts: dict[int, set[int]] = {}
        self._reversed: dict[int, str] = {}  # ALK isoform sequences read backwards (_suffix_is_alk)

    # -- boundaries ----------------------------------------------------------------------------------------
    def _ends(self, tx: int) -> set[int]:
        s = self.exon_ends.get(tx)
        if s is None:
            s = {e for _, e in self.index.transcripts[tx].t.exon_bounds()}
            self.exon_ends[tx] = s
        return s

    def _starts(self, tx: int) -> set[int]:
        s = self.exon_starts.get(tx)
        if s is None:
            s = {b for b, _ in self.index.transcripts[tx].t.exon_bounds()}
            self.exon_starts[tx] = s
        return s

    def _listed_starts(self, tx: int) -> set[int]:
        """Exon starts of ALK transcript ``tx``, and on canonical ALK the ALK starts of listed variants."""
        return self.index.listed_alk_starts(tx) if tx == self.alk_idx else self._starts(tx)

    def _at_start(self, seq: str, x: int, tx: int, t: int) -> bool:
        """Read position ``x`` joins ALK at an exon start ``t``, or at a listed variant's ALK start that the
        read's bases before it do not read on into (ALK bases there: an indel stopped ALK's segment)."""
        return t in self._starts(tx) or t in self._listed_starts(tx) \
            and not _alk_before(seq, x, self.index.sequence(tx), t)

    # -- one read ------------------------------------------------------------------------------------------
    def split_of(self, seq: str, alk: Segment, mate: int) -> Split | None:
        """Resolve the 5' part of a fusion-sense read whose ALK part is ``alk``. The Split's ``read_break``
        is a position in ``seq`` as given (before an adapter cut), as its other readers (base qualities,
        the mate) take it."""
        p, m = self.p, self.m
        # the partner's last base may equal ALK's base before the exon (the segment overshoots by chance)
        if self._snap3(alk.read_start, alk) < p.min_anchor:
            return None
        cands = [s for s in m.segments(seq, exclude=self.alk_ids)
                 if s.read_start < alk.read_start and s.read_end <= alk.read_start + alk.length // 2]
        if not cands:
            prefix = seq[: alk.read_start]
            # Adapter read-through on a short fragment puts adapter before ALK: only what follows counts. The
            # ALK part may have swallowed the adapter's last bases (equal to ALK's first ones by chance).
            near = seq[: alk.read_start + ADAPTER_OVERLAP]
            cut = adapter_cut(near)
            if cut:
                if alk.read_start - cut < p.min_anchor:
                    return None
                seq = seq[cut:]
                alk = Segment(alk.tx, alk.read_start - cut, alk.read_end - cut, alk.tx_start, alk.mismatches,
                              alk.seeds, alk.unique_seeds)
                prefix = seq[: alk.read_start]
            # Short prefixes (min_anchor..min_unknown5) are kept for the caller, which may find them at the
            # end of a partner exon seen in the sample (a partner part shorter than k); it calls no unknown
            # partner from them.
            # A prefix that ALK explains (an indel, intron sequence in a genome index) is not a partner.
            if any(s.length >= len(prefix) - p.alk_tolerance for s in m.segments(prefix, txs=self.alk_ids)):
                return None
            if self._prefix_is_alk(seq, alk):
                return None
            x3 = self._snap3_back(seq, self._snap3(alk.read_start, alk), alk, p.min_anchor)
            t3 = x3 + alk.tx_start - alk.read_start
            if not self._at_start(seq, x3, alk.tx, t3):
                gapped = self._gapped_start(seq, x3, alk, 0)
                if gapped is not None:
                    x3, t3 = gapped
                    if x3 < p.min_anchor:  # what is left before ALK is too short to be a 5' part
                        return None
            prefix = seq[:x3]
            return Split(mate, ".", ".", -1, self.index.transcripts[alk.tx].t.id, t3,
                         prefix, len(prefix), alk.read_end - x3, alk.mismatches, x3 + cut, alk.unique_seeds == 0)
        part = self._best_partner(cands, alk)
        x5, x3, t5, t3 = self._resolve(seq, part, alk)
        if x3 - x5 > p.max_insert or x5 - part.read_start < p.min_anchor:
            return None
        insert = seq[x5:x3]
        anchor5 = x5 - part.read_start
        anchor3 = alk.read_end - x3
        tx5, t5, extra = self._to_canonical5(part.tx, t5)
        insert = extra + insert
        ti5 = self.index.transcripts[tx5]
        return Split(mate, ti5.gene, ti5.t.id, t5, self.index.transcripts[alk.tx].t.id, t3, insert,
                     anchor5, anchor3, part.mismatches + alk.mismatches, x3,
                     part.unique_seeds == 0 or alk.unique_seeds == 0)

    def _best_partner(self, cands: list[Segment], alk: Segment) -> Segment:
        """Among 5' segments, the gene reaching closest to ALK, unless a segment of another gene that
        overlaps it in the read explains more of the read (matches less 4 per mismatch): then the last
        partner bases and some inserted ones happened to match a third gene (seed 31 of the accuracy grid:
        EML4 exon 14's GA-rich end and v4's first inserted bases, 25 bases of AKAP9, took all 30 reads of a v4
        from their 117 EML4 bases). In the gene, the canonical transcript if it has a segment there (naming
        follows canonical transcripts; the rest becomes insert)."""
        top = max(cands, key=lambda s: (s.read_end, s.length, -s.mismatches, -s.tx))
        cover = max(cands, key=lambda s: (s.length - 4 * s.mismatches, s.read_end, -s.tx))
        if cover.read_end > top.read_start and \
                cover.length - 4 * cover.mismatches > top.length - 4 * top.mismatches:
            top = cover
        gene = self.index.transcripts[top.tx].gene
        canon = self.index.canonical[gene].idx
        same_gene = [s for s in cands if self.index.transcripts[s.tx].gene == gene]
        on_canon = [s for s in same_gene if s.tx == canon and s.length >= self.p.min_anchor]
        return max(on_canon, key=lambda s: (s.read_end, s.length)) if on_canon else top

    def _to_canonical5(self, tx: int, end5: int) -> tuple[int, int, str]:
        """Re-express a partner end on another isoform in the gene's canonical transcript: isoform bases
        that the canonical transcript lacks (a cryptic exon such as EML4 exon 6b) become inserted bases."""
        ti = self.index.transcripts[tx]
        canon = self.index.canonical[ti.gene]
        if canon.idx == tx:
            return tx, end5, ""
        for back in range(0, min(end5, self.p.max_insert)):
            p = canon.t.to_transcript(ti.t.to_genome(end5 - 1 - back))
            if p is not None:
                extra = self.index.sequence(tx)[end5 - back : end5]
                return canon.idx, p + 1, extra
        return tx, end5, ""

    def _resolve(self, seq: str, part: Segment, alk: Segment) -> tuple[int, int, int, int]:
        """Read positions (x5, x3) where partner ends and ALK starts, and the transcript positions there.

        Overlapping ends (microhomology) are split at an exon boundary when one is in reach; a segment that
        overshoots an exon boundary by <= ``snap`` bases is cut back to it (the bases join the insert).
        """
        d5 = part.tx_start - part.read_start  # transcript pos = read pos + d
        d3 = alk.tx_start - alk.read_start
        ends5, starts3 = self._ends(part.tx), self._starts(alk.tx)
        x5, x3 = part.read_end, alk.read_start
        if x5 > x3:  # overlap: choose one split point x in [x3, x5]
            span = range(x3, x5 + 1)
            both = [x for x in span if x + d5 in ends5 and x + d3 in starts3]
            one5 = [x for x in span if x + d5 in ends5]
            one3 = [x for x in span if x + d3 in starts3]
            x = (both or one5 or one3 or [x5])[-1]
            return x, x, x + d5, x + d3
        x3 = self._snap3(x3, alk)
        for back in range(0, self.p.snap + 1):
            if x5 - back + d5 in ends5 and x5 - back > part.read_start:
                x5 -= back
                break
        else:
            # A sequencing error on the last partner bases stops the extension short of the exon end.
            x5, d5 = self._reach_exon_end(seq, x5, x3, d5, part.tx, ends5, range(1, self.p.snap + 1), None)
        x3 = self._snap3_back(seq, x3, alk, x5)
        if x3 > x5 and not self._at_start(seq, x3, alk.tx, x3 + d3):
            gapped = self._gapped_start(seq, x3, alk, x5)
            if gapped is not None:
                x3, d3 = gapped[0], gapped[1] - gapped[0]  # read and ALK positions differ by the indel
        if 1 <= x3 - x5 <= 30 and x3 + d3 not in starts3:
            # 'Inserted' bases that are ALK but for an error, from an ALK exon start or a listed ALK start
            # (EML4::ALK v7 starts 12 bases into exon 20): a substitution, not an insert and a deletion.
            aseq = self.index.sequence(alk.tx)
            if x5 + d3 in self.index.listed_alk_starts(alk.tx) and \
                    _mismatches(seq[x5:x3], aseq[x5 + d3 : x3 + d3]) <= 1 + (x3 - x5) // 10:
                x3 = x5
        if x5 + d5 not in ends5:
            x5, d5 = self._reach_exon_end(seq, x5, x3, d5, part.tx, ends5,
                                          range(self.p.snap + 1, 2 * self.p.snap + 1), 1)
            if x5 + d5 not in ends5:
                x5 -= self._scored_back(seq, x5, part.read_start, self.index.sequence(part.tx), d5, ends5)
        return x5, x3, x5 + d5, x3 + d3

    def _reach_exon_end(self, seq: str, x5: int, x3: int, d5: int, tx: int, ends5: set[int], reach: range,
                        mismatches: int | None) -> tuple[int, int]:
        """(x5, d5) of a partner part whose extension stopped at read position ``x5`` (transcript position =
        read position + ``d5``) a few bases (``reach``) before an exon end, moved onto that end when its
        remaining bases fit (``reach_exon_end``); unchanged otherwise."""
        fwd = next((f for f in reach if x5 + f + d5 in ends5), 0)
        end = reach_exon_end(seq, x5, x3, self.index.sequence(tx)[x5 + d5 : x5 + d5 + fwd], mismatches)
        return (x5, d5) if end is None else (end, d5 + x5 + fwd - end)  # an indel shifts the diagonal

    def _scored_back(self, seq: str, x5: int, start: int, pseq: str, d5: int, ends5: set[int]) -> int:
        """Bases (``snap`` + 1 to 4 x ``snap``) to cut back a partner part that reads from ``start`` to ``x5``
        (transcript position = read position + ``d5``) onto the nearest exon end before ``x5``, when the bases
        past that end score no more than ``snap`` exact ones (+1 a match, -4 a mismatch, as the extension scores
        them) and ``min_anchor`` partner bases stay; 0 otherwise. Inserted bases that read like the next exon's
        first ones but for a few mismatches carried the extension past the exon end (EML4::ALK v4's ATTCCT...
        read as GTTCCT, exon 15's start): the break is the exon end, those bases inserted. A break inside an
        exon is far rarer than one at its end; longer or cleaner matches stay a break in the exon."""
        snap = self.p.snap
        for back in range(snap + 1, 4 * snap + 1):
            if x5 - back + d5 in ends5 and x5 - back - start >= self.p.min_anchor:
                wrong = _mismatches(seq[x5 - back : x5], pseq[x5 - back + d5 : x5 + d5])
                return back if back - 5 * wrong <= snap else 0
        return 0

    def _snap3_back(self, seq: str, x3: int, alk: Segment, floor: int) -> int:
        """Move an ALK start a few bases after an exon start back onto it (not before read position
        ``floor``): up to ``snap`` bases whatever they read, up to 2 x ``snap`` with one mismatch. A sequencing
        error a few bases into ALK stops the extension short of the exon start, which reads as an insert the
        size of an ALK deletion (e.g. E20;ins5del5A20, or 4 more bases in an unknown 5' part). The ALK starts
        of listed variants with an ALK-side deletion (v7, v4) on canonical ALK too, with one mismatch at most:
        a v4 read with an error at ALK's second base showed ``E14;ins13del51A20``, unnamed."""
        d3 = alk.tx_start - alk.read_start
        starts3 = self._starts(alk.tx)
        if x3 + d3 in starts3:
            return x3
        for back in range(1, min(self.p.snap, x3 - floor) + 1):
            if x3 - back + d3 in starts3:
                return x3 - back
        aseq = self.index.sequence(alk.tx)
        listed = self._listed_starts(alk.tx) - starts3
        for back in range(1, min(2 * self.p.snap, x3 - floor) + 1):
            if (x3 - back + d3 in starts3 and back > self.p.snap
                or x3 - back + d3 in listed and not _alk_before(seq, x3 - back, aseq, x3 - back + d3)) \
                    and _mismatches(seq[x3 - back : x3], aseq[x3 - back + d3 : x3 + d3]) <= 1:
                return x3 - back
        return x3

    def _gapped_start(self, seq: str, x3: int, alk: Segment, floor: int) -> tuple[int, int] | None:
        """(read position, ALK position) of the ALK exon start or listed variant ALK start that the read's
        bases before ``x3`` reach with an indel: ``GAPPED_MIN``-``GAPPED_MAX`` ALK bases read with 1-3 bases
        gained or lost and one mismatch at most, not before read position ``floor``; None when none does. An
        indel stops the ungapped ALK segment, and those bases looked like the end of the 5' part, joined to
        ALK a few bases into the exon (a v8b read at 50 bp that lost ALK's 19th base showed 7 inserted bases
        and ALK's first 18 as an unknown partner, ``?;del19A20``, 2 fragments beside 1,076)."""
        t = x3 + alk.tx_start - alk.read_start
        aseq = self.index.sequence(alk.tx)
        exon_starts = self._starts(alk.tx)
        best = None
        for s0 in sorted(self._listed_starts(alk.tx)):
            span = t - s0
            if not GAPPED_MIN <= span <= GAPPED_MAX:
                continue
            for delta in (-1, 1, -2, 2, -3, 3):
                n = span + delta
                if x3 - n < floor or s0 not in exon_starts and _alk_before(seq, x3 - n, aseq, s0):
                    continue
                cap = abs(delta) + 1  # the indel and one mismatch: more is no longer one read error
                edits = edit_distance(seq[x3 - n : x3], aseq[s0:t], cap)
                if edits <= cap and (best is None or edits < best[0]):
                    best = (edits, x3 - n, s0)
        return best[1:] if best else None

    def _snap3(self, x3: int, alk: Segment) -> int:
        """Move an ALK start that lies a few bases before an exon start (chance matches) onto it."""
        d3 = alk.tx_start - alk.read_start
        starts3 = self._starts(alk.tx)
        for fwd in range(0, self.p.snap + 1):
            if x3 + fwd + d3 in starts3 and x3 + fwd < alk.read_end:
                return x3 + fwd
        return x3

    # -- long reads (PacBio/ONT): seeds chained across indels, junction refined by gapped alignment ----------
    def _best_chain(self, rp, tp, tx, ng, txs) -> tuple[int, int, int, int, int, int] | None:
        """(transcript, first read pos, first tx pos, last read pos, last tx pos, unique seeds) of the chain
        with most seeds: seeds on one transcript by read position, diagonal drifting by <= 30 (indels)."""
        best = None
        for t in sorted(txs):
            m = tx == t
            if m.sum() < LONG_MIN_SEEDS:
                continue
            r, q, g = rp[m], tp[m], ng[m]
            o = np.argsort(r, kind="stable")
            r, q, g = r[o], q[o], g[o]
            d = q - r
            brk = np.flatnonzero((np.abs(np.diff(d)) > 30) | (np.diff(r) > 300)) + 1
            for a, b in zip(np.r_[0, brk], np.r_[brk, len(r)]):
                n = b - a
                if n >= LONG_MIN_SEEDS and (best is None or n > best[0]):
                    best = (n, t, int(r[a]), int(q[a]), int(r[b - 1]), int(q[b - 1]), int((g[a:b] <= 1).sum()))
        return None if best is None else best[1:]

    def long_split(self, seq: str, mate: int, stats: Stats) -> Split | None:
        from .align import anchored_junction, refine_junction
        from .kernels import encode

        k = self.index.k
        rp, tx, tp, ng = self.m.seeds(seq)
        canon = [self.alk_idx] if np.count_nonzero(tx == self.alk_idx) >= LONG_MIN_SEEDS else sorted(self.alk_ids)
        alk = self._best_chain(rp, tp, tx, ng, canon)
        if alk is None:
            return None
        t3i, r3, q3, r3_last, q3_last, unique3 = alk
        if unique3 == 0:
            return None  # only k-mers ALK shares with another gene (LTK): no evidence
        if r3 < LONG_ALK_START:  # ALK from the read's start: wild type, ALK-ATI (or a reciprocal transcript)
            if t3i == self.alk_idx and q3 < self.exon20_start - 20 < self.exon20_start + 20 < q3_last:
                stats.wildtype_fragments += 1
            return None
        other = set(np.unique(tx[rp < r3]).tolist()) - self.alk_ids
        before = rp < r3
        part = self._best_chain(rp[before], tp[before], tx[before], ng[before], other) if other else None
        if part is None:
            if r3 < self.p.min_unknown5 or np.count_nonzero(np.isin(tx[rp < r3], list(self.alk_ids))) > 5:
                return None
            x3 = self._snap3(r3, Segment(t3i, r3, r3_last + k, q3, 0, 0, 0))
            return Split(mate, ".", ".", -1, self.index.transcripts[t3i].t.id, q3 + x3 - r3, seq[:x3],
                         x3, len(seq) - x3, 0, x3, False)
        t5i, r5_first, _, r5, q5, _ = part
        region = seq[r5 : r3 + k]
        pseq, aseq = self.index.sequence(t5i), self.index.sequence(t3i)
        roff = max(0, q3 + k - len(region) - 40)
        coded = encode(region)
        _, _, le, rs, _ = refine_junction(coded, encode(pseq[q5 : q5 + len(region) + 40]),
                                          encode(aseq[roff : q3 + k]))
        t5, t3 = q5 + le, roff + rs
        at_end, at_start = self._ends(t5i), self._listed_starts(t3i)
        # Where the sides end: sequencing errors blur each side's last bases, so an exon boundary (or a
        # listed variant's ALK start) within ``snap`` bases is taken; further off (an insert whose first or
        # last bases happen to read like the next or previous exon: one gap and a few matches), the boundary
        # competes with the free end at a cost of LONG_INSIDE_EXON per side that breaks inside an exon.
        # Each hypothesis is aligned again with its sides fixed, so an indel near the junction cannot shift
        # the read positions of the insert.
        e5 = sorted(e for e in at_end if q5 < e and abs(e - t5) <= self.p.snap)
        b3 = sorted(b for b in at_start if roff <= b < q3 + k and abs(b - t3) <= self.p.snap)
        ends5 = [min(e5, key=lambda e: (abs(e - t5), e))] if e5 else sorted(
            {t5} | {e for e in at_end if q5 < e and abs(e - t5) <= LONG_BOUNDARY_REACH})
        starts3 = [min(b3, key=lambda b: (abs(b - t3), b))] if b3 else sorted(
            {t3} | {b for b in at_start if roff <= b < q3 + k and abs(b - t3) <= LONG_BOUNDARY_REACH})
        # A side moved onto its boundary over bases both genes could have read (EML4 ends ...CC, ALK reads
        # CC... at the break) takes them from the other side, or gives them: the other side moves as much.
        starts3, ends5 = sorted(set(starts3) | {t3 + e - t5 for e in ends5 if roff <= t3 + e - t5 < q3 + k}), \
            sorted(set(ends5) | {t5 + b - t3 for b in starts3 if q5 < t5 + b - t3 <= len(pseq)})
        best = None
        for e in ends5:
            for b in starts3:
                i, j, score = anchored_junction(coded, encode(pseq[q5:e]), encode(aseq[b : q3 + k]))
                inside = (e not in at_end) + (b not in at_start)
                key = (score - LONG_INSIDE_EXON * inside, -inside, -abs(e - t5) - abs(b - t3))
                if best is None or key > best[0]:
                    best = (key, e, b, i, j, inside)
        _, t5, t3, i, j, inside = best
        insert = region[i:j]
        if inside == 0 and len(insert) <= self.p.snap:
            insert = ""  # a few bases left between two boundaries are errors, not an insert
        tx5, t5, extra = self._to_canonical5(t5i, t5)
        ti5 = self.index.transcripts[tx5]
        return Split(mate, ti5.gene, ti5.t.id, t5, self.index.transcripts[t3i].t.id, t3, extra + insert,
                     r5 + i - r5_first + k, len(seq) - r3, 0, r5 + j, False)

    def wildtype(self, seg: Segment) -> bool:
        return (seg.tx == self.alk_idx and seg.tx_start <= self.exon20_start - self.p.wt_anchor
                and seg.tx_end >= self.exon20_start + self.p.wt_anchor)

    # -- the common case, cheaply ------------------------------------------------------------------------------
    def quick_internal(self, seqs: tuple[str, ...], stats: Stats) -> bool:
        """Count a fragment whose reads lie, as they are, on the canonical ALK transcript (<= 3 mismatches,
        found by their first 24 bases, else their last): wild type or ALK 3' expression, no fusion. Costs
        microseconds where classify costs milliseconds, which matters when a tumour expresses ALK highly.
        Returns False (and counts nothing) when any read needs the full look."""
        placed = []
        for seq in seqs:
            for s, rev in ((seq, False), (revcomp(seq), True)):
                at = self._place_on_alk(s)
                if at is not None:
                    placed.append((at, at + len(s), rev))
                    break
            else:
                return False
        e20, a = self.exon20_start, self.p.wt_anchor
        if any(lo <= e20 - a and hi >= e20 + a for lo, hi, _ in placed):
            stats.wildtype_fragments += 1
        elif len(placed) == 2 and min(x[0] for x in placed) < e20 - a and max(x[1] for x in placed) > e20 + a:
            stats.wildtype_fragments += 1
        stats.alk_internal_fragments += 1
        return True

    def _place_on_alk(self, s: str) -> int | None:
        """Where ``s`` lies whole on canonical ALK with <= 3 mismatches, found by its first 24 bases or, when
        they hold an error, its last 24 (a reverse read's high-quality 5' end: by the first 24 alone, 16% of
        the ALK fragments of a sample at 0.2% errors and 40% at 1% went to ``classify``). Placed by its last
        bases, a read whose first QUICK_GUARD bases cross an ALK exon or variant start is left to
        ``classify``: its mismatches there may be a short partner or insert part the caller can use."""
        alk, where, n = self._alk_seq, self._alk_24mers, len(s)
        at = where.get(s[:24])
        if at is None:
            at = where.get(s[-24:])
            if at is None:
                return None
            at -= n - 24
            i = bisect_right(self._alk_starts, at)
            if at < 0 or (i < len(self._alk_starts) and self._alk_starts[i] < at + QUICK_GUARD):
                return None
        ref = alk[at : at + n]
        return at if len(ref) == n and (s == ref or _mismatches(s, ref) <= 3) else None

    # -- one fragment --------------------------------------------------------------------------------------
    def classify(self, name: str, umi: str, seqs: tuple[str, ...], quals: tuple[str, ...],
                 stats: Stats) -> Fragment | Reciprocal | None:
        m, p = self.m, self.p
        tails = [poly_g_tail(s) for s in seqs]
        if any(tails):  # the fragment's reads as a two-colour instrument's signal gave them
            seqs = tuple(s[: len(s) - t] for s, t in zip(seqs, tails))
            quals = tuple(q[: len(q) - t] for q, t in zip(quals, tails))
        ends = fragment_ends(*seqs) if len(seqs) == 2 else (0, 0)
        if ends[0]:  # the reads ran past the fragment into adapter: keep the fragment's bases
            seqs, quals = tuple(s[:n] for s, n in zip(seqs, ends)), tuple(q[:n] for q, n in zip(quals, ends))
        if len(seqs) == 1 and len(seqs[0]) >= LONG_READ:
            sense, rev = m.orient(seqs[0])
            sp = self.long_split(sense, 0, stats)
            if sp is None:
                rec = self._long_reciprocal(name, umi, sense)
                if rec is None:
                    stats.alk_internal_fragments += 1
                return rec
            stats.split_fragments += 1
            return Fragment(name, umi, seqs, quals, (rev,), (sp,), None)
        oriented = [m.orient(s) for s in seqs]
        alk = [m.best_alk(s) for s, _ in oriented]
        if all(a is None for a in alk):
            # A fragment that ends a few bases into an ALK exon (fewer than k): its last read, read back; or
            # a single read in the transcript's sense that ends there.
            ways = [(i, revcomp(s), True) for i, s in enumerate(seqs)]
            if len(seqs) == 1:
                ways.append((0, seqs[0], False))
            for i, sense, back in ways:
                a = self._alk_end(sense)
                if a is not None:
                    oriented[i], alk[i] = (sense, back), a
                    if len(seqs) == 2:
                        oriented[1 - i] = (seqs[1 - i], False)
                    break
        if len(seqs) == 2 and (alk[0] is None) != (alk[1] is None):
            # The mate without ALK reads the fusion transcript on the other strand.
            i = 0 if alk[0] is None else 1
            rev = not oriented[1 - i][1]
            oriented[i] = (revcomp(seqs[i]) if rev else seqs[i], rev)
        internal = [a is not None and self._covers(s, a) for a, (s, _) in zip(alk, oriented)]
        internal = [x or (a is not None and self._prefix_is_alk(s, a) and (
            a.read_end >= len(s) - p.alk_tolerance or self._suffix_is_alk(s, a)))
            for x, a, (s, _) in zip(internal, alk, oriented)]
        if any(a is not None and self.wildtype(a) for a in alk):
            stats.wildtype_fragments += 1
        if len(seqs) == 2 and all(a is not None and a.tx == self.alk_idx for a in alk) and all(internal) \
                and oriented[0][1] != oriented[1][1]:
            lo = min(alk[0].tx_start, alk[1].tx_start)
            hi = max(alk[0].tx_end, alk[1].tx_end)
            if not any(self.wildtype(a) for a in alk) and lo < self.exon20_start - p.wt_anchor \
                    and hi > self.exon20_start + p.wt_anchor:
                stats.wildtype_fragments += 1
        splits = []
        for i, (a, (s, _)) in enumerate(zip(alk, oriented)):
            if a is not None and not internal[i]:
                sp = self.split_of(s, a, i)
                if sp is not None:
                    splits.append(sp)
        if len(seqs) == 2:
            splits = [self._extend_unknown(sp, oriented[sp.mate][0], oriented[1 - sp.mate][0])
                      if sp.gene5 == "." else sp for sp in splits]
        span = None
        if not splits and len(seqs) == 2:
            # An ALK read with fewer bases before its ALK segment than a split read needs is an ALK mate:
            # those bases are too few to be a partner part (a MiSeq read's last 9, at quality 8-20, had left
            # a v2 pair neither split nor spanning)
            mates = [x or (a is not None and a.read_start < p.min_anchor and len(s) - a.read_end <= p.alk_tolerance)
                     for x, a, (s, _) in zip(internal, alk, oriented)]
            span = self._span(oriented, alk, mates)
        elif len(seqs) == 2 and all(sp.gene5 == "." for sp in splits) and alk[1 - splits[0].mate] is None:
            # The mate of a read with an unknown 5' part may name the partner (long inserts such as v5b).
            span = self._partner_mate(oriented, splits[0].mate, alk[splits[0].mate])
        if not splits and span is None and len(seqs) == 2 and (alk[0] is None) != (alk[1] is None):
            # The mate of an ALK read holds partner bases, an insert and the first few bases of an ALK exon
            # (fewer than k), with too little partner to seed a spanning pair.
            i = 0 if alk[0] is None else 1
            a = self._alk_end(oriented[i][0])
            sp = self.split_of(oriented[i][0], a, i) if a is not None else None
            if sp is not None:
                splits.append(sp)
        if span is not None and not splits and 0 <= span.read_end5 < len(oriented[span.mate5][0]):
            # The partner mate reads on through an insert into the first bases of an ALK exon (fewer than k).
            sense = oriented[span.mate5][0]
            a = self._alk_end(sense)
            sp = self.split_of(sense, a, span.mate5) if a is not None and a.read_start >= span.read_end5 else None
            if sp is not None:
                splits.append(sp)
        if splits:
            stats.split_fragments += 1
        elif span is not None:
            stats.span_fragments += 1
        elif any(a is not None for a in alk) and all(x for x, a in zip(internal, alk) if a is not None):
            rec = self._reciprocal_pair(name, umi, oriented, alk)
            if rec is None:
                stats.alk_internal_fragments += 1
            return rec
        else:
            rec = self._reciprocal_split(name, umi, oriented, alk)
            if rec is not None:
                return rec
            # Partial: ALK with an unexplained part too short to resolve here, or a read that holds only a
            # partner-ALK junction k-mer (ALK part shorter than k). The caller aligns it to junctions.
            stats.partial_fragments += 1
        return Fragment(name, umi, seqs, quals, tuple(r for _, r in oriented), tuple(splits), span)

    # -- reciprocal transcripts (ALK 5', partner 3') -------------------------------------------------------
    def _partner_part(self, seq: str, or_exon_end: bool = False) -> tuple[Segment, list[Segment]] | None:
        """The longest segment of ``seq`` on a gene other than ALK (and all of them), when it is most of the
        read and not low-complexity; or (``or_exon_end``: short fragments of long-insert junctions, whose ALK
        part is shorter than k) a part of at least k bases from the read start that stops at an exon end."""
        segs = self.m.segments(seq, exclude=self.alk_ids)
        if not segs:
            return None
        part = _longest(segs)
        at_exon_end = or_exon_end and part.read_start <= 2 and part.length >= self.index.k and any(
            abs(part.tx_end - e) <= self.p.snap for e in self._ends(part.tx))
        if (part.length < max(self.p.min_anchor, len(seq) // 2) and not at_exon_end) \
                or low_complexity(seq[part.read_start:part.read_end]):
            return None
        return part, segs

    def _reciprocal(self, name: str, umi: str, tx: int, start: int, end: int, alk_tx: int, alk_start: int,
                    alk_end: int, split: bool, mate: str = "") -> Reciprocal:
        """A Reciprocal record from index transcript numbers and transcript positions."""
        ti = self.index.transcripts[tx]
        return Reciprocal(name, umi, ti.gene, ti.t.id, start, end, self.index.transcripts[alk_tx].t.id,
                          alk_start, alk_end, split, mate)

    def _place(self, seq: str, alk: Segment | None) -> str:
        """Where a read (fusion sense) lies, for telling PCR duplicates apart: its ALK segment's or its
        longest other segment's transcript and first base; '.' when it lies nowhere."""
        if alk is None:
            segs = self.m.segments(seq)
            if not segs:
                return "."
            alk = _longest(segs)
        return f"{self.index.transcripts[alk.tx].t.id}:{alk.tx_start}"

    def _long_reciprocal(self, name: str, umi: str, seq: str) -> Reciprocal | None:
        """A long read (fusion sense) whose canonical ALK chain of seeds starts near its start and is followed
        by a chain on another gene. Its places are those of the chains' outer seeds (within a few bases of
        the junction at 1-10% errors; the caller's comparison only needs the order)."""
        k = self.index.k
        rp, tx, tp, ng = self.m.seeds(seq)
        alk = self._best_chain(rp, tp, tx, ng, [self.alk_idx])
        if alk is None or alk[1] >= LONG_ALK_START or alk[5] == 0:
            return None
        after = rp > alk[3]
        other = set(np.unique(tx[after]).tolist()) - self.alk_ids
        part = self._best_chain(rp[after], tp[after], tx[after], ng[after], other) if other else None
        if part is None:
            return None
        return self._reciprocal(name, umi, part[0], part[2], part[4] + k, alk[0], alk[2], alk[4] + k, True, LONG_MATE)

    def _reciprocal_pair(self, name: str, umi: str, oriented, alk) -> Reciprocal | None:
        """A pair whose sense read lies in ALK and whose antisense mate lies in another gene: the mate is 3'
        of ALK, as in a reciprocal ALK::partner transcript (the reverse of ``_partner_mate``'s order)."""
        if len(oriented) != 2 or (alk[0] is None) == (alk[1] is None):
            return None
        i3 = 0 if alk[0] is not None else 1
        a = alk[i3]
        if a.tx != self.alk_idx or oriented[i3][1] or not oriented[1 - i3][1]:
            return None
        found = self._partner_part(oriented[1 - i3][0])
        if found is None:
            return None
        part = found[0]
        return self._reciprocal(name, umi, part.tx, part.tx_start, part.tx_end, a.tx, a.tx_start, a.tx_end, False)

    def _reciprocal_split(self, name: str, umi: str, oriented, alk) -> Reciprocal | None:
        """A read (fusion sense) that starts in canonical ALK, leaves it at an exon end (after a chance
        overshoot of up to ``snap`` bases) and reads on from an exon start of another gene to its end."""
        p = self.p
        for i, (a, (seq, _)) in enumerate(zip(alk, oriented)):
            if a is None or a.tx != self.alk_idx or a.read_start > p.alk_tolerance:
                continue
            e = max((x for x in self._ends(a.tx) if a.tx_end - p.snap <= x <= a.tx_end), default=None)
            if e is None:
                continue
            x = a.read_end - (a.tx_end - e)  # the read's first partner base
            if len(seq) - x < p.min_anchor:
                continue
            for part in self.m.segments(seq, exclude=self.alk_ids):
                t = part.tx_start + x - part.read_start
                if part.read_start <= x + p.snap and part.read_end >= len(seq) - p.alk_tolerance \
                        and t in self._starts(part.tx) and not low_complexity(seq[x:]):
                    mate = self._place(oriented[1 - i][0], alk[1 - i]) if len(oriented) == 2 else ""
                    return self._reciprocal(name, umi, part.tx, t, part.tx_end, a.tx, a.tx_start, e, True, mate)
        return None

    def _covers(self, seq: str, alk: Segment) -> bool:
        """ALK explains the read up to ``alk_tolerance`` unaligned bases: the segment ``alk``, or one on
        another ALK isoform (ALK-ATI reads from intron 19 into exon 20). When ``alk`` begins at an exon start
        (after a chance overshoot of up to ``snap`` bases) with ``min_anchor`` or more bases before it, those
        bases are what a split read shows: a segment covers the read then only if it reads them as its own
        isoform's bases (up to errors), not when a few of the partner's last bases happen to equal the bases
        before that exon in some isoform (10 bases of EML4 exon 13, the last 2 of them read as ALK-ATI's
        intron 19, left a v1 read 8 'unaligned' bases and no split). So does ALK read from an exon start
        over an indel a few bases in (``_gapped_start``) after at most that many bases: a read of a few
        inserted bases and ALK that lost its 12th base is an ALK mate, as it is without the indel."""
        tol = self.p.alk_tolerance
        x3 = self._snap3(alk.read_start, alk)
        if x3 < self.p.min_anchor or x3 + alk.tx_start - alk.read_start not in self._starts(alk.tx):
            if alk.length >= len(seq) - tol or self.m.alk_covers(seq, tol):
                return True
            gapped = self._gapped_start(seq, alk.read_start, alk, 0)
            return gapped is not None and gapped[0] + len(seq) - alk.read_end <= tol
        return any(s.length >= len(seq) - tol
                   and _reads_on_before(seq[: s.read_start], self.index.sequence(s.tx), s.tx_start)
                   for s in self.m.segments(seq, txs=self.alk_ids))

    def _prefix_is_alk(self, seq: str, alk: Segment) -> bool:
        """The read's bases before its ALK segment read on as the ALK bases just before the segment: up to
        a 3-base indel between them and one error per 10 bases (40 bases or fewer), or with edits (two from
        16 bases, one per 10 and one more from 30, ``_reads_on_before``: an ALK read with indels and errors
        that stopped the segment's extension; a strongly expressed ALK gives several such reads at one
        place). Not a partner. Also
        from the exon start the segment's start snaps to (``_snap3``): a wild-type read with two bases
        gained in exon 21's last 30 had its segment run back 4 bases over chance matches, leaving 26 bases
        (too few for edits) before it, and passed as ``unknown::ALK ?;A22`` (2 fragments beside v5b)."""
        aseq = self.index.sequence(alk.tx)
        x3 = self._snap3(alk.read_start, alk)
        return _reads_on_before(seq[: alk.read_start], aseq, alk.tx_start) or x3 != alk.read_start and \
            _reads_on_before(seq[:x3], aseq, alk.tx_start + x3 - alk.read_start)

    def _suffix_is_alk(self, seq: str, alk: Segment) -> bool:
        """The read's bases after its ALK segment read on as the ALK bases just after it (the same test as
        ``_prefix_is_alk``, read backwards): an ALK read whose indel or errors near its 3' end stopped the
        segment. Fusion-sense reads hold the partner before ALK, never after."""
        back = self._reversed.get(alk.tx)
        if back is None:
            back = self._reversed[alk.tx] = self.index.sequence(alk.tx)[::-1]
        return _reads_on_before(seq[alk.read_end :][::-1], back, len(back) - alk.tx_end)

    def _alk_end(self, sense: str) -> Segment | None:
        """An ALK segment for a fusion-sense read that ends with the first 10 to 2k bases of ALK exon 19, 20
        or 21 or a listed variant's ALK start (one mismatch allowed in 11 or more): the longest such end at
        the first of these starts that has one."""
        aseq, longest = self._alk_seq, min(2 * self.index.k, len(sense) - self.p.min_anchor)
        for start in self._end_starts:
            n = _end_fit(sense, aseq[start : start + longest], longest)
            if n:
                # not when another gene's transcript reads on through these bases (a chance match), on
                # either strand (10 bases of ALK exon 20 are RETSAT's antisense: a whole RETSAT read)
                if any(s.read_end >= len(sense) - 2 for s in self.m.segments(sense, exclude=self.alk_ids)) \
                        or any(s.read_start <= 2 for s in self.m.segments(revcomp(sense), exclude=self.alk_ids)):
                    return None
                wrong = _mismatches(sense[len(sense) - n :], aseq[start : start + n])
                return Segment(self.alk_idx, len(sense) - n, len(sense), start, wrong, 0, 1)
        return None

    @staticmethod
    def _extend_unknown(sp: Split, read: str, mate: str, probe5: int = 16, probe3: int = 8) -> Split:
        """An unknown 5' part made longer with the mate, when the mate (fusion sense) holds the bases around
        the read's break and reaches further 5': overlapping mates of a short fragment, where only one read
        has an ALK part long enough to seed but the other reaches the partner (EML4::ALK v5b: partner
        bases, a 117-base insert and ALK in one fragment)."""
        x3 = sp.read_break
        a = max(0, x3 - probe5)
        probe = read[a : x3 + probe3]
        if len(probe) < 20:
            return sp
        p = mate.find(probe)
        if p <= a or mate.find(probe, p + 1) >= 0:
            return sp
        prefix = mate[:p] + read[a:x3]
        # a fragment shorter than the mate: the mate reads the adapter before it (fusion sense)
        prefix = prefix[adapter_cut(prefix):]
        if len(prefix) <= len(sp.insert):
            return sp
        return Split(sp.mate, sp.gene5, sp.tx5, sp.end5, sp.tx3, sp.start3, prefix, len(prefix), sp.anchor3,
                     sp.mismatches, sp.read_break, sp.homolog)

    def _span(self, oriented, alk, internal) -> Span | None:
        i3 = next((i for i in (0, 1) if alk[i] is not None and internal[i]), None)
        if i3 is None or alk[1 - i3] is not None:
            return None
        a = alk[i3]
        if a.tx == self.alk_idx and a.tx_end <= self.exon19_start:
            return None
        return self._partner_mate(oriented, i3, a)

    def _partner_mate(self, oriented, i3: int, a: Segment) -> Span | None:
        """A Span when the mate of the ALK read ``i3`` lies inside a partner, oriented as in a fusion: the ALK
        read is the pair's antisense read, from the fragment's 3' end, so its mate lies 5' of it. A sense ALK
        read's mate lies 3' of ALK: a reciprocal ALK::partner transcript (ALK exons 1-19 and the partner's
        3' exons), whose pairs had made false pair-only EML4::ALK E15;A20 and NPM1::ALK E8;A20 calls."""
        ti3 = self.index.transcripts[a.tx]
        if not oriented[i3][1] or oriented[1 - i3][1]:
            return None
        s5 = oriented[1 - i3][0]
        found = self._partner_part(s5, or_exon_end=True)
        if found is None:
            return None
        part, segs = found
        gene = self.index.transcripts[part.tx].gene
        canon = self.index.canonical[gene].idx
        on_canon = [s for s in segs if s.tx == canon and s.length >= part.length - 5]
        if on_canon:
            part = max(on_canon, key=lambda s: s.length)
        ti5 = self.index.transcripts[part.tx]
        end, read_end = part.tx_end, part.read_end
        if read_end < len(s5):
            # The read goes on in other bases (inserted ones): a partner part that overshoots an exon end by
            # up to ``snap`` bases stops there, as in split reads (_resolve). The overshoot matched the
            # next exon by chance: a TMPRSS2::ALK with 90 inserted bases left pairs at 'E3;A20'.
            ends = self._ends(part.tx)
            back = next((b for b in range(1, self.p.snap + 1) if end - b in ends
                         and read_end - b > part.read_start), 0)
            if not back and end not in ends:  # further, when the bases past the exon end read poorly
                # (seed 1414, 50 bp: a v6 mate read 7 bases past EML4 exon 13 as exon 14's, 1 mismatch,
                # and the exon 13 end, before the mate's end, was no longer a hypothesis: E14;ins37A20)
                back = self._scored_back(s5, read_end, part.read_start, self.index.sequence(part.tx),
                                         end - read_end, ends)
            end, read_end = end - back, read_end - back
        return Span(gene, ti5.t.id, part.tx_start, end, ti3.t.id, a.tx_start, a.tx_end,
                    part.unique_seeds == 0 or a.unique_seeds == 0, 1 - i3, read_end)


def sample_fragment_lengths(batch, index: Index, params: ScanParams, stats: Stats) -> None:
    """Add the fragment lengths of a fixed, hash-chosen sample of the batch's pairs to ``stats``: the
    library's size distribution, which places the exons of junctions seen only in spanning pairs. The
    sample is chosen per pair, so it is the same whatever the batch, shard or thread layout."""
    if batch.r2 is None or not len(batch):
        return
    stats.add_fragment_lengths(index.pair_lengths(batch.r1, batch.r2, params.length_sample_bits))


class Prefilter:
    """The kernels that pick, from a raw batch, the fragments the scan looks at in Python: those with an
    ALK k-mer or that end a few bases into an ALK exon (``hit``), and reads that run from a panel partner's
    exon end into other bases (partner tails). Built once per scan; ``__call__`` is safe in threads."""

    def __init__(self, index: Index, params: ScanParams):
        from .kernels import scan_prefilter

        self.index, self.params = index, params
        self.table, self.bits = index.filter_table()
        self.tails = index.partner_tail_probes()
        # one kernel pass counts ALK k-mers and finds tails: its filter holds both kinds of k-mer
        self.words = scan_prefilter(self.table, self.bits, index.k, extra=self.tails.keys)
        self.end_probes, _ = index.alk_end_probes()
        self.short_ends = index.alk_short_ends()
        self.any_end_probes = np.union1d(self.end_probes, index.alk_short_fuzzy_probes())  # one pass, every read

    def __call__(self, batch) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """(per fragment: looked at as ALK evidence; per mate: the partner tails of its reads, as
        ``kernels.scan_reads_tails`` returns them)."""
        from .kernels import scan_reads, scan_reads_tails, starts_with_any

        p, k, tp = self.params, self.index.k, self.tails
        hit = np.zeros(len(batch), dtype=bool)
        tails = []
        for rr in mates_of(batch):
            h, *found = scan_reads_tails(rr.buf, rr.seq_start, rr.seq_len, self.table, self.bits, k, self.words,
                                         tp.keys, tp.rows, tp.words, tp.conts, tp.n_conts, TAIL_PROBE, TAIL_MIN_DIFF)
            tails.append(tuple(found))
            if p.stride > 1:  # ALK k-mers at every stride-th position only
                h = scan_reads(rr.buf, rr.seq_start, rr.seq_len, self.table, self.bits, k, p.stride, self.words)
            hit |= h >= p.min_kmer_hits
            # Fragment ends a few bases into ALK: every read against both probe sets at once (one pass; the
            # look-up table of the probes' first bases is 4^lo bytes, so lo stays 10: 1 MB), then the few that
            # start like one against each. An end of 12-15 ALK bases with a misread one
            # (index.ALK_END_SHORT_FUZZY) counts for a partner tail, or a read that doubts that base.
            ends = np.flatnonzero(starts_with_any(rr.buf, rr.seq_start, rr.seq_len, self.any_end_probes,
                                                  ALK_END_MIN, PROBE_MAX))
            if len(ends):
                exact = starts_with_any(rr.buf, rr.seq_start[ends], rr.seq_len[ends], self.end_probes, ALK_END_MIN,
                                        PROBE_MAX)
                hit[ends[exact]] = True
                for j in ends[~exact]:
                    if not hit[j]:
                        hit[j] = found[0][j] >= 0 or self._doubtful_end(rr.seq(j), rr.qual(j))
            if batch.r2 is None:
                # A single read in the transcript's sense ends where its fragment ends, if it does: read back,
                # a partner tail starts with the ALK bases the probes look for (no mate reads them; a
                # single-end v6 read ending in 16 ALK bases, the last misread, was a partner tail only).
                sense = np.flatnonzero((found[0] >= 0) & (found[2] == 0))
                if len(sense):
                    back = [revcomp(rr.seq(j)).encode() for j in sense]
                    lens = np.array([len(b) for b in back], dtype=np.int64)
                    hit[sense] |= starts_with_any(np.frombuffer(b"".join(back), np.uint8),
                                                  np.concatenate(([0], np.cumsum(lens)[:-1])), lens,
                                                  self.any_end_probes, ALK_END_MIN, PROBE_MAX)
        return hit, tails

    def _doubtful_end(self, read: str, qual: str) -> bool:
        """Does ``read`` start with one of ``short_ends`` but for one base whose quality is under 20?"""
        for end in self.short_ends:
            wrong = [i for i, (a, b) in enumerate(zip(read, end)) if a != b]
            if len(read) >= len(end) and len(wrong) == 1 and ord(qual[wrong[0]]) - 33 < DOUBTFUL_QUALITY:
                return True
        return False

    @staticmethod
    def kept(hit, tails) -> np.ndarray:
        """Fragments the Python part of the scan looks at."""
        keep = hit.copy()
        for end, _, _ in tails:
            keep |= end >= 0
        return keep


def mates_of(batch) -> tuple:
    return (batch.r1,) if batch.r2 is None else (batch.r1, batch.r2)


def partner_tail(index: Index, name: str, mate: int, read: str, end: int, row: int, rev: bool) -> PartnerTail | None:
    """The PartnerTail of a read that ``kernels.scan_reads_tails`` reported (None when adapter read-through
    leaves fewer than TAIL_PROBE bases after the exon end)."""
    sense = revcomp(read) if rev else read
    tail = sense[end:]
    tail = tail[: read_through_start(tail)]
    if len(tail) < TAIL_PROBE:
        return None
    tx, exon_end = index.partner_tail_probes().ends[row]
    ti = index.transcripts[tx]
    return PartnerTail(name, mate, ti.gene, ti.t.id, exon_end, end, tail)


def scan_batches(batches: Iterable, index: Index, params: ScanParams = ScanParams(),
                 sample_lengths: bool = True) -> Evidence:
    """Scan read batches (from ``alkfuse.reads.iter_batches``) into evidence. ``sample_lengths=False``
    when the caller has measured fragment lengths on the whole batches already (``pipeline``)."""
    pick = Prefilter(index, params)
    clf = Classifier(index, params)
    ev = Evidence(index.checksum(), index.k)
    st = ev.stats
    for batch in batches:
        mates = mates_of(batch)
        hit, tails = pick(batch)
        st.bases += sum(int(rr.seq_len.sum()) for rr in mates)
        if sample_lengths:
            sample_fragment_lengths(batch, index, params, st)
        st.fragments += len(batch)
        st.reads += len(batch) * len(mates)
        for j in np.flatnonzero(hit):
            st.alk_kmer_fragments += 1
            seqs = tuple(rr.seq(j) for rr in mates)
            if params.quick and len(seqs[0]) < LONG_READ and clf.quick_internal(seqs, st):
                continue
            name = batch.r1.name(j)
            frag = clf.classify(name, umi_of(name, batch.r1.header(j)), seqs, tuple(rr.qual(j) for rr in mates), st)
            if isinstance(frag, Reciprocal):
                st.reciprocal_fragments += 1
                ev.reciprocal.append(frag)
            elif frag is not None:
                ev.fragments.append(frag)
        for m, (rr, (end, row, rev)) in enumerate(zip(mates, tails)):
            for j in np.flatnonzero((end >= 0) & ~hit):
                t = partner_tail(index, batch.r1.name(j), m, rr.seq(j), int(end[j]), int(row[j]), bool(rev[j]))
                if t is not None:
                    st.tail_reads += 1
                    ev.tails.append(t)
    return ev.sorted()
