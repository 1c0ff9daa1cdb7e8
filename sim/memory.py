"""Keep freed memory for reuse: large numpy temporaries then cost no page faults.

Each simulated day allocates and frees dozens of member-sized temporary arrays. By
default glibc serves allocations above 128 KiB with fresh mmap'd pages and hands them
back to the system when freed, so every temporary pays a page fault per 4 KiB page;
on virtual machines that made elementwise numpy work 5 to 6 times slower than the
arithmetic itself. Raising glibc's mmap and trim thresholds keeps freed blocks in the
heap, where the next day's temporaries reuse them. Peak memory is unchanged; memory
is returned to the system only when the process ends. A no-op outside glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import numpy as np

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_done = False


def reuse_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed blocks up to 32 MiB for reuse. True if it took effect."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1
        ok &= libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30) == 1
    except (OSError, AttributeError):  # not glibc (musl, ...): leave malloc alone
        return False
    _done = bool(ok)
    return _done


def narrow(counts: np.ndarray) -> np.ndarray:
    """Return int64 `counts` as int32 (other arrays as they are), for records kept every day of a run.

    A run of a million members keeps about 3,000 groups' counts for each of 365 days;
    counts of people (at most the pool, 1e9) fit in int32 and take half the memory.
    `widen` gives the int64 values back, exactly.
    """
    return counts.astype(np.int32) if counts.dtype == np.int64 else counts


def widen(counts: np.ndarray) -> np.ndarray:
    """Return int32 `counts` as int64 (other arrays as they are): what `narrow` stored, as it was."""
    return counts.astype(np.int64) if counts.dtype == np.int32 else counts
