"""Project exceptions.

The library raises these; the CLI turns them into one ``ERROR:`` line and exit code 1.
Messages say what is wrong *and* what to do about it.
"""


class AlkfuseError(Exception):
    """Base class of every error alkfuse reports to a user."""


class InputError(AlkfuseError):
    """A read file (FASTQ, BAM, evidence) is missing, truncated or malformed."""


class ReferenceError_(AlkfuseError):
    """The annotation or sequence given to ``alkfuse index`` cannot be used."""


class IndexError_(AlkfuseError):
    """An alkfuse index directory is missing, incomplete or of another version."""


# Friendlier public names (the trailing underscore avoids shadowing builtins inside the package).
AnnotationError = ReferenceError_
BadIndexError = IndexError_
