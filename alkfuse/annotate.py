"""Annotate a supported junction: exons, notation, named variant, genome breakpoints, frame, sequence.

Notation (HGNC style, 5' partner first): ``E13;A20`` partner exon 13 joined to ALK exon 20;
``E6;ins33A20`` with 33 inserted bases; ``E14;del12A20`` ALK side starting 12 bases into exon 20;
``E13-25;A20`` partner side ending 25 bases before the end of exon 13 (a break inside an exon);
``?;A20`` an unknown partner (its sequence is in ``fusion_sequence``).
Genome breakpoints are 1-based ``chrom:pos:strand``: the last partner base and the first ALK base.
"""

from __future__ import annotations

from .evidence import LONG_MATE
from .index import KINASE, Index
from .panel import Panel
from .seq import low_complexity

SEQ_FLANK = 50
STOPS = {"TAA", "TAG", "TGA"}


def exon_of(bounds: list[tuple[int, int]], pos: int) -> int:
    """1-based number of the exon holding transcript position ``pos``."""
    for n, (s, e) in enumerate(bounds, 1):
        if s <= pos < e:
            return n
    return len(bounds)


def side3(bounds3: list[tuple[int, int]], start3: int) -> tuple[int, int, str]:
    """ALK exon number, bases deleted from its start, and notation (``A20``, ``del12A20``) of ALK start ``start3``."""
    n3 = exon_of(bounds3, start3)
    del3 = start3 - bounds3[n3 - 1][0]
    return n3, del3, (f"A{n3}" if del3 == 0 else f"del{del3}A{n3}")


def side5(bounds5: list[tuple[int, int]], end5: int) -> tuple[int, int, str]:
    """Partner exon number, bases short of its end, and notation (``E13``, ``E13-25``) of partner end ``end5``."""
    n5 = exon_of(bounds5, end5 - 1)
    short5 = bounds5[n5 - 1][1] - end5
    return n5, short5, (f"E{n5}" if short5 == 0 else f"E{n5}-{short5}")


