"""The README: its first commands are the two make targets; its speed figures are the benchmarks'."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _readme_figures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "benchmarks" / "readme_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_first_commands_are_make_demo_and_make_test() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert first_block is not None
    assert first_block.group(1).splitlines() == ["make demo", "make test"]


def test_the_speed_figures_are_those_of_the_benchmark_json() -> None:
    rf = _readme_figures()
    text = README.read_text(encoding="utf-8")
    block = text.split(rf.BEGIN, 1)[1].split(rf.END, 1)[0].strip()
    assert block == rf.current_figures(), "run `python benchmarks/readme_figures.py` (make bench does)"
    engine = json.loads(rf.ENGINE_RESULTS.read_text(encoding="utf-8"))
    at_100k = next(r for r in engine["throughput"] if r["members"] == 100_000 and r["engine"] == "vectorized")
    assert f"{at_100k['member_days_per_second'] / 1e6:.1f} million member-days per second" in block


def test_new_results_rewrite_the_block_and_nothing_else() -> None:
    rf = _readme_figures()
    engine = json.loads(rf.ENGINE_RESULTS.read_text(encoding="utf-8"))
    sweep = json.loads(rf.SWEEP_RESULTS.read_text(encoding="utf-8"))
    faster = copy.deepcopy(engine)
    for row in faster["throughput"]:
        row["member_days_per_second"] = 9.87e6
    faster["engine_ratio"]["speedup"] = 512.3
    block = rf.figures(faster, sweep)
    assert "9.9 million member-days per second" in block and "512 times as fast" in block
    text = README.read_text(encoding="utf-8")
    updated = rf.fill(text, block)
    assert block in updated and updated.replace(block, rf.current_figures()) == text
    with pytest.raises(ValueError, match="lacks the markers"):
        rf.fill("# no markers\n", block)
