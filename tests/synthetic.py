"""A synthetic panel reference: a small genome with ALK, partners, a paralog and background genes.

Genes carry real symbols and the panel's canonical transcript ids, so naming (exon numbers, named
variants) works as on a real reference. Exons are random sequence placed with introns between them.
Coordinates in the GTF are 1-based closed, as GTF requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alkfuse.seq import revcomp


@dataclass
class Gene:
    name: str
    tid: str
    chrom: str
    strand: str
    n_exons: int


GENES = [
    Gene("ALK", "ENST00000389048", "chr2", "-", 29),
    Gene("EML4", "ENST00000318522", "chr2", "+", 23),
    Gene("NPM1", "ENST00000296930", "chr5", "+", 11),
    Gene("KIF5B", "ENST00000302418", "chr10", "-", 26),
    Gene("CLTC", "ENST00000269122", "chr17", "+", 32),
    Gene("LTK", "ENST00000263800", "chr15", "-", 20),
] + [Gene(f"BG{i}", f"ENSTBG{i:07d}", "chr1" if i % 2 else "chr3", "+-"[i % 2], 6 + i % 5) for i in range(1, 13)]

ATI_ID = "ENST00000431873"
SHARED_WITH_LTK = 60  # bases of ALK exon 23 copied into LTK exon 15 (a homology trap)


def _rand(rng, n):
    return "".join(rng.choice(list("ACGT"), n))


def make_reference(out: Path, seed: int = 7) -> dict[str, Path]:
    """Write genome.fa, annotation.gtf, transcripts.fa under ``out``; return their paths."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    contigs: dict[str, list[str]] = {}
    gtf_rows: list[str] = []
    tx_fasta: list[str] = []
    alk_exon23 = None
    for g in GENES:
        exons = [_rand(rng, int(rng.integers(90, 180))) for _ in range(g.n_exons)]
        if g.name == "ALK":
            alk_exon23 = exons[22]
            exons[-1] = exons[-1] + _rand(rng, 300)  # a longer 3' UTR
        if g.name == "LTK":
            exons[14] = exons[14][:20] + alk_exon23[:SHARED_WITH_LTK] + exons[14][20:]
        introns = [_rand(rng, int(rng.integers(150, 400))) for _ in range(g.n_exons - 1)]
        seq = contigs.setdefault(g.chrom, [_rand(rng, 500)])
        offset = sum(len(x) for x in seq)
        # Build the gene in transcript orientation, then place it on the contig.
        parts, spans, pos = [], [], 0
        for i, ex in enumerate(exons):
            spans.append((pos, pos + len(ex)))
            parts.append(ex)
            pos += len(ex)
            if i < len(introns):
                parts.append(introns[i])
                pos += len(introns[i])
        body = "".join(parts)
        ati_span = None
        if g.name == "ALK":
            # ALK-ATI: a first exon inside intron 19 (50 bases ending 400 bases before exon 20 ... or less)
            i19_end = spans[19][0]
            a_end = i19_end - 60
            ati_span = (a_end - 50, a_end)
        glen = len(body)
        if g.strand == "-":
            body = revcomp(body)
            place = lambda s, e: (offset + glen - e, offset + glen - s)  # noqa: E731
        else:
            place = lambda s, e: (offset + s, offset + e)  # noqa: E731
        seq.append(body)
        seq.append(_rand(rng, 600))
        gstart, gend = place(0, glen)
        attrs = f'gene_id "G_{g.name}"; gene_name "{g.name}";'
        gtf_rows.append(f"{g.chrom}\tsynth\tgene\t{gstart + 1}\t{gend}\t.\t{g.strand}\t.\t{attrs}")
        txs = [(g.tid, spans, exons)]
        if ati_span is not None:
            ati_seq = body if g.strand == "+" else revcomp(body)
            ati_exon1 = ati_seq[ati_span[0] : ati_span[1]]
            txs.append((ATI_ID, [ati_span] + spans[19:], [ati_exon1] + exons[19:]))
        for tid, tspans, texons in txs:
            tattrs = f'{attrs} transcript_id "{tid}"; transcript_version "1";'
            tg = [place(s, e) for s, e in tspans]
            lo, hi = min(s for s, _ in tg), max(e for _, e in tg)
            gtf_rows.append(f"{g.chrom}\tsynth\ttranscript\t{lo + 1}\t{hi}\t.\t{g.strand}\t.\t{tattrs}")
            for n, (s, e) in enumerate(tg, 1):
                gtf_rows.append(f'{g.chrom}\tsynth\texon\t{s + 1}\t{e}\t.\t{g.strand}\t.\t{tattrs} exon_number "{n}";')
            # CDS: from base 30 of the first exon to 40 bases before the end of the last exon
            cds_tx = (30, sum(e - s for s, e in tspans) - 40)
            for n, ((s, e), (ts, te)) in enumerate(zip(tg, _tx_bounds(tspans)), 1):
                cs, ce = max(ts, cds_tx[0]), min(te, cds_tx[1])
                if cs >= ce:
                    continue
                if g.strand == "+":
                    gs, ge = s + (cs - ts), s + (ce - ts)
                else:
                    gs, ge = e - (ce - ts), e - (cs - ts)
                gtf_rows.append(f"{g.chrom}\tsynth\tCDS\t{gs + 1}\t{ge}\t.\t{g.strand}\t0\t{tattrs}")
            tx_fasta.append(f">{tid}.1 synthetic gene:{g.name}\n{''.join(texons)}\n")
    paths = {"genome": out / "genome.fa", "gtf": out / "annotation.gtf", "transcripts": out / "transcripts.fa"}
    with open(paths["genome"], "w") as fh:
        for name in sorted(contigs):
            s = "".join(contigs[name])
            fh.write(f">{name}\n")
            for i in range(0, len(s), 70):
                fh.write(s[i : i + 70] + "\n")
    paths["gtf"].write_text("#!genome-build synthetic-1\n" + "\n".join(gtf_rows) + "\n")
    paths["transcripts"].write_text("".join(tx_fasta))
    return paths


def _tx_bounds(spans):
    out, pos = [], 0
    for s, e in spans:
        out.append((pos, pos + e - s))
        pos += e - s
    return out
