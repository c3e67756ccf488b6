"""Sequence helpers shared by every stage (plain Python; the numba kernels have their own)."""

from __future__ import annotations

_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def revcomp(seq: str) -> str:
    """Reverse complement; bases other than ACGT become N's complement (N)."""
    return seq.translate(_COMP)[::-1]


def low_complexity(seq: str, min_distinct_dimers: int = 4) -> bool:
    """True for homopolymers, dinucleotide repeats and similar (few distinct dinucleotides).

    A 20-base anchor of ``ACACAC...`` has 2 distinct dinucleotides; random sequence has 10 or more.
    Also true when more than 80% of the bases are one base.
    """
    if len(seq) < 2:
        return True
    dimers = {seq[i : i + 2] for i in range(len(seq) - 1)}
    if len(dimers) < min_distinct_dimers:
        return True
    top = max(seq.count(b) for b in "ACGT")
    return top > 0.8 * len(seq)
