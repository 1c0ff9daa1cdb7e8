"""The seed tree: every run's seed derived from one root, whatever runs it and in what order.

A run's seed depends only on the root and the run's key (for a sweep: point index and
replicate), through `numpy.random.SeedSequence(entropy=root, spawn_key=key)`. Unlike
`SeedSequence(root).spawn(n)`, this does not depend on how many seeds were drawn
before, so the seeds are the same with 1 worker or 100, on a first run or a resumed
one, and when a design grows.

The model is seeded with a plain integer drawn from that SeedSequence (63 bits, so it
fits a signed 64-bit Parquet column and `community-sim run --seed`): the integer that
is stored with each run is exactly what the model got, and one run can be reproduced
on its own with `community-sim run BASE --seed SEED --days DAYS --set key=value ...`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["DESIGN_STREAM", "design_rng", "root_entropy", "run_seed"]

DESIGN_STREAM = 0x5EED_DE51
"""Spawn key of the stream that randomizes a design (LHS, scrambled Sobol', Morris).

Run seeds use two-element spawn keys, so this one-element key never meets them."""


def root_entropy(spec: Mapping[str, Any]) -> int:
    """Derive a stable 64-bit root from plain data (JSON with sorted keys, SHA-256)."""
    blob = json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big")


def run_seed(root: int, *key: int) -> int:
    """Return the model seed of the run with spawn key `key` (e.g. point, replicate) under `root`."""
    if not key or any(k < 0 for k in key):
        raise ValueError(f"a run key is one or more integers >= 0, got {key}")
    state = np.random.SeedSequence(entropy=root, spawn_key=tuple(int(k) for k in key)).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def design_rng(root: int) -> np.random.Generator:
    """Return the random generator that places a sampled design's points."""
    return np.random.default_rng(np.random.SeedSequence(entropy=root, spawn_key=(DESIGN_STREAM,)))
