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
