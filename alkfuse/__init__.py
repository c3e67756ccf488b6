"""alkfuse: find ALK gene fusions in sequencing reads."""

__version__ = "0.1.0"
