"""What a run or a sweep may ask of the machine: size limits and memory estimates.

Every request is checked before anything is allocated, so an oversized one (a pool of
10^10 people, a grid of 10^8 points, a Sobol' design of 2^30 samples) is refused at
once with one line saying how much memory it would need and how much there is, instead
of crashing or swapping the machine to a halt.

The limits below are the one bound of each option, the same whether it is set in a
scenario file, on the command line or in a sweep file. The memory estimates are
deliberately generous upper bounds measured on the vectorized engine (about 300 bytes
per member after a few days, 771 MB peak for a million members over 365 days, see
benchmarks/results.json) and the agents engine (about 600 bytes more per member).
The cap is what the system reports as available (MemAvailable in /proc/meminfo);
`--max-memory` or the environment variable COMMUNITY_SIM_MAX_MEMORY replace it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_MEMORY_ENV",
    "MAX_POINTS",
    "MAX_REPLICATES",
    "MAX_RUNS",
    "MAX_SAMPLES",
    "MAX_WORKERS",
    "ResourceError",
    "available_memory",
    "check_memory",
    "format_bytes",
    "memory_cap",
    "parse_size",
    "run_memory",
    "sweep_memory",
]

MAX_REPLICATES = 10_000
"""Most replicates of a point or scenario (`--replicates`, a sweep's `replicates`)."""
MAX_WORKERS = 256
"""Most worker processes of a local cluster (`--workers`)."""
MAX_SAMPLES = 2**20
"""Largest `samples` of a sampled design (lhs points, sobol N, morris trajectories)."""
MAX_POINTS = 1_000_000
"""Most points of one design (grid size, or the points a sampled design makes)."""
MAX_RUNS = 10_000_000
"""Most runs (points x replicates) of one sweep."""

MAX_MEMORY_ENV = "COMMUNITY_SIM_MAX_MEMORY"
"""Environment variable that sets the memory cap, like `--max-memory` (e.g. 16GB)."""

PERSON_BYTES = 800
"""Memory per person of the potential pool, vectorized engine (traits, state, daily temporaries)."""
AGENT_PERSON_BYTES = 800
"""Extra memory per person with the agents engine (one Mesa agent per member)."""
ROLE_BYTES = 8_000
"""Memory per KOL or admin agent and its bookkeeping."""
DAY_BYTES = 4_000
"""Memory per simulated day: the daily metrics rows and the calendar."""
JOB_BYTES = 4_000
"""Memory per run of a sweep held by the driver: the job, its labels, its future and its row."""
DESIGN_VALUE_BYTES = 24
"""Memory per value of a design matrix while it is built (draws, scaled values, point dicts)."""

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9, "t": 10**12}
_UNITS |= {"tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


class ResourceError(ValueError):
    """A request larger than the machine can hold: one line, how much it needs and how much there is."""


def parse_size(text: str) -> int:
    """Read a memory size such as ``8GB``, ``512MB``, ``2GiB`` or a number of bytes; ValueError if not one."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise ValueError(f"'{text}' is not a memory size; write e.g. 8GB, 512MB or 2GiB")
    size = float(match.group(1)) * _UNITS[unit]
    if not 0 < size < 2**63:
        raise ValueError(f"'{text}' is not a memory size > 0")
    return int(size)


def format_bytes(size: float) -> str:
    """Say a size in bytes as B, kB, MB, GB or TB (powers of 1000)."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size:.0f} B"


def available_memory(meminfo: str | Path = "/proc/meminfo") -> int | None:
    """Read MemAvailable (bytes) from /proc/meminfo; None where the system does not report it."""
    try:
        text = Path(meminfo).read_text(encoding="ascii")
    except OSError:
        pages, size = _sysconf("SC_AVPHYS_PAGES"), _sysconf("SC_PAGE_SIZE")
        return pages * size if pages and size else None
    match = re.search(r"^MemAvailable:\s+(\d+)\s*kB", text, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def _sysconf(name: str) -> int | None:
    try:
        return int(os.sysconf(name))
    except (AttributeError, ValueError, OSError):
        return None


def memory_cap(max_memory: str | int | None = None) -> tuple[int | None, str]:
    """Return the memory a request may use and where that figure comes from.

    `max_memory` (from `--max-memory`) wins, then $COMMUNITY_SIM_MAX_MEMORY, then MemAvailable.
    Raises ValueError for a malformed size.
    """
    if max_memory is not None:
        return (max_memory if isinstance(max_memory, int) else parse_size(max_memory)), "--max-memory"
    if env := os.environ.get(MAX_MEMORY_ENV):
        try:
            return parse_size(env), f"${MAX_MEMORY_ENV}"
        except ValueError as exc:
            raise ValueError(f"${MAX_MEMORY_ENV}: {exc}") from None
    return available_memory(), "available (MemAvailable)"


def run_memory(scenario: Any, engine: str = "vectorized", days: int | None = None) -> int:
    """Estimate the peak memory of one run of `scenario` (bytes), before building it.

    Everyone in the potential pool may join, so the pool sets the size of the people table
    and, with the agents engine, of the agent set; KOLs, admins and the days add a little.
    """
    pool = int(scenario.population.potential_pool)
    per_person = PERSON_BYTES + (AGENT_PERSON_BYTES if engine == "agents" else 0)
    roles = int(scenario.roles.kols) + int(scenario.roles.admins) + int(scenario.kol.max_kols)
    n_days = int(scenario.run.days if days is None else days)
    return pool * per_person + roles * ROLE_BYTES + n_days * DAY_BYTES


def sweep_memory(n_runs: int, n_values: int, per_run: int, concurrent: int) -> int:
    """Estimate the memory of a sweep: its design, its job list and `concurrent` runs at a time (bytes)."""
    return n_values * DESIGN_VALUE_BYTES + n_runs * JOB_BYTES + max(1, concurrent) * per_run


def check_memory(needed: int, what: str, hint: str, max_memory: str | int | None = None) -> None:
    """Raise ResourceError if `needed` bytes exceed the cap; `hint` says what to make smaller."""
    cap, origin = memory_cap(max_memory)
    if cap is None or needed <= cap:
        return
    raise ResourceError(
        f"{what} needs about {format_bytes(needed)} of memory, {format_bytes(cap)} {origin}; "
        f"{hint}, or raise the cap with --max-memory (e.g. --max-memory {format_bytes(needed * 1.2).replace(' ', '')})"
    )