class Annotator:
    def __init__(self, index: Index, panel: Panel):
        self.index = index
        self.panel = panel

    def label(self, tx5, end5: int, insert_length: int, tx3, start3: int) -> tuple[str, str]:
        """Notation and listed variant name ('.' when none) of the junction of partner transcript ``tx5``
        ending at ``end5`` to ALK transcript ``tx3`` starting at ``start3`` with ``insert_length`` bases between."""
        n5, short5, s5 = side5(tx5.t.exon_bounds(), end5)
        n3, del3, s3 = side3(tx3.t.exon_bounds(), start3)
        ins = f"ins{insert_length}" if insert_length else ""
        # Imprecise calls come here with the exons and insert length place_imprecise chose.
        name = self.panel.name_variant(tx5.gene, n5, KINASE, n3, insert_length, del3) if short5 == 0 else None
        return f"{s5};{ins}{s3}", name or "."

    def make_call(self, j, kept, dups: int, wildtype: int):
        from .caller import Call

        ix = self.index
        alk = ix.alk
        tx3 = ix.transcripts[j.tx3]
        start3 = j.start3
        if tx3.idx != alk.idx:
            p = alk.t.to_transcript(tx3.t.to_genome(start3))
            if p is not None:
                tx3, start3 = alk, p
        n3, del3, alk_side = side3(tx3.t.exon_bounds(), start3)
        ins = j.insert
        g3 = tx3.t.to_genome(start3)
        bp3 = f"{tx3.t.chrom}:{g3 + 1}:{tx3.t.strand}"
        alk_seq = ix.sequence(tx3.idx)
        right = alk_seq[start3 : start3 + SEQ_FLANK]
        if j.tx5 < 0:
            gene5, tid5, exon5, bp5, g5 = "unknown", ".", ".", ".", -1
            junction = f"?;{'ins' + str(len(ins)) if ins else ''}{alk_side}"
            chrom5 = strand5 = "."
            left = j.seq5[-SEQ_FLANK:]
            frame, variant, role = ".", ".", "unknown"
            lowc = low_complexity(j.seq5[-30:])
        else:
            tx5 = ix.transcripts[j.tx5]
            gene5, tid5 = tx5.gene, tx5.t.versioned_id
            n5, short5, _ = side5(tx5.t.exon_bounds(), j.end5)
            exon5 = str(n5) if short5 == 0 else "."
            junction, variant = self.label(tx5, j.end5, len(ins), tx3, start3)
            if j.alternatives and any(name != "." for _, name in [(junction, variant), *j.alternatives]):
                # spanning pairs that fit other junctions nearly as well: every one the name could be
                variant = "|".join(name if name != "." else note for note, name in [(junction, variant), *j.alternatives])
            g5 = tx5.t.to_genome(j.end5 - 1)
            chrom5, strand5 = tx5.t.chrom, tx5.t.strand
            bp5 = f"{chrom5}:{g5 + 1}:{strand5}"
            seq5 = ix.sequence(tx5.idx)
            left = seq5[max(0, j.end5 - SEQ_FLANK) : j.end5]
            frame = self._frame(tx5, j.end5, ins, tx3, start3, seq5, alk_seq)
            pg = self.panel.gene(gene5)
            role = pg.role if pg else "other"
            shown = ins.replace("N", "")  # bases no read covered are N
            lowc = low_complexity(left[-20:]) or (len(shown) >= 10 and low_complexity(shown))
        exon3 = str(n3) if del3 == 0 else "."
        fusion_sequence = f"{left}|{ins}|{right}" if ins else f"{left}|{right}"

        from .scan import LONG_READ

        split_reads, positions, a5, a3, mm, nreads, homolog = 0, set(), 0, 0, 0, 0, True
        doubtful = 0  # mismatches on bases their reads doubt (JunctionHit.doubtful)
        long_reads = 0
        aligned = 0
        spanning = 0
        for f, kind, hits in kept:
            if kind == "span":
                spanning += 1
                homolog = homolog and f.span.homolog
                continue
            found = [h for h in hits if h is not None]
            own = [s for s in f.splits]
            long = max(map(len, f.seqs)) >= LONG_READ and bool(found or own)
            if long:
                long_reads += 1
                positions.add(("long read", f.name))  # full-length reads share their ends: each is distinct
                if own:  # its anchors are the gapped chains of seeds each side, not an ungapped placement's
                    a5, a3 = max(a5, own[0].anchor5), max(a3, own[0].anchor3)
            for h in found:
                split_reads += 1
                if not long:
                    positions.add(h.diag)
                a5, a3 = max(a5, h.anchor5), max(a3, h.anchor3)
                mm += h.mismatches
                doubtful += h.doubtful
                aligned += h.read_end - h.read_start
                nreads += 1
            if not found and own:
                split_reads += 1
                if not long:
                    positions.add(own[0].read_break - own[0].anchor5)
                a5, a3 = max(a5, own[0].anchor5), max(a3, own[0].anchor3)
                mm += own[0].mismatches
                aligned += own[0].anchor5 + len(own[0].insert) + own[0].anchor3
                nreads += 1
            homolog = homolog and (all(s.homolog for s in own) if own else False)
        unique = len(kept)
        return Call(
            fusion=f"{gene5}::{KINASE}",
            gene5=gene5,
            gene3=KINASE,
            transcript5=tid5,
            transcript3=tx3.t.versioned_id,
            exon5=exon5,
            exon3=exon3,
            junction=junction,
            known_variant=variant,
            breakpoint5=bp5,
            breakpoint3=bp3,
            inserted_sequence=ins or ".",
            split_reads=split_reads,
            spanning_pairs=spanning,
            unique_fragments=unique,
            wildtype_fragments=wildtype,
            confidence="low",
            reading_frame=frame,
            filters=[],
            fusion_sequence=fusion_sequence,
            fusion_fraction=round(unique / (unique + wildtype), 4) if unique + wildtype else 0.0,
            duplicates=dups,
            distinct_split_positions=len(positions),
            max_anchor5=a5,
            max_anchor3=a3,
            mismatches_per_read=round(mm / nreads, 2) if nreads else 0.0,
            mismatches_per_100_bases=round(100 * mm / aligned, 2) if aligned else 0.0,
            sure_mismatches=mm - doubtful,
            sure_mismatches_per_100_bases=round(100 * (mm - doubtful) / aligned, 2) if aligned else 0.0,
            precise=j.precise,
            homolog_only=homolog,
            low_complexity=lowc,
            confidence_reason="",
            inference=j.inferred,
            long_reads=long_reads,
            partner_role=role,
            chrom5=chrom5,
            chrom3=tx3.t.chrom,
            strand5=strand5,
            strand3=tx3.t.strand,
            gpos5=g5,
            gpos3=g3,
            supporting_reads=sorted(f.name for f, _, _ in kept),
            insert_length=len(ins),
            deletion3=del3,
        )

    @staticmethod
    def frame_of(tx5, end5: int, insert_length: int, tx3, start3: int) -> str:
        """in-frame / out-of-frame from the CDS starts alone ('.' when either is unknown or not reached)."""
        c5, c3 = tx5.t.cds_start, tx3.t.cds_start
        if c5 is None or c3 is None or end5 <= c5 or start3 < c3:
            return "."
        return "out-of-frame" if (end5 - c5 + insert_length) % 3 != (start3 - c3) % 3 else "in-frame"

    @staticmethod
    def _frame(tx5, end5, ins, tx3, start3, seq5, seq3) -> str:
        c5, c3 = tx5.t.cds_start, tx3.t.cds_start
        if c5 is None or c3 is None or end5 <= c5 or start3 < c3:
            return "."
        if (end5 - c5 + len(ins)) % 3 != (start3 - c3) % 3:
            return "out-of-frame"
        fused = seq5[c5:end5] + ins + seq3[start3 : start3 + 30]
        for i in range(0, len(fused) - 2, 3):
            if fused[i : i + 3] in STOPS:
                return "stop-codon"
        return "in-frame"


