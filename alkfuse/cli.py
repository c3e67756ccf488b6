"""Command line: validates options, calls a plain function, turns project errors into one line.

``main(argv)`` returns an exit code (0 ok, 1 bad input, 2 bad usage) so tests run it in-process; only
``entry`` exits. Heavy imports (numpy, numba, pysam) happen inside the commands, so ``--help`` and
``--version`` are instant.
"""

from __future__ import annotations

import logging
import sys

import click

from . import __version__
from .errors import AlkfuseError
from .filters import FILTERS

log = logging.getLogger("alkfuse")

FILTER_NAMES = tuple(FILTERS)


class _Group(click.Group):
    """Loads the ``simulate`` command from its module only when asked for."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | {"simulate"})

    def get_command(self, ctx, name):
        if name == "simulate":
            from .simulate import simulate_command

            return simulate_command
        return super().get_command(ctx, name)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="%(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.option("-q", "--quiet", is_flag=True, help="Log warnings only.")
@click.pass_context
def cli(ctx, debug, quiet):
    """alkfuse: find ALK gene fusions in sequencing reads.

    \b
    alkfuse index  --gtf GTF --transcripts FASTA --out IDX     build an index once
    alkfuse detect --index IDX -1 R1.fq.gz -2 R2.fq.gz --out OUT
    alkfuse scan / alkfuse call                                the same in two steps (scatter/gather)
    """
    ctx.obj = {"debug": debug}
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s: %(message)s", stream=sys.stderr, force=True)


@cli.command()
@click.option("--gtf", required=True, type=click.Path(dir_okay=False), help="Annotation (GENCODE, Ensembl or UCSC/RefSeq GTF; gzip or plain).")
@click.option("--transcripts", type=click.Path(dir_okay=False), help="Transcript (cDNA) FASTA matching the GTF.")
@click.option("--genome", type=click.Path(dir_okay=False), help="Genome FASTA (plain or bgzip; 'chr' names or not).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Index directory to write.")
@click.option("-k", "--kmer-size", default=19, show_default=True, type=click.IntRange(15, 31), help="k-mer length.")
@click.option("--background-step", type=click.IntRange(1, 64), default=None,
              help="Index every N-th k-mer of non-panel transcripts (default: 1, or 8 above 50 Mb of sequence).")
def index(gtf, transcripts, genome, out, kmer_size, background_step):
    """Build an index from an annotation and its sequence."""
    from .index import build_index

    if (transcripts is None) == (genome is None):
        raise click.UsageError("give exactly one of --transcripts or --genome")
    m = build_index(gtf, out, transcripts_fasta=transcripts, genome_fasta=genome, k=kmer_size,
                    background_step=background_step)
    log.info("index written to %s: %d transcripts, %d ALK pre-filter k-mers", out,
             m["counts"]["transcripts"], m["counts"]["alk_filter_kmers"])


def _reads_options(f):
    opts = [
        click.option("-1", "--r1", "r1", type=click.Path(dir_okay=False, allow_dash=True),
                     help="Reads (FASTQ/FASTA, gzip or plain; '-' for stdin), or mate 1."),
        click.option("-2", "--r2", "r2", type=click.Path(dir_okay=False), help="Mate 2 (paired-end)."),
        click.option("--bam", type=click.Path(dir_okay=False),
                     help="Unaligned BAM (paired by name), or aligned coordinate-sorted indexed BAM."),
        click.option("--cram", type=click.Path(dir_okay=False), help="CRAM (needs --reference)."),
        click.option("--reference", type=click.Path(dir_okay=False), help="Genome FASTA the CRAM was written against."),
        click.option("--full-scan", is_flag=True,
                     help="Aligned BAM/CRAM: read every record instead of the ALK and partner loci, unmapped "
                          "reads and chimeric alignments (finds partners outside the panel)."),
        click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 256),
                     help="Threads (decompression and scanning); output is identical for every value."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _read_source(r1, r2, bam, cram, reference, full_scan) -> dict:
    """Validate the read options; return the keyword arguments of pipeline.scan."""
    given = [x for x in (r1, bam, cram) if x]
    if len(given) != 1:
        raise click.UsageError("give reads with -1 [-2], or --bam, or --cram (exactly one)")
    if r2 and not r1:
        raise click.UsageError("-2 needs -1")
    if cram and not reference:
        raise click.UsageError("--cram needs --reference (the genome FASTA it was written against)")
    if (reference or full_scan) and r1:
        raise click.UsageError("--reference and --full-scan go with --bam/--cram")
    if r1:
        return {"r1": r1, "r2": r2}
    return {"bam": bam or cram, "reference": reference, "full_scan": full_scan}


@cli.command()
@click.option("--index", "index_dir", required=True, type=click.Path(file_okay=False), help="alkfuse index directory.")
@_reads_options
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Evidence file to write (.jsonl.gz).")
def scan(index_dir, r1, r2, bam, cram, reference, full_scan, threads, out):
    """Scan reads for ALK fusion evidence (scatter step)."""
    from .pipeline import scan_to_file

    src = _read_source(r1, r2, bam, cram, reference, full_scan)
    ev = scan_to_file(index_dir, out, threads=threads, **src)
    log.info("%d fragments scanned, %d kept as evidence", ev.stats.fragments, len(ev.fragments))


def _call_options(f):
    f = click.option("--sample", default="sample", show_default=True, help="Sample name for the outputs.")(f)
    f = click.option("--disable-filter", "disabled", multiple=True, type=click.Choice(FILTER_NAMES),
                     help="Switch a filter off (repeatable).")(f)
    f = click.option("--blocklist", type=click.Path(dir_okay=False, exists=True),
                     help="TSV of gene5<TAB>gene3 pairs to discard (added to references/blocklist.tsv).")(f)
    return f


def _blocklist(path):
    if not path:
        return frozenset()
    from .panel import read_blocklist

    return read_blocklist(path)


@cli.command(name="call")
@click.option("--index", "index_dir", required=True, type=click.Path(file_okay=False), help="alkfuse index directory.")
@click.argument("evidence", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@_call_options
def call_cmd(index_dir, evidence, out, sample, disabled, blocklist):
    """Merge evidence files (gather step) and call fusions."""
    from .pipeline import call_files

    res = call_files(index_dir, list(evidence), out, sample=sample, disabled_filters=disabled,
                     blocklist=_blocklist(blocklist))
    _report(res)


@cli.command()
@click.option("--index", "index_dir", required=True, type=click.Path(file_okay=False), help="alkfuse index directory.")
@_reads_options
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@_call_options
def detect(index_dir, r1, r2, bam, cram, reference, full_scan, threads, out, sample, disabled, blocklist):
    """Scan reads and call fusions in one step."""
    from .pipeline import detect as run

    src = _read_source(r1, r2, bam, cram, reference, full_scan)
    res = run(index_dir, out, sample=sample, threads=threads, disabled_filters=disabled,
              blocklist=_blocklist(blocklist), **src)
    _report(res)


def _report(res):
    passed = [c for c in res.calls if c.passed]
    for c in passed:
        rec = f"; {c.reciprocal_fragments} of the reciprocal transcript" if c.reciprocal_fragments else ""
        log.info("%s %s %s: %d unique fragments (%s)%s", c.fusion, c.junction,
                 c.known_variant if c.known_variant != "." else "", c.unique_fragments, c.confidence, rec)
    for text in res.warnings:
        log.warning("%s", text)
    log.info("%d fusion call(s), %d discarded; outputs in %s", len(passed), len(res.calls) - len(passed),
             res.paths["tsv"].parent)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="alkfuse", standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.exceptions.Abort:
        click.echo("ERROR: interrupted", err=True)
        return 130
    except AlkfuseError as e:
        if debug:
            raise
        click.echo(f"ERROR: {e}", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("ERROR: interrupted", err=True)
        return 130
    return 0


def entry() -> None:
    sys.exit(main())
