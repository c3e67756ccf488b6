"""Shared fixtures: a synthetic reference (built per session with a fixed seed) and the real shared data."""

from pathlib import Path

import pytest

from synthetic import make_reference

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
PANEL = SHARED / "reference" / "grch38_panel"
READS = SHARED / "reads"


@pytest.fixture(scope="session")
def synth_ref(tmp_path_factory):
    return make_reference(tmp_path_factory.mktemp("synthref"))


@pytest.fixture(scope="session")
def synth_index(synth_ref, tmp_path_factory):
    from alkfuse.index import build_index

    out = tmp_path_factory.mktemp("synthidx") / "idx"
    build_index(synth_ref["gtf"], out, transcripts_fasta=synth_ref["transcripts"])
    return out


@pytest.fixture(scope="session")
def synth_genome_index(synth_ref, tmp_path_factory):
    from alkfuse.index import build_index

    out = tmp_path_factory.mktemp("synthgidx") / "idx"
    build_index(synth_ref["gtf"], out, genome_fasta=synth_ref["genome"])
    return out


@pytest.fixture(scope="session")
def panel_index(tmp_path_factory):
    """Index of the real GRCh38 panel reference in ../shared/data."""
    from alkfuse.index import build_index

    out = tmp_path_factory.mktemp("panelidx") / "idx"
    build_index(PANEL / "annotation.gtf.gz", out, transcripts_fasta=PANEL / "transcripts.fa.gz")
    return out
