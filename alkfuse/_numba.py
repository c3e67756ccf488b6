"""The one numba decorator every alkfuse kernel uses.

numba is imported only when a kernel is defined (inside :func:`njit`), never when this module is
imported, so code paths that need no kernel (``alkfuse --help``) stay fast. Modules that define
kernels (``alkfuse.reads`` ...) import numba on import: import them lazily from the CLI.
"""

from __future__ import annotations


def njit(*args, **kw):
    """``numba.njit(cache=True, nogil=True, **kw)``; usable as ``@njit`` and ``@njit(...)``.

    With ``NUMBA_DISABLE_JIT=1`` numba returns the plain Python function, which is how the kernel
    bodies are checked to be correct Python.
    """
    import numba

    opts = {"cache": True, "nogil": True, **kw}
    if len(args) == 1 and callable(args[0]) and not kw:
        return numba.njit(**opts)(args[0])
    return numba.njit(*args, **opts)
