"""The panel knowledge alkfuse ships: ALK, its fusion partners and their paralogs, named variants, block list,
and the ends of ALK introns before the exons where fusions join ALK.

The files live in the top-level ``references/`` directory (installed as the package ``alkfuse.references``).
They hold gene symbols and identifiers; sequences come from the user's reference, with one exception:
``alk_intron_ends.tsv``, the last 50 bases of the ALK introns before exons 19-22 and 25, which a transcript
reference cannot hold and which tell ALK's own unspliced reads from an unknown partner (see its header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from alkfuse.errors import ReferenceError_

ROLES = ("kinase", "partner", "paralog")
PANEL_COLUMNS = ("symbol", "role", "ensembl_gene", "ensembl_transcript", "refseq_transcript",
                 "aliases", "reported_exons", "diseases", "note")
VARIANT_COLUMNS = ("gene5", "gene3", "name", "exon5", "exon3", "insert_length", "deletion_length", "note")
BLOCKLIST_COLUMNS = ("gene5", "gene3", "reason")
INTRON_END_COLUMNS = ("exon", "intron_end", "exon_start", "grch38", "note")
_BASES = re.compile(r"[ACGT]{10,}")
_ID_PATTERNS = {
    "ensembl_gene": re.compile(r"ENSG\d{11}"),
    "ensembl_transcript": re.compile(r"ENST\d{11}"),
    "refseq_transcript": re.compile(r"N[MR]_\d+"),
}


@dataclass(frozen=True, slots=True)
class PanelGene:
    symbol: str
    role: str
    ensembl_gene: str | None
    ensembl_transcript: str | None
    refseq_transcript: str | None
    aliases: tuple[str, ...]
    reported_exons: tuple[int, ...]
    diseases: tuple[str, ...]
    note: str


@dataclass(frozen=True, slots=True)
class NamedVariant:
    gene5: str
    gene3: str
    name: str
    exon5: int
    exon3: int
    insert_length: int
    deletion_length: int
    note: str


@dataclass(frozen=True, slots=True)
class IntronEnd:
    """The last bases of the kinase's intron before ``exon`` (its number on the panel transcript), in
    transcript sense, and the first bases of that exon (which tell whether a reference's exon is this one)."""

    exon: int
    intron_end: str
    exon_start: str


@dataclass(frozen=True)
class Panel:
    genes: dict[str, PanelGene]
    variants: tuple[NamedVariant, ...]
    blocklist: frozenset[tuple[str, str]]
    kinase: str
    intron_ends: tuple[IntronEnd, ...] = ()
    _by_alias: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_alias = {a: g.symbol for g in self.genes.values() for a in g.aliases}
        object.__setattr__(self, "_by_alias", by_alias)

    def partners(self) -> list[PanelGene]:
        return [g for g in self.genes.values() if g.role == "partner"]

    def paralogs(self) -> list[PanelGene]:
        return [g for g in self.genes.values() if g.role == "paralog"]

    def gene(self, symbol_or_alias: str) -> PanelGene | None:
        """The gene with this symbol, else the gene with this alias (both case-sensitive), else None."""
        symbol = symbol_or_alias if symbol_or_alias in self.genes else self._by_alias.get(symbol_or_alias)
        return self.genes.get(symbol) if symbol else None

    def canonical_ids(self, symbol: str) -> tuple[str, ...]:
        """Ensembl and RefSeq transcript ids (no version) of a gene; () when unknown."""
        g = self.gene(symbol)
        return tuple(i for i in (g.ensembl_transcript, g.refseq_transcript) if i) if g else ()

    def name_variant(self, gene5: str, exon5: int | None, gene3: str, exon3: int | None,
                     insert_length: int, deletion_length: int, tolerance: int = 3) -> str | None:
        """Name of the listed variant with these junction exons, or None.

        Exons and deletion must match exactly; the insert must be within +/- tolerance of the variant's
        insert when it has one, and exactly 0 when it has none. The closest insert wins.
        """
        if exon5 is None or exon3 is None:
            return None
        g5, g3 = self.gene(gene5), self.gene(gene3)
        s5, s3 = (g5.symbol if g5 else gene5), (g3.symbol if g3 else gene3)
        best: tuple[int, str] | None = None
        for v in self.variants:
            if (v.gene5, v.gene3, v.exon5, v.exon3, v.deletion_length) != (s5, s3, exon5, exon3, deletion_length):
                continue
            diff = abs(insert_length - v.insert_length)
            if (diff <= tolerance if v.insert_length > 0 else insert_length == 0) and (best is None or diff < best[0]):
                best = (diff, v.name)
        return best[1] if best else None


# --------------------------------------------------------------------------------------------- reading


def _shipped(name: str):
    """A file shipped in alkfuse.references (installed) or the source tree's references/ (not installed)."""
    try:
        return resources.files("alkfuse.references") / name
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "references" / name


def _rows(source, columns: tuple[str, ...]):
    """Yield (line number, fields) of a '#'-commented TSV whose first other line is the header row."""
    name = str(source)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceError_(f"{name}: cannot read ({exc}); give a readable UTF-8 tab-separated file") from exc
    header_seen = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        if not header_seen:
            if tuple(fields) != columns:
                raise ReferenceError_(f"{name}:{lineno}: expected the header row "
                                      f"{' | '.join(columns)} (tab-separated), found {' | '.join(fields)}")
            header_seen = True
            continue
        if len(fields) != len(columns):
            raise ReferenceError_(f"{name}:{lineno}: {len(fields)} fields, expected {len(columns)} "
                                  f"({', '.join(columns)}); separate fields with single tabs, '.' for empty")
        yield lineno, dict(zip(columns, fields))
    if not header_seen:
        raise ReferenceError_(f"{name}: no header row; add the tab-separated line {' | '.join(columns)}")


def _fail(source, lineno: int, what: str) -> ReferenceError_:
    return ReferenceError_(f"{source}:{lineno}: {what}")


def _opt(value: str) -> str | None:
    return None if value in ("", ".") else value


def _list(value: str) -> tuple[str, ...]:
    return () if _opt(value) is None else tuple(x.strip() for x in value.split(",") if x.strip())


def _int(source, lineno: int, column: str, value: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise _fail(source, lineno, f"{column} {value!r} is not an integer >= {minimum}; write a plain number")
    return number


def _read_panel(source) -> dict[str, PanelGene]:
    genes: dict[str, PanelGene] = {}
    names: dict[str, str] = {}  # every symbol and alias -> the symbol it belongs to
    for lineno, r in _rows(source, PANEL_COLUMNS):
        symbol, role = r["symbol"], r["role"]
        if not symbol or symbol == ".":
            raise _fail(source, lineno, "empty symbol; give the HGNC symbol")
        if role not in ROLES:
            raise _fail(source, lineno, f"role {role!r} unknown; use one of {', '.join(ROLES)}")
        ids = {}
        for column, pattern in _ID_PATTERNS.items():
            value = _opt(r[column])
            if value is not None and not pattern.fullmatch(value):
                raise _fail(source, lineno, f"{column} {value!r} is malformed; expected e.g. "
                                            f"{pattern.pattern} without a version suffix, or '.'")
            ids[column] = value
        aliases = _list(r["aliases"])
        for n in (symbol, *aliases):
            if n in names:
                raise _fail(source, lineno, f"{n!r} already names {names[n]}; symbols and aliases must be unique")
            names[n] = symbol
        exons = tuple(_int(source, lineno, "reported_exons", e, 1) for e in _list(r["reported_exons"]))
        genes[symbol] = PanelGene(symbol, role, ids["ensembl_gene"], ids["ensembl_transcript"],
                                  ids["refseq_transcript"], aliases, exons, _list(r["diseases"]),
                                  _opt(r["note"]) or "")
    return genes


def _read_variants(source, genes: dict[str, PanelGene]) -> tuple[NamedVariant, ...]:
    variants: list[NamedVariant] = []
    seen: set[tuple[str, str, str]] = set()
    for lineno, r in _rows(source, VARIANT_COLUMNS):
        for column in ("gene5", "gene3"):
            if r[column] not in genes:
                raise _fail(source, lineno, f"{column} {r[column]!r} is not a symbol of the panel; "
                                            "add it to panel.tsv or use its panel symbol")
        key = (r["gene5"], r["gene3"], r["name"])
        if not r["name"] or r["name"] == "." or key in seen:
            raise _fail(source, lineno, f"name {r['name']!r} is empty or repeated for {key[0]}::{key[1]}; "
                                        "names must be unique per fusion")
        seen.add(key)
        variants.append(NamedVariant(
            r["gene5"], r["gene3"], r["name"],
            _int(source, lineno, "exon5", r["exon5"], 1), _int(source, lineno, "exon3", r["exon3"], 1),
            _int(source, lineno, "insert_length", r["insert_length"], 0),
            _int(source, lineno, "deletion_length", r["deletion_length"], 0), _opt(r["note"]) or ""))
    return tuple(variants)


def read_blocklist(path) -> frozenset[tuple[str, str]]:
    """Directed (gene5, gene3) pairs from a block-list TSV (header gene5, gene3, reason)."""
    source = path if hasattr(path, "read_text") else Path(path)
    pairs = set()
    for lineno, r in _rows(source, BLOCKLIST_COLUMNS):
        if _opt(r["gene5"]) is None or _opt(r["gene3"]) is None:
            raise _fail(source, lineno, "gene5 and gene3 must both be gene symbols")
        pairs.add((r["gene5"], r["gene3"]))
    return frozenset(pairs)


def read_intron_ends(path) -> tuple[IntronEnd, ...]:
    """Kinase intron ends from a TSV (header exon, intron_end, exon_start, grch38, note)."""
    source = path if hasattr(path, "read_text") else Path(path)
    ends: dict[int, IntronEnd] = {}
    for lineno, r in _rows(source, INTRON_END_COLUMNS):
        exon = _int(source, lineno, "exon", r["exon"], 2)
        for column in ("intron_end", "exon_start"):
            if not _BASES.fullmatch(r[column]):
                raise _fail(source, lineno, f"{column} must be 10 or more of the bases A, C, G, T (upper case)")
        if exon in ends:
            raise _fail(source, lineno, f"exon {exon} is listed twice; keep one row per exon")
        ends[exon] = IntronEnd(exon, r["intron_end"], r["exon_start"])
    return tuple(ends[e] for e in sorted(ends))


def load_panel(panel_tsv: str | Path | None = None, variants_tsv=None, blocklist_tsv=None,
               intron_ends_tsv=None) -> Panel:
    """Load the panel; each file defaults to the one shipped with alkfuse."""
    def pick(given, default):
        return _shipped(default) if given is None else Path(given)

    panel_source = pick(panel_tsv, "panel.tsv")
    genes = _read_panel(panel_source)
    kinases = [g.symbol for g in genes.values() if g.role == "kinase"]
    if len(kinases) != 1:
        raise ReferenceError_(f"{panel_source}: {len(kinases)} genes with role kinase ({', '.join(kinases)}); "
                              "exactly one (ALK) is required")
    variants = _read_variants(pick(variants_tsv, "variants.tsv"), genes)
    blocklist = read_blocklist(pick(blocklist_tsv, "blocklist.tsv"))
    intron_ends = read_intron_ends(pick(intron_ends_tsv, "alk_intron_ends.tsv"))
    return Panel(genes=genes, variants=variants, blocklist=blocklist, kinase=kinases[0], intron_ends=intron_ends)
