"""Sequencing adapters of the common library kits, as reads show them after a fragment shorter than the read.

A read runs past its fragment into the adapter of the other end (read-through): read 1 into ``read1``, read 2
into ``read2`` (the sequences given to cutadapt's ``-a``/``-A`` or fastp's ``--adapter_sequence``/``_r2``).
The scan looks at reads in the fusion's sense, where a read that went through the antisense strand is
reverse-complemented: its read-through then stands *before* the fragment (``BEFORE``), and a sense read's
after it (``STARTS``). Either read can be the antisense one (unstranded, or stranded libraries of either
kind), so both reads' adapters are looked for in both places, for every kit: reads do not say their kit,
and an adapter of a kit not looked for becomes an unknown 5' part of every short ALK fragment (seen: Nextera
read-through made false ``unknown::ALK`` calls before this module).
"""

from __future__ import annotations

from .seq import revcomp

# kit: (read 1 read-through, read 2 read-through)
KITS = {
    "truseq": ("AGATCGGAAGAGCACACGTCTGAACTCCAGTCA", "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT"),
    "nextera": ("CTGTCTCTTATACACATCTCCGAGCCCACGAGAC", "CTGTCTCTTATACACATCTGACGCTGCCGACGA"),
    "mgi": ("AAGTCGGAGGCCAAGCGGTCTTAGGAAGACAA", "AAGTCGGATCGTAGCCATGTCGTTCTGTGAGCCAAGGAGTTG"),
}

READ_THROUGH = tuple(a for pair in KITS.values() for a in pair)
# as they stand before a fragment in a fusion-sense read (a reverse-complemented read's read-through)
BEFORE = tuple(revcomp(a) for a in READ_THROUGH)
START_LENGTH = 10  # read-through bases that mark where a fragment ended (sense read)
STARTS = tuple(sorted({a[:START_LENGTH] for a in READ_THROUGH}))


def read_through_start(seq: str) -> int:
    """Where adapter read-through begins in a fusion-sense read's bases after a fragment end: the first
    place one of ``STARTS`` occurs, ``len(seq)`` when none does."""
    return min((p for p in (seq.find(a) for a in STARTS) if p >= 0), default=len(seq))


def end_at_start(seq: str, adapters, longest: int, shortest: int) -> int:
    """The most bases, ``shortest`` to ``longest``, of one of ``adapters``' ends that ``seq`` starts with (a
    fragment a few bases shorter than the read leaves only the adapter's last bases before it); 0 when none."""
    return max((m for a in adapters for m in range(min(longest, len(a)), shortest - 1, -1)
                if seq.startswith(a[-m:])), default=0)


def read_through_pair(kit: str) -> tuple[str, str]:
    """The read 1 and read 2 read-through of ``kit``: a name in ``KITS``, or two sequences of 8+ ACGT
    bases written ``READ1,READ2`` (a kit the scan does not list: the simulator's way to test what reads of
    any other kit do). ValueError with what to write instead."""
    if kit in KITS:
        return KITS[kit]
    pair = tuple(x.strip().upper() for x in kit.split(","))
    if len(pair) == 2 and all(len(a) >= 8 and set(a) <= set("ACGT") for a in pair):
        return pair
    raise ValueError(f"adapters {kit!r}: use one of {', '.join(KITS)}, or READ1,READ2 read-through sequences "
                     "(8+ bases of ACGT each)")