def count_reciprocal(calls, reciprocal, index: Index, overshoot: int = 4) -> None:
    """Set each named partner's call's ``reciprocal_fragments`` (and ``reciprocal_reads``, their names): the
    fragments of a reciprocal ALK::partner transcript (``evidence.Reciprocal``) that fit it: their partner
    bases begin after the call's last partner base and their ALK bases end before its first ALK base, in
    transcript direction (the other derivative of the rearrangement joins what the call's junction left
    out), give or take ``overshoot`` bases (a read's first partner bases may equal the ALK bases before by
    chance: ``ScanParams.snap``). Fragments with the same UMI, kind and positions (both reads') count once
    (PCR duplicates), as a call's own fragments do; long reads once per UMI, or each once without one."""
    placed: dict[str, list[tuple[int, int, tuple, str]]] = {}  # gene -> (partner, ALK genome place, key, name)
    for r in reciprocal:
        if r.tx in index.by_id and r.alk_tx in index.by_id:
            placed.setdefault(r.gene, []).append((
                index.by_id[r.tx].t.to_genome(min(r.start + overshoot, r.end - 1)),
                index.by_id[r.alk_tx].t.to_genome(max(r.alk_end - 1 - overshoot, r.alk_start)),
                _reciprocal_key(r), r.name))
    for c in calls:
        if c.gpos5 < 0:
            continue
        sign5 = 1 if c.strand5 == "+" else -1
        sign3 = 1 if c.strand3 == "+" else -1
        seen: dict[tuple, str] = {}
        for g5, g3, key, name in placed.get(c.gene5, ()):
            if sign5 * (g5 - c.gpos5) > 0 and sign3 * (g3 - c.gpos3) < 0:
                seen[key] = min(seen.get(key, name), name)
        c.reciprocal_fragments = len(seen)
        c.reciprocal_reads = sorted(seen.values())


def _reciprocal_key(r) -> tuple:
    """Reciprocal records with one key are PCR duplicates of one fragment."""
    if r.mate == LONG_MATE:  # full-length reads share their ends by nature: once per UMI
        return (LONG_MATE, r.umi) if r.umi else (LONG_MATE, r.name)
    return (r.umi, r.split, r.alk_tx, r.alk_start, r.tx, r.end, r.mate)


def reciprocal_by_partner(reciprocal) -> dict[str, int]:
    """Fragments of reciprocal ALK::partner transcripts per partner gene (PCR duplicates once), whether or
    not a partner::ALK call is beside them."""
    keys: dict[str, set] = {}
    for r in reciprocal:
        keys.setdefault(r.gene, set()).add(_reciprocal_key(r))
    return {g: len(k) for g, k in sorted(keys.items())}
