"""Build and load an alkfuse index directory.

Layout of ``DIR`` (all written deterministically: same inputs, same bytes):

- ``manifest.json``     format version, tool version, k, inputs with sha256, genome build, counts
- ``transcripts.tsv``   one row per transcript: id, version, gene, gene_id, role, chrom, strand, exons
                        (0-based half-open genome intervals in transcript order), cds, canonical flag
- ``seq.npy`` + ``seq_offsets.npy``   all transcript sequences (ASCII) concatenated, and their offsets
- ``kmer_keys.npy``, ``kmer_tx.npy``, ``kmer_pos.npy``, ``kmer_genes.npy``
                        sorted positional k-mer index. Panel genes (ALK, partners, paralogs): every
                        k-mer. Other transcripts: every ``background_step``-th position. ``kmer_genes``
                        = number of distinct genes (over the whole reference) that hold the k-mer,
                        exact for panel k-mers, 0 (unknown) for background-only ones.
- ``kmer_fences.npy``   every FENCE_STEP-th key, kept in memory so that a look-up reads one page of keys
- ``alk_filter.npy``    canonical k-mers of ALK from exon 18 to the 3' end (all isoforms) that no other gene
                        holds and that are not low complexity: the pre-filter of the read scan.
- ``junctions.fa``      partner exon end + ALK exon 19/20/21 start junction sequences, and listed
                        variants' ALK starts after a deletion (canonical transcripts; FASTA ids
                        ``GENE|TRANSCRIPT|E{n}|ALK|TRANSCRIPT|A{m}``, ``...|A{m}+{d}``), used to rescue reads
                        with short anchors.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__
from .annotation import Annotation, Genome, Transcript, attach_sequences, default_canonical, read_gtf, strip_version
from .errors import IndexError_, ReferenceError_
from .panel import Panel, load_panel
from .seq import low_complexity, revcomp

log = logging.getLogger("alkfuse")

FORMAT_VERSION = 1
KINASE = "ALK"
ALK_FILTER_FIRST_EXON = 18  # the scan keeps reads with ALK k-mers from this exon on (1-based exon number)
JUNCTION_ALK_EXONS = (20, 19, 21)
JUNCTION_FLANK = 300
LARGE_INDEX = 256 << 20  # bytes of memory-mapped arrays above which touched pages are released
ALK_END_MIN, ALK_END_MAX = 10, 18  # ALK exon bases a fragment end shows to be looked at without a k-mer
# From this many such bases, one of them may be misread. Chance picks grow fast below: a random read start is
# within a mismatch of one of the 5 ALK starts of the panel reference over 11 bases once in 25,000 reads, over
# 16 bases once in 17 million; and allowed from 14, ends of unrelated reads that read as ALK exon 20's bases
# 13-27 with a mismatch gave a discarded `HOOK3::ALK` (ART reads of FusionSimulator transcripts) the 15 ALK
# bases short_anchor then asked, and it passed.
ALK_END_FUZZY = 16
# A fragment end of 12-15 ALK start bases, one of them misread, is looked at when the read also runs from a
# panel partner's exon end into other bases (a partner tail), or when the misread base's quality is under 20
# (the read doubts it; the look-alike ends of other genes differ by well-read bases): either pair of
# conditions is met by chance once in about 10^5 partner tails or 10^6 reads. A v7 read of 86 EML4 bases and
# 14 of v7's ALK start, the 4th misread, beside one spanning pair, and a BRAF::ALK read ending 15 bases into
# exon 20, the 10th misread at quality 7, beside two, had left their fusions uncalled.
ALK_END_SHORT_FUZZY = 12
# A fragment end up to 2k-1 bases into ALK holds no exact k-mer when one base in the middle is misread (34
# bases with the 19th misread: a v3a read of ART's MiSeq v3 profile, and the fusion's second fragment, was
# not looked at). The probes read at most PROBE_MAX of the read's first bases (the keys' width).
PROBE_MAX = 29
TAIL_PROBE, TAIL_MIN_DIFF = 12, 3  # a partner tail: 12+ bases after an exon end, 3+ unlike every continuation
FENCE_STEP = 512  # every 512th k-mer key (one 4 KB page of keys) is kept in memory to narrow look-ups

ROLE_KINASE, ROLE_PARTNER, ROLE_PARALOG, ROLE_OTHER = "kinase", "partner", "paralog", "other"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _role(gene: str, panel: Panel) -> str:
    pg = panel.gene(gene)
    if pg is None:
        return ROLE_OTHER
    return pg.role


def choose_canonical(transcripts: list[Transcript], panel: Panel, seqs: dict[str, str]) -> Transcript | None:
    """The transcript named after a gene: the panel's canonical id, else a GTF canonical/MANE tag, else the
    longest coding, else the longest."""
    present = [t for t in transcripts if t.id in seqs]
    if not present:
        return None
    gene = present[0].gene_name
    pg = panel.gene(gene)
    if pg is not None:
        wanted = [strip_version(x) for x in panel.canonical_ids(pg.symbol)]
        for w in wanted:
            for t in present:
                if t.id == w:
                    return t
    return default_canonical(present)


def _alk_filter_region(t: Transcript, canon: Transcript) -> int:
    """First transcript position of ``t`` whose genomic base lies at/after ALK exon 18 of ``canon``."""
    s, e = canon.exons[ALK_FILTER_FIRST_EXON - 1]
    boundary = e - 1 if canon.strand == "-" else s  # first base of exon 18 in transcript direction
    pos = 0
    for xs, xe in t.exons:
        for g in (range(xe - 1, xs - 1, -1) if t.strand == "-" else range(xs, xe)):
            downstream = g <= boundary if t.strand == "-" else g >= boundary
            if downstream:
                return pos
            pos += 1
    return t.length


def build_index(
    gtf: str | Path,
    out: str | Path,
    *,
    transcripts_fasta: str | Path | None = None,
    genome_fasta: str | Path | None = None,
    k: int = 19,
    background_step: int | None = None,
    panel: Panel | None = None,
) -> dict:
    """Build an index directory; returns the manifest. Writes into a temporary sibling, then renames."""
    from .kernels import build_table, canonical, encode, kmer_keys  # noqa: F401 (numba only here)

    if (transcripts_fasta is None) == (genome_fasta is None):
        raise ReferenceError_("give exactly one of --transcripts (cDNA FASTA) or --genome (genome FASTA)")
    if not 15 <= k <= 31:
        raise ReferenceError_(f"k-mer size {k} is out of range: use 15..31 (19 is the default)")
    panel = panel or load_panel()
    out = Path(out)
    ann = read_gtf(gtf)
    genome = Genome(genome_fasta) if genome_fasta else None
    seqs = attach_sequences(ann, transcripts_fasta=transcripts_fasta, genome=genome)
    if genome is not None:
        _add_alk_premrna(ann, seqs, genome)
    by_gene = ann.by_gene()
    if KINASE not in by_gene or not any(t.id in seqs for t in by_gene[KINASE]):
        raise ReferenceError_(
            f"{gtf}: no ALK transcript with sequence: the annotation must contain gene_name \"ALK\" "
            "and the FASTA its sequence"
        )

    # Transcript order: panel genes first (kinase, partners, paralogs), then the rest; stable by file order.
    order = {ROLE_KINASE: 0, ROLE_PARTNER: 1, ROLE_PARALOG: 2, ROLE_OTHER: 3}
    txs = [t for t in ann.transcripts if t.id in seqs]
    txs.sort(key=lambda t: (order[_role(t.gene_name, panel)], t.gene_name, t.id))
    canon_ids = {}
    for gene, ts in by_gene.items():
        c = choose_canonical(ts, panel, seqs)
        if c is not None:
            canon_ids[gene] = c.id

    total = sum(len(seqs[t.id]) for t in txs)
    if background_step is None:
        background_step = 1 if total < 50_000_000 else 8
    log.info("index: %d transcripts (%d genes), %.1f Mb, k=%d", len(txs), len(by_gene), total / 1e6, k)

    offsets = np.zeros(len(txs) + 1, dtype=np.int64)
    for i, t in enumerate(txs):
        offsets[i + 1] = offsets[i] + len(seqs[t.id])
    seq_all = np.frombuffer("".join(seqs[t.id] for t in txs).encode(), dtype=np.uint8).copy()

    # Gene number per transcript (by first appearance in order).
    gene_num: dict[str, int] = {}
    tx_gene = np.array([gene_num.setdefault(t.gene_name, len(gene_num)) for t in txs], dtype=np.int32)
    roles = [_role(t.gene_name, panel) for t in txs]

    # Positional k-mers: panel genes fully, others sampled.
    keys_l, tx_l, pos_l = [], [], []
    panel_keys_l = []
    for i, t in enumerate(txs):
        codes = encode(seq_all[offsets[i] : offsets[i + 1]].tobytes())
        keys, valid = kmer_keys(codes, k)
        pos = np.flatnonzero(valid).astype(np.int32)
        if roles[i] != ROLE_OTHER:
            panel_keys_l.append(keys[pos])
        else:
            pos = pos[pos % background_step == 0]
        keys_l.append(keys[pos])
        tx_l.append(np.full(len(pos), i, dtype=np.int32))
        pos_l.append(pos)
    keys = np.concatenate(keys_l) if keys_l else np.zeros(0, np.uint64)
    tx_of = np.concatenate(tx_l)
    pos_of = np.concatenate(pos_l)
    srt = np.lexsort((pos_of, tx_of, keys))
    keys, tx_of, pos_of = keys[srt], tx_of[srt], pos_of[srt]

    # Exact gene multiplicity of every panel k-mer over the whole reference (both strands count: a read
    # of unknown strand holding the k-mer could come from either gene).
    panel_canon = np.unique(canonical(np.concatenate(panel_keys_l), k))
    seen_genes: list[np.ndarray] = []
    seen_keys: list[np.ndarray] = []
    for i, t in enumerate(txs):
        codes = encode(seq_all[offsets[i] : offsets[i + 1]].tobytes())
        kk, valid = kmer_keys(codes, k)
        kk = np.unique(canonical(kk[valid], k))
        at = np.minimum(np.searchsorted(panel_canon, kk), max(len(panel_canon) - 1, 0))
        hit = kk[panel_canon[at] == kk] if len(panel_canon) else kk[:0]
        seen_keys.append(hit)
        seen_genes.append(np.full(len(hit), tx_gene[i], dtype=np.int32))
    pairs = np.unique(np.stack([np.concatenate(seen_keys).astype(np.uint64),
                                np.concatenate(seen_genes).astype(np.uint64)], axis=1), axis=0)
    canon_keys, ngenes = np.unique(pairs[:, 0], return_counts=True) if len(pairs) else (np.zeros(0, np.uint64), np.zeros(0, np.int64))
    ck = canonical(keys, k)
    where = np.searchsorted(canon_keys, ck)
    where = np.minimum(where, max(len(canon_keys) - 1, 0))
    known = (canon_keys[where] == ck) if len(canon_keys) else np.zeros(len(ck), bool)
    kmer_genes = np.where(known, ngenes[where] if len(ngenes) else 0, 0).astype(np.uint16)

    # The scan pre-filter: ALK k-mers (exon 18 on), unique to ALK, not low complexity.
    alk_canon = next(t for t in txs if t.id == canon_ids[KINASE])
    filt = []
    for i, t in enumerate(txs):
        if t.gene_name != KINASE:
            continue
        first = _alk_filter_region(t, alk_canon) if t.chrom == alk_canon.chrom else 0
        s = seq_all[offsets[i] + first : offsets[i + 1]].tobytes().decode()
        kk, valid = kmer_keys(encode(s), k)
        for j in np.flatnonzero(valid):
            if not low_complexity(s[j : j + k]):
                filt.append(kk[j])
    filt_keys = np.unique(canonical(np.array(filt, dtype=np.uint64), k))
    cw = np.searchsorted(canon_keys, filt_keys)
    cw = np.minimum(cw, len(canon_keys) - 1)
    filt_keys = filt_keys[(canon_keys[cw] == filt_keys) & (ngenes[cw] == 1)]

    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for name, arr in (("seq", seq_all), ("seq_offsets", offsets), ("kmer_keys", keys), ("kmer_tx", tx_of),
                      ("kmer_pos", pos_of), ("kmer_genes", kmer_genes), ("kmer_fences", keys[::FENCE_STEP])):
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
    with open(tmp / "transcripts.tsv", "w") as fh:
        fh.write("#id\tversion\tgene\tgene_id\trole\tchrom\tstrand\texons\tcds\tcanonical\tbiotype\n")
        for t, role in zip(txs, roles):
            exons = ",".join(f"{s}-{e}" for s, e in t.exons)
            cds = f"{t.cds[0]}-{t.cds[1]}" if t.cds else "."
            fh.write(f"{t.id}\t{t.version or '.'}\t{t.gene_name}\t{t.gene_id}\t{role}\t{t.chrom}\t{t.strand}\t"
                     f"{exons}\t{cds}\t{int(canon_ids.get(t.gene_name) == t.id)}\t{t.biotype}\n")
    junctions = _junctions(txs, seqs, canon_ids, roles, panel)
    with open(tmp / "junctions.fa", "w") as fh:
        for name, left, right in junctions:
            fh.write(f">{name} junction={len(left)}\n{left}{right}\n")
    jkeys, jids = _junction_kmers(junctions, k, keys)
    np.save(tmp / "junction_kmers.npy", jkeys, allow_pickle=False)
    np.save(tmp / "junction_ids.npy", jids, allow_pickle=False)
    np.save(tmp / "alk_filter.npy", np.union1d(filt_keys, canonical(jkeys, k)), allow_pickle=False)
    n_junctions = len(junctions)
    inputs = {"gtf": {"name": Path(gtf).name, "sha256": sha256(Path(gtf))}}
    seq_in = Path(transcripts_fasta or genome_fasta)
    inputs["transcripts" if transcripts_fasta else "genome"] = {"name": seq_in.name, "sha256": sha256(seq_in)}
    manifest = {
        "format_version": FORMAT_VERSION,
        "tool": "alkfuse",
        "tool_version": __version__,
        "k": k,
        "background_step": background_step,
        "mode": "transcripts" if transcripts_fasta else "genome",
        "genome_build": ann.genome_build,
        "inputs": inputs,
        "counts": {
            "transcripts": len(txs),
            "genes": len(gene_num),
            "bases": int(total),
            "kmers": int(len(keys)),
            "alk_filter_kmers": int(len(filt_keys)),
            "junction_sequences": n_junctions,
            "skipped": dict(sorted(ann.skipped.items())),
        },
        "canonical": {g: canon_ids[g] for g in sorted(canon_ids) if _role(g, panel) != ROLE_OTHER},
        # Genome mode: contig lengths, so that a BAM on another build can be refused.
        "contigs": dict(sorted(genome.lengths.items())) if genome is not None else {},
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)
    return manifest


def _add_alk_premrna(ann: Annotation, seqs: dict[str, str], genome: Genome) -> None:
    """With a genome, index ALK's whole locus as one more ALK 'transcript' (``ALK-locus``), so that reads
    of unspliced pre-mRNA, genomic DNA and ALK-ATI starting anywhere in intron 19 are explained by ALK."""
    alk = [t for t in ann.transcripts if t.gene_name == KINASE and t.id in seqs]
    if not alk:
        return
    lo = min(s for t in alk for s, _ in t.exons)
    hi = max(e for t in alk for _, e in t.exons)
    t0 = alk[0]
    locus = Transcript(f"{KINASE}-locus", None, t0.gene_id, KINASE, t0.chrom, t0.strand, ((lo, hi),), "locus")
    ann.transcripts.append(locus)
    seqs[locus.id] = genome.transcript_sequence(locus)


def _junctions(txs, seqs, canon_ids, roles, panel: Panel) -> list[tuple[str, str, str]]:
    """(name, partner side, ALK side) for every exon end of every panel partner's canonical transcript
    joined to the start of ALK exons 20, 19 and 21, and to the ALK start of each listed variant of the
    partner with an ALK-side deletion and no insert (EML4::ALK v7: 12 bases into exon 20). Names:
    ``GENE|TRANSCRIPT|E{n}|ALK|TRANSCRIPT|A{m}`` (``A{m}+{d}`` with a deletion)."""
    by_id = {t.id: t for t in txs}
    alk = by_id[canon_ids[KINASE]]
    alk_seq = seqs[alk.id]
    alk_bounds = alk.exon_bounds()
    out = []
    for gene in sorted({t.gene_name for t, r in zip(txs, roles) if r == ROLE_PARTNER}):
        if gene not in canon_ids:
            continue
        p = by_id[canon_ids[gene]]
        pseq = seqs[p.id]
        for ei, (_, pend) in enumerate(p.exon_bounds()[:-1], 1):
            for ae in JUNCTION_ALK_EXONS:
                if ae > len(alk_bounds):
                    continue
                astart = alk_bounds[ae - 1][0]
                out.append((f"{gene}|{p.id}|E{ei}|{KINASE}|{alk.id}|A{ae}",
                            pseq[max(0, pend - JUNCTION_FLANK) : pend], alk_seq[astart : astart + JUNCTION_FLANK]))
        for v in panel.variants:
            if v.gene5 != gene or v.gene3 != KINASE or not v.deletion_length or v.insert_length \
                    or not 1 <= v.exon5 < len(p.exon_bounds()) or not 1 <= v.exon3 <= len(alk_bounds):
                continue
            pend = p.exon_bounds()[v.exon5 - 1][1]
            astart = alk_bounds[v.exon3 - 1][0] + v.deletion_length
            out.append((f"{gene}|{p.id}|E{v.exon5}|{KINASE}|{alk.id}|A{v.exon3}+{v.deletion_length}",
                        pseq[max(0, pend - JUNCTION_FLANK) : pend], alk_seq[astart : astart + JUNCTION_FLANK]))
    return out


def _junction_kmers(junctions, k: int, reference_keys: np.ndarray, min_side: int = 6):
    """k-mers that cross a junction with >= ``min_side`` bases on each side and occur nowhere in the
    reference: a read holding one reads across that exon junction, however short its ALK part."""
    from .kernels import encode, kmer_keys

    keys, ids = [], []
    for n, (_, left, right) in enumerate(junctions):
        s = left[-(k - min_side):] + right[: k - min_side]
        kk, valid = kmer_keys(encode(s), k)
        keys.append(kk[valid])
        ids.append(np.full(int(valid.sum()), n, dtype=np.int32))
    keys = np.concatenate(keys) if keys else np.zeros(0, np.uint64)
    ids = np.concatenate(ids) if ids else np.zeros(0, np.int32)
    keep = ~np.isin(keys, reference_keys)
    keys, ids = keys[keep], ids[keep]
    order = np.lexsort((ids, keys))
    return keys[order], ids[order]


# ----------------------------------------------------------------------------------------------------------
class TranscriptInfo:
    """A transcript as the index holds it. Its exons are parsed from the table row on first use: a
    genome-scale index holds ~250,000 transcripts, of which a run looks at a few."""

    __slots__ = ("idx", "id", "gene", "role", "canonical", "offset", "_row", "_t")

    def __init__(self, idx: int, row: str, offset: int):
        c = row.split("\t", 5)
        self.idx, self.id, self.gene, self.role = idx, c[0], c[2], c[4]
        self.canonical = row.split("\t")[9] == "1"
        self.offset, self._row, self._t = offset, row, None

    @property
    def t(self) -> Transcript:
        if self._t is None:
            c = self._row.split("\t")
            exons = tuple(tuple(int(x) for x in e.split("-")) for e in c[7].split(","))
            cds = tuple(int(x) for x in c[8].split("-")) if c[8] != "." else None
            self._t = Transcript(c[0], None if c[1] == "." else c[1], c[3], c[2], c[5], c[6], exons, c[10], (), cds)
        return self._t


@dataclass(frozen=True)
class TailProbes:
    """Partner-tail arguments of ``kernels.scan_reads_tails`` for an index, and per probe row its (transcript, exon end)."""

    keys: np.ndarray
    rows: np.ndarray
    words: np.ndarray
    conts: np.ndarray
    n_conts: np.ndarray
    ends: list[tuple[int, int]]


class Index:
    """A loaded index: arrays memory-mapped read-only, transcript table in memory."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        mf = self.path / "manifest.json"
        if not mf.exists():
            raise IndexError_(f"{self.path}: not an alkfuse index (no manifest.json): build one with `alkfuse index`")
        self.manifest = json.loads(mf.read_text())
        if self.manifest.get("format_version") != FORMAT_VERSION:
            raise IndexError_(
                f"{self.path}: index format {self.manifest.get('format_version')} but this alkfuse reads "
                f"format {FORMAT_VERSION}: rebuild it with `alkfuse index`"
            )
        self.k = int(self.manifest["k"])
        try:
            load = lambda n: np.load(self.path / f"{n}.npy", mmap_mode="r", allow_pickle=False)  # noqa: E731
            self.seq = load("seq")
            self.seq_offsets = np.asarray(load("seq_offsets"))
            self.kmer_keys = load("kmer_keys")
            self.kmer_tx = load("kmer_tx")
            self.kmer_pos = load("kmer_pos")
            self.kmer_genes = load("kmer_genes")
            self.alk_filter = np.asarray(load("alk_filter"))
            self.kmer_fences = np.asarray(load("kmer_fences"))
            self.junction_kmers = np.asarray(load("junction_kmers"))
            self.junction_ids = np.asarray(load("junction_ids"))
        except (OSError, ValueError) as exc:
            raise IndexError_(f"{self.path}: index is incomplete ({exc}): rebuild it with `alkfuse index`") from None
        self.transcripts: list[TranscriptInfo] = []
        with open(self.path / "transcripts.tsv") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                i = len(self.transcripts)
                self.transcripts.append(TranscriptInfo(i, line.rstrip("\n"), int(self.seq_offsets[i])))
        self.by_id = {ti.id: ti for ti in self.transcripts}
        # Genome-scale index: the read mapper unmaps the pages it touched after each look-up.
        self.large = sum(a.nbytes for a in (self.seq, self.kmer_keys, self.kmer_tx, self.kmer_pos)) > LARGE_INDEX
        self.genes: dict[str, list[TranscriptInfo]] = {}
        for ti in self.transcripts:
            self.genes.setdefault(ti.gene, []).append(ti)
        self.canonical = {g: next((x for x in ts if x.canonical), ts[0]) for g, ts in self.genes.items()}
        self._seq_cache: dict[int, str] = {}
        self._table = None
        self._end_probes = None
        self._short_fuzzy_probes = None
        self._tail_probes = None
        self._listed_starts: dict[tuple, set[int]] = {}

    def release_pages(self) -> None:
        """Unmap the pages of the large memory-mapped arrays touched so far (they stay in the page cache and
        fault back in on use). A genome-scale index is mapped in large page-cache folios, so look-ups spread
        over it would otherwise grow the process's resident memory toward the size of the index."""
        import mmap

        for a in (self.seq, self.kmer_keys, self.kmer_tx, self.kmer_pos, self.kmer_genes):
            mm = getattr(a, "_mmap", None)
            if mm is not None:
                mm.madvise(mmap.MADV_DONTNEED)

    def junction_names(self) -> list[str]:
        """Names of junctions.fa records, in file order (``junction_ids`` index this list)."""
        if not hasattr(self, "_jnames"):
            with open(self.path / "junctions.fa") as fh:
                self._jnames = [line[1:].split()[0] for line in fh if line.startswith(">")]
        return self._jnames

    @property
    def alk(self) -> TranscriptInfo:
        return self.canonical[KINASE]

    def sequence(self, idx: int) -> str:
        s = self._seq_cache.get(idx)
        if s is None:
            s = bytes(self.seq[self.seq_offsets[idx] : self.seq_offsets[idx + 1]]).decode()
            self._seq_cache[idx] = s
        return s

    def filter_table(self):
        """Hash set of the ALK pre-filter k-mers (built once per process)."""
        if self._table is None:
            from .kernels import build_table

            self._table = build_table(self.alk_filter)
        return self._table

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each key, the [lo, hi) row range of the positional index holding it."""
        from .kernels import lookup

        return lookup(self.kmer_keys, self.kmer_fences, FENCE_STEP, keys)

    def listed_alk_starts(self, tx: int, panel: Panel | None = None) -> set[int]:
        """Exon starts of ALK transcript ``tx`` and the ALK starts of listed variants with an ALK-side
        deletion (EML4::ALK v7: 12 bases into exon 20), from ``panel`` (default: the shipped one)."""
        key = (tx, id(panel))
        got = self._listed_starts.get(key)
        if got is None:
            b = self.transcripts[tx].t.exon_bounds()
            got = {s for s, _ in b} | {b[v.exon3 - 1][0] + v.deletion_length for v in (panel or load_panel()).variants
                                       if v.gene3 == KINASE and v.deletion_length and v.exon3 <= len(b)}
            self._listed_starts[key] = got
        return got

    def alk_end_probes(self) -> tuple[np.ndarray, list[int]]:
        """Look-up keys (``kernels.prefix_keys``) of the reverse complements of the first 10 to 2k-1 bases
        of ALK exons 19, 20 and 21 (canonical) and of listed variants' ALK starts (their first PROBE_MAX
        bases), and those starts: a read that starts with one is the end of a fragment that stops a few
        bases into the exon, too few for an ALK k-mer (fusions with long inserts), or with a misread base
        in each of its k-mers. From ALK_END_FUZZY bases on, with one base substituted too
        (``Classifier._alk_end`` allows one from 11): a v8a read of ART's (18 ALK bases, one misread) was
        left a partner tail, and its fusion, two reads across the junction, was called from one. Built once
        per index."""
        if self._end_probes is None:
            from .kernels import prefix_keys

            starts = self._alk_end_starts()
            self._end_probes = prefix_keys(self._alk_end_prefixes(starts, ALK_END_MIN, 2 * self.k, ALK_END_FUZZY)), \
                starts
        return self._end_probes

    def alk_short_fuzzy_probes(self) -> np.ndarray:
        """Keys of the ALK ends of ``alk_end_probes`` of ALK_END_SHORT_FUZZY to ALK_END_FUZZY - 1 bases with
        one base substituted (looked at under ALK_END_SHORT_FUZZY's conditions). Built once per index."""
        if self._short_fuzzy_probes is None:
            from .kernels import prefix_keys

            fuzzy = self._alk_end_prefixes(self._alk_end_starts(), ALK_END_SHORT_FUZZY, ALK_END_FUZZY,
                                           ALK_END_SHORT_FUZZY)
            self._short_fuzzy_probes = prefix_keys(fuzzy)
        return self._short_fuzzy_probes

    def alk_short_ends(self) -> list[str]:
        """The reverse complements of the first ALK_END_SHORT_FUZZY to ALK_END_FUZZY - 1 bases of each ALK
        start of ``alk_end_probes``: what a read that is such a fragment end starts with."""
        seq = self.sequence(self.alk.idx)
        return [revcomp(seq[s : s + n]) for s in self._alk_end_starts()
                for n in range(ALK_END_SHORT_FUZZY, ALK_END_FUZZY)]

    def _alk_end_starts(self) -> list[int]:
        """ALK exons 19, 20 and 21 (canonical) and the listed variants' other ALK starts."""
        alk = self.alk
        exons = [s for s, _ in alk.t.exon_bounds()]
        return exons[18:21] + sorted(self.listed_alk_starts(alk.idx) - set(exons))

    def _alk_end_prefixes(self, starts: list[int], lo: int, hi: int, fuzzy_from: int) -> list[str]:
        """Reverse complements of the first ``lo`` to ``hi`` - 1 bases of each ALK start (at most PROBE_MAX
        of them), from ``fuzzy_from`` bases on with every one-base substitution too; ACGT only, sorted."""
        seq = self.sequence(self.alk.idx)
        prefixes = set()
        for s in starts:
            for n in range(lo, hi):
                probe = revcomp(seq[s : s + n])[:PROBE_MAX]
                prefixes.add(probe)
                if n >= fuzzy_from:
                    prefixes.update(probe[:i] + b + probe[i + 1 :] for i in range(len(probe)) for b in "ACGT")
        return sorted(p for p in prefixes if set(p) <= set("ACGT"))

    def partner_tail_probes(self) -> "TailProbes":
        """The k-mers that end an exon (not the last) of a transcript of a panel partner gene, with every
        continuation they have in those transcripts: a read that holds one and then bases unlike all of them
        runs from the exon into something else (``kernels.scan_reads_tails``). Built once per index."""
        if self._tail_probes is None:
            from .kernels import encode, kmer_keys, tail_prefilter

            k = self.k
            txs = [ti for ti in self.transcripts if ti.role == "partner"]
            ends: dict[int, tuple[int, int]] = {}  # sense key -> (transcript, exon end), canonical first
            for ti in sorted(txs, key=lambda t: (not t.canonical, t.idx)):
                keys, valid = kmer_keys(encode(self.sequence(ti.idx)), k)
                for _, e in ti.t.exon_bounds()[:-1]:
                    if e >= k and valid[e - k]:
                        ends.setdefault(int(keys[e - k]), (ti.idx, e))
            order = sorted(ends)
            row_of = {key: r for r, key in enumerate(order)}
            conts: list[set[bytes]] = [set() for _ in order]
            wanted = np.array(order, dtype=np.uint64)
            for ti in txs:
                codes = encode(self.sequence(ti.idx))
                keys, valid = kmer_keys(codes, k)
                for p in np.flatnonzero(np.isin(keys, wanted) & valid):
                    after = codes[p + k : p + k + TAIL_PROBE]
                    after = np.concatenate([after, np.full(TAIL_PROBE - len(after), 4, np.uint8)])
                    conts[row_of[int(keys[p])]].add(after.tobytes())
            width = max((len(c) for c in conts), default=1)
            table = np.full((len(order), max(width, 1), TAIL_PROBE), 4, dtype=np.uint8)
            for r, cs in enumerate(conts):
                for c, raw in enumerate(sorted(cs)):
                    table[r, c] = np.frombuffer(raw, np.uint8)
            keys = np.array(order, dtype=np.uint64)
            self._tail_probes = TailProbes(keys, np.arange(len(order), dtype=np.int64), tail_prefilter(keys, k),
                                           table, np.array([len(c) for c in conts], dtype=np.int64),
                                           [ends[key] for key in order])
        return self._tail_probes

    def pair_lengths(self, r1, r2, select_bits: int) -> np.ndarray:
        """Fragment lengths of a sample of the pairs of a batch (``kernels.pair_lengths``; -1 = not measured)."""
        from .kernels import pair_lengths

        out = pair_lengths(r1.buf, r1.seq_start, r1.seq_len, r2.buf, r2.seq_start, r2.seq_len, self.kmer_keys,
                           self.kmer_fences, FENCE_STEP, self.kmer_tx, self.kmer_pos, self.k, select_bits)
        if self.large:
            self.release_pages()
        return out

    def checksum(self) -> str:
        """Identity of the index, written into evidence files so that call refuses a foreign index."""
        return hashlib.sha256(json.dumps(self.manifest, sort_keys=True).encode()).hexdigest()[:16]
