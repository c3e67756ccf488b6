"""Run a command under GNU time (Debian package ``time``): wall seconds, CPU seconds, peak RSS in MB.

GNU time reports the child's own rusage (all its threads and waited-for descendants); a child forked
straight from Python would report Python's memory as its peak.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time


def timed(cmd, env=None) -> dict:
    """Run ``cmd`` (exits with its stderr on failure); returns {"wall", "cpu", "rss_mb"}."""
    cmd = [str(c) for c in cmd]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", tf.name, *cmd], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        if p.returncode:
            sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
        user, system, rss = tf.read().split()[-3:]
    return {"wall": wall, "cpu": float(user) + float(system), "rss_mb": int(rss) / 1024}
