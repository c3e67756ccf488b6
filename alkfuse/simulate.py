"""Seeded, deterministic read simulator for benchmarks and integration tests.

``simulate`` writes reads from fusion transcripts, background transcripts, wild-type ALK, ALK-ATI and
low-level noise chimeras, plus a ``truth.tsv`` of the fusions it put in. Same arguments and seed give
the same bytes (gzip with mtime 0).

Library model (short reads): a fragment is a piece of a transcript whose length is drawn from normal(mean,
sd), at least half a read; R1 reads the fragment's start forward and R2 the reverse complement of its end
(Illumina FR); fragments shorter than a read run into the adapter and then random bases. The library is
unstranded: for half of the fragments R1 and R2 swap; ``strand="reverse"`` makes R1 read the transcript's
reverse strand always (dUTP / TruSeq Stranded), ``"forward"`` its forward strand (ligation kits); the same
draws are made either way, so a seed gives the same fragments in every mode. A fusion's ``@N`` is N
*supporting* fragments, as a fusion caller counts them: each has a read crossing the junction (insert
included) with at least MIN_ANCHOR bases on each gene, or one mate wholly on each gene (a spanning pair).
Fusion fragments are drawn from the whole fusion transcript like any fragment (length from the library, start
uniform) until N of them support the junction, and all drawn are written: the fusion is expressed at the level
that gives N supporting fragments, and the library also holds its fragments that support nothing by that
definition (a read reaching only into an insert, the junction in the unsequenced middle, or nowhere near the
junction), as a real library does. Long reads (``long_reads=True``) are 1-20 kb pieces of a transcript in
either orientation with ~1% errors, written to ``reads.fa.gz``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import click
import numpy as np
from isal import igzip

from .adapters import KITS, read_through_pair
from .annotation import Transcript, attach_sequences, default_canonical, read_gtf
from .errors import AlkfuseError, InputError, ReferenceError_
from .panel import load_panel
from .seq import revcomp

ALK_CANONICAL = ("ENST00000389048", "NM_004304")
ATI_TRANSCRIPT = "ENST00000431873"  # starts inside ALK intron 19, like the ALK-ATI isoform
MIN_ANCHOR = 10  # bases each side for a read to count as crossing the junction in the truth

TRUTH_COLUMNS = (
    "fusion gene5 gene3 transcript5 transcript3 exon5 exon3 junction known_variant breakpoint5 "
    "breakpoint3 inserted_sequence deletion fragments split_fragments spanning_pairs across_fragments "
    "fusion_fragments"
).split()

_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
_CODE = np.zeros(256, dtype=np.uint8)  # non-ACGT counts as A when choosing a substitute base
for _i, _b in enumerate(b"ACGT"):
    _CODE[_b] = _i


@dataclass(frozen=True)
class FusionSpec:
    """One fusion to simulate: 5' partner exon ``exon5`` joined to ``exon3`` of ``gene3``.

    ``insert``: bases between the two; ``deletion``: bases removed from the start of the 3' exon;
    ``partner_deletion``: bases removed from the end of the 5' exon (a break inside the exon).
    ``random_insert``: the insert was drawn at random, so the simulator may change its end bases to keep
    the junction unambiguous (see ``build_fusion``).
    """

    gene5: str
    exon5: int
    gene3: str = "ALK"
    exon3: int = 20
    insert: str = ""
    deletion: int = 0
    fragments: int = 10
    name: str | None = None
    partner_deletion: int = 0
    random_insert: bool = False


_SPEC_NAMED = re.compile(r"^([\w.-]+)::([\w.-]+):([^:@]+)((?::[^:@]+)*)@(\d+)$")
_SPEC_EXONS = re.compile(r"^([\w.-]+):(\d+):([\w.-]+):(\d+)((?::[^:@]+)*)@(\d+)$")
_SPEC_OPTION = re.compile(r"^(ins|del|pdel)(=?)(\w+)$")


def parse_fusion_spec(text: str, panel=None, seed: int = 1) -> FusionSpec:
    """Parse a fusion spec.

    Grammar (``@N`` = number of fragments that contain the junction)::

        GENE5::GENE3:VARIANT[:OPTION...]@N        a named variant of the panel: EML4::ALK:v3b@5,
                                                  NPM1::ALK:E4;A20@2
        GENE5:EXON5:GENE3:EXON3[:OPTION...]@N     exon numbers of the canonical transcripts: EML4:13:ALK:20@3
        OPTION:  ins=ACGT   these bases inserted at the junction     KIF5B:24:ALK:20:ins=ACGTTA@2
                 insN       N random bases inserted                   EML4:14:ALK:20:ins11:del49@4
                 delN       N bases removed from the 3' exon's start
                 pdel=N     N bases removed from the 5' exon's end    TPM3:7:ALK:20:pdel=10@5

    Random insert bases (``insN``, or a named variant's insert without ``ins=``) are drawn from a
    generator seeded by ``seed`` and the spec text, so a spec always gives the same bases.
    """
    rng = np.random.default_rng([seed, zlib.crc32(text.encode())])
    m = _SPEC_NAMED.match(text)
    if m:
        gene5, gene3, name, options, fragments = m.groups()
        if panel is None:
            raise InputError(f"fusion spec {text!r}: named variants need the panel")
        found = [v for v in panel.variants if (v.gene5, v.gene3, v.name) == (gene5, gene3, name)]
        if not found:
            names = sorted(v.name for v in panel.variants if (v.gene5, v.gene3) == (gene5, gene3))
            raise InputError(
                f"fusion spec {text!r}: no variant {name!r} of {gene5}::{gene3} in the panel "
                f"(known: {', '.join(names) or 'none'})"
            )
        v = found[0]
        fields = dict(
            exon5=v.exon5, exon3=v.exon3, insert=_random_bases(rng, v.insert_length), deletion=v.deletion_length,
            random_insert=v.insert_length > 0,
        )
    else:
        m = _SPEC_EXONS.match(text)
        if not m:
            raise InputError(
                f"fusion spec {text!r} is not GENE5::GENE3:VARIANT@N or GENE5:EXON5:GENE3:EXON3[:ins=SEQ|"
                ":insN|:delN|:pdel=N]@N (e.g. EML4:13:ALK:20@3)"
            )
        gene5, exon5, gene3, exon3, options, fragments = m.groups()
        name = None
        fields = dict(exon5=int(exon5), exon3=int(exon3))
    for option in filter(None, options.split(":")):
        om = _SPEC_OPTION.match(option)
        if not om:
            raise InputError(f"fusion spec {text!r}: unknown option {option!r} (ins=SEQ, insN, delN, pdel=N)")
        key, equals, value = om.groups()
        if key == "ins" and equals:
            if not set(value.upper()) <= set("ACGT"):
                raise InputError(f"fusion spec {text!r}: insert {value!r} is not ACGT bases")
            if name is not None and len(value) != len(fields["insert"]):
                raise InputError(f"fusion spec {text!r}: {name} has a {len(fields['insert'])}-base insert")
            fields["insert"], fields["random_insert"] = value.upper(), False
        elif not value.isdigit():
            raise InputError(f"fusion spec {text!r}: {option!r} needs a number")
        elif key == "ins":
            fields["insert"], fields["random_insert"] = _random_bases(rng, int(value)), int(value) > 0
        else:
            fields["deletion" if key == "del" else "partner_deletion"] = int(value)
    return FusionSpec(gene5=gene5, gene3=gene3, fragments=int(fragments), name=name, **fields)


def _random_bases(rng: np.random.Generator, n: int) -> str:
    return _BASES[rng.integers(0, 4, n)].tobytes().decode()


def junction_name(spec: FusionSpec) -> str:
    """Exon-level notation: ``E13;A20``, ``E14;ins11del49A20``, ``E13-10;A20`` (break 10 bases into exon 13)."""
    left = f"E{spec.exon5}" + (f"-{spec.partner_deletion}" if spec.partner_deletion else "")
    middle = (f"ins{len(spec.insert)}" if spec.insert else "") + (f"del{spec.deletion}" if spec.deletion else "")
    return f"{left};{middle}A{spec.exon3}"


def panel_canonical(panel, genes, sequences: dict[str, str]) -> dict[str, str]:
    """Gene -> the panel's canonical transcript id that the reference holds (genes the panel lacks are left out)."""
    out = {}
    for gene in genes:
        present = [i for i in panel.canonical_ids(gene) if i in sequences]
        if present:
            out[gene] = present[0]
    return out


def choose_transcript(
    gene: str, by_gene: dict[str, list[Transcript]], sequences: dict[str, str], canonical: dict[str, str]
) -> Transcript:
    """The canonical transcript of ``gene`` if the reference holds it, else the one an index names after the
    gene (``annotation.default_canonical``: GTF tag, else longest coding, else longest) among those with a
    sequence. Picking the longest instead gave EWSR1 exon numbers of a 12-exon transcript while calls
    use the 17-exon Ensembl canonical one."""
    candidates = [t for t in by_gene.get(gene, ()) if t.id in sequences]
    if not candidates:
        raise ReferenceError_(f"gene {gene} has no transcript with a sequence in the reference")
    wanted = [canonical[gene]] if gene in canonical else list(ALK_CANONICAL if gene == "ALK" else ())
    for t in candidates:
        if t.id in wanted:
            return t
    return default_canonical(candidates)


@dataclass(frozen=True)
class FusionTruth:
    """A simulated fusion transcript: ``sequence[:end5]`` is the partner, ``sequence[start3:]`` the 3' gene."""

    spec: FusionSpec
    transcript5: Transcript
    transcript3: Transcript
    sequence: str
    end5: int
    start3: int
    breakpoint5: str
    breakpoint3: str
    known_variant: str

    @property
    def junction(self) -> str:
        return junction_name(self.spec)


def build_fusion(
    spec: FusionSpec, by_gene, sequences: dict[str, str], canonical: dict[str, str], panel=None
) -> FusionTruth:
    """Fusion transcript and genome breakpoints of ``spec`` (raises InputError for exons out of range).

    A random insert whose first base equals the partner base after the break, or whose last base equals
    the 3' gene base before it, would let the junction shift by a base; such an end base is replaced (the
    truth's ``spec`` holds the insert used).
    """
    t5 = choose_transcript(spec.gene5, by_gene, sequences, canonical)
    t3 = choose_transcript(spec.gene3, by_gene, sequences, canonical)
    bounds5, bounds3 = t5.exon_bounds(), t3.exon_bounds()
    if not 1 <= spec.exon5 <= len(bounds5) or not 1 <= spec.exon3 <= len(bounds3):
        raise InputError(
            f"{spec.gene5} exon {spec.exon5} / {spec.gene3} exon {spec.exon3}: {t5.id} has {len(bounds5)} "
            f"exons, {t3.id} has {len(bounds3)}"
        )
    s5, e5 = bounds5[spec.exon5 - 1]
    s3, e3 = bounds3[spec.exon3 - 1]
    if spec.partner_deletion >= e5 - s5 or spec.deletion >= e3 - s3:
        raise InputError(f"{spec}: a deletion removes a whole exon")
    last5, first3 = e5 - spec.partner_deletion, s3 + spec.deletion
    seq5, seq3 = sequences[t5.id], sequences[t3.id]
    if spec.random_insert:
        ins = list(spec.insert)
        after5, before3 = seq5[last5 : last5 + 1], seq3[first3 - 1 : first3]
        for i, avoid in ((0, after5), (-1, before3)):
            if ins[i] == avoid:
                ins[i] = next(b for b in "ACGT" if b not in (after5, before3))
        spec = replace(spec, insert="".join(ins))
    seq = seq5[:last5] + spec.insert + seq3[first3:]
    known = spec.name or "."
    if panel is not None:
        exon5 = None if spec.partner_deletion else spec.exon5
        known = panel.name_variant(spec.gene5, exon5, spec.gene3, spec.exon3, len(spec.insert), spec.deletion) or "."
    return FusionTruth(
        spec, t5, t3, seq, last5, last5 + len(spec.insert),
        f"{t5.chrom}:{t5.to_genome(last5 - 1) + 1}:{t5.strand}",
        f"{t3.chrom}:{t3.to_genome(first3) + 1}:{t3.strand}",
        known,
    )


@dataclass(frozen=True)
class SimulationResult:
    """What ``simulate`` wrote; per-fusion counts are in the order of the specs."""

    out_dir: Path
    read_files: tuple[Path, ...]
    truth_path: Path
    fusions: tuple[FusionTruth, ...]
    split_fragments: tuple[int, ...]  # per fusion: fragments with a read crossing the junction
    spanning_pairs: tuple[int, ...]  # per fusion: pairs with one mate wholly on each side
    across_fragments: tuple[int, ...]  # per fusion: fragments across either breakpoint, supporting or not
    fusion_fragments: tuple[int, ...]  # per fusion: all fragments of the fusion transcript written
    n_records: int  # reads per file


@dataclass(frozen=True)
class _Fragment:
    seq: str
    swap: bool = False  # R1 reads the fragment's reverse strand (unstranded: half of them; dUTP: all)
    fusion: int = -1  # index into the fusions, -1 for everything else
    end5: int = 0  # junction inside the fragment (fusions only)
    start3: int = 0

    def read_spans(self, read_length: int, paired: bool) -> list[tuple[int, int]]:
        """Fragment bases R1 (and R2) cover, before indels: R1 from the start, or from the end if swapped."""
        f = len(self.seq)
        used = min(f, read_length)
        spans = [(0, used), (f - used, f)]
        return (spans[::-1] if self.swap else spans)[: 2 if paired else 1]

    def supports(self, spans: list[tuple[int, int]], paired: bool) -> str:
        """'split', 'spanning' or '' for a fusion fragment whose reads cover ``spans``."""
        if any(x <= self.end5 - MIN_ANCHOR and y >= self.start3 + MIN_ANCHOR for x, y in spans):
            return "split"
        if paired and min(y for _, y in spans) <= self.end5 and max(x for x, _ in spans) >= self.start3:
            return "spanning"
        return ""


STRANDS = ("none", "reverse", "forward")  # which strand of the transcript R1 reads: either, reverse (dUTP), forward


class _Sampler:
    """Draws fragments (long reads: 1-20 kb pieces) of a transcript, anywhere or across a junction."""

    def __init__(self, rng: np.random.Generator, minimum: int, mean: int, sd: int, long_reads: bool,
                 strand: str = "none"):
        self.rng, self.minimum, self.mean, self.sd, self.long = rng, minimum, mean, sd, long_reads
        self.strand = strand

    def swap(self) -> bool:
        """Whether R1 reads the fragment's reverse strand: drawn in every mode (same seed, same fragments)."""
        drawn = bool(self.rng.random() < 0.5)
        return drawn if self.strand == "none" else self.strand == "reverse"

    def length(self) -> int:
        if self.long:
            return int(np.exp(self.rng.uniform(np.log(1000), np.log(20000))))
        return max(self.minimum, int(round(self.rng.normal(self.mean, self.sd))))

    def anywhere(self, seq: str) -> _Fragment:
        f = min(self.length(), len(seq))
        s = int(self.rng.integers(0, len(seq) - f + 1))
        return _Fragment(seq[s : s + f], self.swap())

    def across(self, seq: str, end5: int, start3: int, fusion: int = -1) -> _Fragment:
        """A fragment holding base ``end5 - 1`` and base ``start3``, its start uniform among such."""
        f = min(max(self.length(), start3 - end5 + 2), len(seq))
        s = int(self.rng.integers(max(0, start3 + 1 - f), min(end5 - 1, len(seq) - f) + 1))
        return _Fragment(seq[s : s + f], self.swap(), fusion, end5 - s, start3 - s)

    def until_supporting(self, seq: str, end5: int, start3: int, fusion: int, read_length: int, paired: bool,
                         attempts: int = 200000) -> list[_Fragment]:
        """Fragments of the fusion transcript, drawn like any other (length from the library, start uniform),
        up to and including the first that supports its junction (see the module docstring). All are kept:
        a real library that holds one supporting fragment also holds the fragments drawn beside it, those
        that only reach into an insert or hold the junction in their unsequenced middle included."""
        drawn = []
        for _ in range(attempts):
            f = min(self.length(), len(seq))
            s = int(self.rng.integers(0, len(seq) - f + 1))
            fr = _Fragment(seq[s : s + f], self.swap(), fusion, end5 - s, start3 - s)
            drawn.append(fr)
            if s > end5 - 1 or s + f <= start3:
                continue
            if self.long:
                if fr.end5 >= MIN_ANCHOR and len(fr.seq) - fr.start3 >= MIN_ANCHOR:
                    return drawn
            elif fr.supports(fr.read_spans(read_length, paired), paired):
                return drawn
        raise InputError(
            f"fusion {fusion + 1}: no fragment of this library supports its junction (insert of "
            f"{start3 - end5} bases); use longer reads or fragments"
        )


def _background(sampler: _Sampler, transcripts, sequences, n: int, noise_chimeras: int) -> list[_Fragment]:
    """``n`` fragments of non-ALK transcripts (log-normal expression), and 1-fragment chimeras between
    exons of the 10 most expressed multi-exon genes."""
    rng = sampler.rng
    background = sorted(
        (t for t in transcripts.values() if t.id in sequences and t.gene_name != "ALK"), key=lambda t: t.id
    )
    if not background:
        return []
    weight = rng.lognormal(0.0, 1.5, len(background)) * [t.length for t in background]
    counts = rng.multinomial(n, weight / weight.sum())
    frags = [sampler.anywhere(sequences[t.id]) for t, c in zip(background, counts) for _ in range(c)]
    best: dict[str, Transcript] = {}  # most expressed multi-exon transcript per gene, genes by rank
    for i in np.argsort(-weight, kind="stable"):
        if len(background[i].exons) > 1:
            best.setdefault(background[i].gene_name, background[i])
    top = list(best.values())[:10]
    for _ in range(noise_chimeras if len(top) > 1 else 0):
        a, b = rng.choice(len(top), 2, replace=False)
        ta, tb = top[a], top[b]
        end5 = ta.exon_bounds()[int(rng.integers(0, len(ta.exons) - 1))][1]
        start3 = tb.exon_bounds()[int(rng.integers(1, len(tb.exons)))][0]
        frags.append(sampler.across(sequences[ta.id][:end5] + sequences[tb.id][start3:], end5, end5))
    return frags


def _long_reads(frags: list[_Fragment], error_rate: float, rng: np.random.Generator, split: list[int]) -> list[str]:
    """FASTA records, either orientation; counts fusion reads with >= MIN_ANCHOR bases each side in ``split``."""
    records = []
    for n, fr in enumerate(frags, 1):
        seq = _long_read(fr.seq, error_rate, rng)
        records.append(f">sim{n}\n{revcomp(seq) if rng.random() < 0.5 else seq}\n")
        if fr.fusion >= 0 and fr.end5 >= MIN_ANCHOR and len(fr.seq) - fr.start3 >= MIN_ANCHOR:
            split[fr.fusion] += 1
    return records


def _short_reads(frags: list[_Fragment], rng, read_length: int, paired: bool, generator: str, seed: int,
                 error_rate: float, indel_rate: float, split: list[int], spanning: list[int],
                 adapters: str, poly_g: float = 0.0) -> list[list[str]]:
    """FASTQ records per mate file; counts split fragments and pure spanning pairs per fusion."""
    sources = []
    read1, read2 = read_through_pair(adapters)
    for fr in frags:
        ends = [_source(fr.seq, read1, read_length, rng), _source(revcomp(fr.seq), read2, read_length, rng)]
        sources += (ends[::-1] if fr.swap else ends)[: 2 if paired else 1]
    if generator == "art":
        reads = _art_reads(sources, read_length, seed)
    else:
        reads = _Sequencer(rng, read_length, error_rate, indel_rate).reads(sources)
    if poly_g:
        reads = _poly_g_tails(reads, poly_g, rng)
    per = 2 if paired else 1
    chunks: list[list[str]] = [[] for _ in range(per)]
    for n, fr in enumerate(frags):
        mates = reads[n * per : (n + 1) * per]
        for k, (seq, qual, _) in enumerate(mates):
            chunks[k].append(f"@sim{n + 1}\n{seq}\n+\n{qual}\n")
        if fr.fusion < 0:
            continue
        f = len(fr.seq)  # fragment bases each read covers: forward from the start, or back from the end
        spans = [(0, min(f, used)) if (k == 0) != fr.swap else (max(0, f - used), f)
                 for k, (_, _, used) in enumerate(mates)]
        kind = fr.supports(spans, paired)  # with the bases the reads really consumed (indels)
        if kind == "split":
            split[fr.fusion] += 1
        elif kind == "spanning":
            spanning[fr.fusion] += 1
    return chunks


POLY_G_QUALITY = "F"  # two-colour instruments give their no-signal G bases good binned qualities


def _poly_g_tails(reads: list[tuple[str, str, int]], fraction: float, rng: np.random.Generator
                  ) -> list[tuple[str, str, int]]:
    """Each read, with probability ``fraction``, with its last 10 to half its length bases read as G (a
    two-colour instrument's cluster that stops giving signal: NovaSeq, NextSeq); the fragment bases it
    consumed shrink by as many, so the truth counts what the read still shows."""
    out = []
    hit = rng.random(len(reads)) < fraction
    for (seq, qual, used), h in zip(reads, hit):
        if h and len(seq) >= 20:
            m = int(rng.integers(10, len(seq) // 2 + 1))
            seq, qual, used = seq[:-m] + "G" * m, qual[:-m] + POLY_G_QUALITY * m, max(0, used - m)
        out.append((seq, qual, used))
    return out


def _source(strand: str, adapter: str, read_length: int, rng: np.random.Generator) -> str:
    """What a read sequencing ``strand`` from its start sees: the fragment, then adapter and random bases."""
    need = 2 * read_length  # room for deletions
    if len(strand) >= need:
        return strand[:need]
    return strand + (adapter + _random_bases(rng, need))[: need - len(strand)]


class _Sequencer:
    """Built-in error model: substitutions rising toward the 3' end, 1-base indels, Illumina-like qualities."""

    def __init__(self, rng: np.random.Generator, read_length: int, error_rate: float, indel_rate: float):
        self.rng, self.length, self.indel_rate = rng, read_length, indel_rate
        pos = np.minimum(np.arange(2 * read_length), read_length - 1) / max(read_length - 1, 1)
        self.p_sub = error_rate * (0.25 + 1.5 * pos)  # mean over the read = error_rate
        self.q_base = np.round(38 - 10 * pos[:read_length] ** 2).astype(np.int16)

    def reads(self, sources: list[str], batch: int = 20000) -> list[tuple[str, str, int]]:
        """(bases, qualities, source bases consumed) of one read of each source (2x read length long)."""
        out: list[tuple[str, str, int]] = []
        for b in range(0, len(sources), batch):
            out += self._batch(sources[b : b + batch])
        return out

    def _batch(self, sources: list[str]) -> list[tuple[str, str, int]]:
        rng, n, width = self.rng, self.length, 2 * self.length
        m = len(sources)
        bases = np.frombuffer("".join(sources).encode(), dtype=np.uint8).reshape(m, width).copy()
        sub = rng.random((m, width)) < self.p_sub
        _substitute(bases, sub, rng)
        ins = rng.random((m, n)) < self.indel_rate / 2
        dele = rng.random((m, n)) < self.indel_rate / 2
        reads, errors, consumed = bases[:, :n].copy(), sub[:, :n].copy(), np.full(m, n)
        for i in np.nonzero(ins.any(axis=1) | dele.any(axis=1))[0]:
            pad = np.zeros(width - n, dtype=bool)
            seq, err, index = _indels(bases[i], sub[i], np.r_[ins[i], pad], np.r_[dele[i], pad], rng)
            reads[i], errors[i], consumed[i] = seq[:n], err[:n], index[n - 1] + 1
        q = np.clip(self.q_base + rng.integers(-2, 3, (m, n)), 2, 41)
        q[errors] = rng.integers(2, 13, int(errors.sum()))
        seq_raw, qual_raw = reads.tobytes(), (q + 33).astype(np.uint8).tobytes()
        return [
            (seq_raw[i * n : (i + 1) * n].decode(), qual_raw[i * n : (i + 1) * n].decode(), int(consumed[i]))
            for i in range(m)
        ]


def _substitute(bases: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> None:
    """Replace the masked bases (in place) by one of the three other bases."""
    bases[mask] = _BASES[(_CODE[bases[mask]] + rng.integers(1, 4, int(mask.sum()))) % 4]


def _indels(bases, errors, ins, dele, rng: np.random.Generator):
    """Insert a random base before each ``ins`` position, drop the ``dele`` positions.

    Returns (bases, errored mask, source index of each output base).
    """
    where = np.nonzero(ins)[0]
    index = np.insert(np.arange(len(bases)), where, where)
    bases = np.insert(bases, where, _BASES[rng.integers(0, 4, len(where))])
    errors = np.insert(errors, where, True)
    keep = ~np.insert(dele, where, False)
    return bases[keep], errors[keep], index[keep]


def _long_read(source: str, error_rate: float, rng: np.random.Generator) -> str:
    """A long read of ``source``: half the errors substitutions, a quarter each insertions and deletions."""
    bases = np.frombuffer(source.encode(), dtype=np.uint8).copy()
    u = rng.random((3, len(bases)))
    sub = u[0] < error_rate / 2
    _substitute(bases, sub, rng)
    seq, _, _ = _indels(bases, sub, u[1] < error_rate / 4, u[2] < error_rate / 4, rng)
    return seq.tobytes().decode()


def _art_reads(sources: list[str], read_length: int, seed: int) -> list[tuple[str, str, int]]:
    """Sequence each source from its 5' end with art_illumina (HiSeq 2500 profile, amplicon mode)."""
    exe = shutil.which("art_illumina")
    if exe is None:
        raise AlkfuseError(
            "generator 'art' needs art_illumina on PATH (Debian/Ubuntu: apt-get install "
            "art-nextgen-simulation-tools); or use the built-in generator"
        )
    with tempfile.TemporaryDirectory(prefix="alkfuse-art-") as tmp:
        fasta = Path(tmp) / "sources.fa"
        fasta.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(sources)))
        cmd = [exe, "-ss", "HS25", "-amp", "-na", "-q", "-i", str(fasta), "-l", str(read_length), "-f", "1",
               "-rs", str(seed), "-o", str(Path(tmp) / "art")]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            raise AlkfuseError(f"art_illumina failed ({run.returncode}): {run.stderr.strip()[-300:]}")
        reads: dict[int, tuple[str, str, int]] = {}
        with open(Path(tmp) / "art.fq") as fh:
            for name, seq, _, qual in zip(*[fh] * 4):
                reads[int(name[2:].rsplit("-", 1)[0])] = (seq.strip(), qual.strip(), read_length)
    if len(reads) != len(sources):
        raise AlkfuseError(f"art_illumina wrote {len(reads)} reads for {len(sources)} fragments")
    return [reads[i] for i in range(len(sources))]


def _write_gzip(path: Path, chunks: list[str]) -> None:
    """Deterministic gzip (ISA-L): no file name, mtime 0."""
    with open(path, "wb") as raw, igzip.IGzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write("".join(chunks).encode())


def simulate(
    *,
    transcripts: dict[str, Transcript],
    sequences: dict[str, str],
    out_dir,
    fusions: list[FusionSpec],
    n_background_pairs: int,
    read_length: int = 100,
    paired: bool = True,
    fragment_mean: int = 250,
    fragment_sd: int = 50,
    seed: int = 1,
    alk_wildtype_fragments: int = 0,
    alk_ati_fragments: int = 0,
    noise_chimeras: int = 0,
    error_rate: float = 0.002,
    indel_rate: float = 0.0002,
    canonical: dict[str, str] | None = None,
    long_reads: bool = False,
    long_read_error_rate: float = 0.01,
    ati_transcript: str = ATI_TRANSCRIPT,
    generator: str = "builtin",
    panel=None,
    adapters: str = "truseq",
    poly_g: float = 0.0,
    strand: str = "none",
) -> SimulationResult:
    """Write simulated reads and ``truth.tsv`` to ``out_dir``; see the module docstring for the model.

    ``n_background_pairs`` fragments (reads with ``long_reads``) come from every non-ALK transcript with
    log-normal expression weights; wild-type ALK and ALK-ATI fragments come from the canonical ALK and the
    ``ati_transcript``. ``generator="art"`` sequences the same fragments with art_illumina's empirical
    profile instead of the built-in error model (``error_rate``/``indel_rate`` then do not apply).
    ``panel`` (optional) names known variants in the truth. ``adapters`` is the library kit whose adapters
    reads of fragments shorter than a read run into (``adapters.KITS``: truseq, nextera, mgi; or
    ``READ1,READ2`` sequences of another kit, ``adapters.read_through_pair``). ``poly_g``
    is the fraction of short reads whose last bases a two-colour instrument reads as G (``_poly_g_tails``).
    ``strand`` is the library's strandedness (``STRANDS``): which strand of the transcript R1 reads.
    """
    if strand not in STRANDS or strand != "none" and long_reads:
        raise InputError(f"strand {strand!r}: use one of {', '.join(STRANDS)} (short reads only)")
    if not 0 <= poly_g <= 1 or poly_g and long_reads:
        raise InputError(f"poly-G fraction {poly_g}: use 0-1, for short reads")
    if not 0 <= error_rate <= 0.1 or not 0 <= indel_rate <= 0.05 or read_length < 20:
        raise InputError("error rate must be within 0-0.1, indel rate 0-0.05, read length at least 20")
    if generator not in ("builtin", "art") or (generator == "art" and long_reads):
        raise InputError(f"generator {generator!r}: use 'builtin', or 'art' for short reads")
    try:
        read_through_pair(adapters)
    except ValueError as e:
        raise InputError(str(e)) from None
    canonical = canonical or {}
    rng = np.random.default_rng(seed)
    by_gene: dict[str, list[Transcript]] = {}
    for t in transcripts.values():
        by_gene.setdefault(t.gene_name, []).append(t)
    truths = [build_fusion(s, by_gene, sequences, canonical, panel) for s in fusions]
    if alk_ati_fragments and ati_transcript not in sequences:
        raise ReferenceError_(f"ALK-ATI transcript {ati_transcript} is not in the reference")

    sampler = _Sampler(rng, read_length // 2, fragment_mean, fragment_sd, long_reads, strand)
    frags = [fr for i, t in enumerate(truths) for _ in range(t.spec.fragments)
             for fr in sampler.until_supporting(t.sequence, t.end5, t.start3, i, read_length, paired)]
    drawn = [sum(fr.fusion == i for fr in frags) for i in range(len(truths))]
    across = [sum(fr.fusion == i and (0 < fr.end5 < len(fr.seq) or 0 < fr.start3 < len(fr.seq)) for fr in frags)
              for i in range(len(truths))]
    frags += _background(sampler, transcripts, sequences, n_background_pairs, noise_chimeras)
    if alk_wildtype_fragments:
        alk = sequences[choose_transcript("ALK", by_gene, sequences, canonical).id]
        frags += [sampler.anywhere(alk) for _ in range(alk_wildtype_fragments)]
    frags += [sampler.anywhere(sequences[ati_transcript]) for _ in range(alk_ati_fragments)]
    frags = [frags[i] for i in rng.permutation(len(frags))]

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    split, spanning = [0] * len(truths), [0] * len(truths)
    if long_reads:
        files = (out / "reads.fa.gz",)
        _write_gzip(files[0], _long_reads(frags, long_read_error_rate, rng, split))
    else:
        files = (out / "reads_1.fq.gz", out / "reads_2.fq.gz") if paired else (out / "reads.fq.gz",)
        chunks = _short_reads(
            frags, rng, read_length, paired, generator, seed, error_rate, indel_rate, split, spanning, adapters,
            poly_g,
        )
        for path, chunk in zip(files, chunks):
            _write_gzip(path, chunk)

    truth_path = out / "truth.tsv"
    rows = ["\t".join(TRUTH_COLUMNS)]
    for t, nsplit, nspan, nacross, ndrawn in zip(truths, split, spanning, across, drawn):
        s = t.spec
        rows.append("\t".join(map(str, (
            f"{s.gene5}::{s.gene3}", s.gene5, s.gene3, t.transcript5.id, t.transcript3.id,
            "." if s.partner_deletion else s.exon5, s.exon3, t.junction, t.known_variant, t.breakpoint5,
            t.breakpoint3, s.insert or ".", s.deletion, s.fragments, nsplit, nspan, nacross, ndrawn,
        ))))
    truth_path.write_text("\n".join(rows) + "\n")
    return SimulationResult(out, files, truth_path, tuple(truths), tuple(split), tuple(spanning), tuple(across),
                            tuple(drawn), len(frags))


def _adapters_option(ctx, param, value: str) -> str:
    try:
        read_through_pair(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    return value


@click.command("simulate")
@click.option("--gtf", required=True, type=click.Path(exists=True, dir_okay=False), help="Annotation GTF.")
@click.option("--transcripts", required=True, type=click.Path(exists=True, dir_okay=False), help="Transcript FASTA.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option(
    "--fusion", "fusions", multiple=True, metavar="SPEC",
    help="Repeatable. EML4::ALK:v3b@5 (named variant, 5 supporting fragments), EML4:13:ALK:20@3 (exons), options "
    "after the exons: ins=ACGT, insN (N random bases), delN (bases off the 3' exon start), pdel=N "
    "(bases off the 5' exon end), e.g. EML4:14:ALK:20:ins11:del49@4, TPM3:7:ALK:20:pdel=10@5.",
)
@click.option("--background-pairs", default=10000, show_default=True, type=click.IntRange(0),
              help="Background fragments (reads with --long-reads).")
@click.option("--read-length", default=100, show_default=True, type=click.IntRange(20))
@click.option("--single-end", is_flag=True, help="One read per fragment (reads.fq.gz).")
@click.option("--long-reads", is_flag=True, help="1-20 kb reads with ~1% errors (reads.fa.gz).")
@click.option("--fragment-mean", default=250, show_default=True, type=click.IntRange(1))
@click.option("--fragment-sd", default=50, show_default=True, type=click.IntRange(0))
@click.option("--wildtype-alk", default=0, show_default=True, type=click.IntRange(0), help="Wild-type ALK fragments.")
@click.option("--ati", default=0, show_default=True, type=click.IntRange(0), help="ALK-ATI fragments.")
@click.option("--noise-chimeras", default=0, show_default=True, type=click.IntRange(0),
              help="1-fragment chimeras between highly expressed non-ALK genes.")
@click.option("--error-rate", default=0.002, show_default=True, type=click.FloatRange(0, 0.1),
              help="Substitutions per base (short reads, built-in generator).")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--generator", default="builtin", show_default=True, type=click.Choice(["builtin", "art"]),
              help="art: art_illumina's HiSeq 2500 error profile (must be on PATH).")
@click.option("--adapters", default="truseq", show_default=True, callback=_adapters_option,
              help=f"Library kit whose adapters reads of short fragments run into: {', '.join(KITS)}, or "
                   "READ1,READ2 read-through sequences of a kit the scan does not list.")
@click.option("--poly-g", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Fraction of short reads whose last 10+ bases read as G (NovaSeq/NextSeq no-signal tails).")
@click.option("--strand", default="none", show_default=True, type=click.Choice(STRANDS),
              help="Stranded library: the transcript strand R1 reads (reverse: dUTP, e.g. TruSeq Stranded; "
                   "forward: ligation kits); none: either, half each.")
def simulate_command(gtf, transcripts, out_dir, fusions, background_pairs, read_length, single_end, long_reads,
                     fragment_mean, fragment_sd, wildtype_alk, ati, noise_chimeras, error_rate, seed, generator,
                     adapters, poly_g, strand):
    """Simulate reads with known ALK fusions, and write truth.tsv beside them.

    SPEC is GENE5::GENE3:VARIANT@N (a named variant of the panel) or GENE5:EXON5:GENE3:EXON3[:OPTION...]@N
    with OPTION ins=SEQ, insN, delN or pdel=N; N is the number of fragments containing the junction.
    """
    if single_end and long_reads:
        raise click.UsageError("--single-end and --long-reads exclude each other")
    if strand != "none" and long_reads:
        raise click.UsageError("--strand is for short reads")
    ann = read_gtf(gtf)
    sequences = attach_sequences(ann, transcripts_fasta=transcripts)
    panel = load_panel()
    specs = [parse_fusion_spec(text, panel, seed) for text in fusions]
    genes = {g for s in specs for g in (s.gene5, s.gene3)} | {"ALK"}
    result = simulate(
        transcripts={t.id: t for t in ann.transcripts}, sequences=sequences, out_dir=out_dir, fusions=specs,
        n_background_pairs=background_pairs, read_length=read_length, paired=not single_end,
        fragment_mean=fragment_mean, fragment_sd=fragment_sd, seed=seed, alk_wildtype_fragments=wildtype_alk,
        alk_ati_fragments=ati, noise_chimeras=noise_chimeras, error_rate=error_rate,
        canonical=panel_canonical(panel, genes, sequences), long_reads=long_reads, generator=generator,
        panel=panel, adapters=adapters, poly_g=poly_g, strand=strand,
    )
    files = ", ".join(map(str, result.read_files))
    click.echo(f"{result.n_records} fragments -> {files}; truth: {result.truth_path}")
