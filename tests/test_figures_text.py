"""Chinese names render in figures; no numpy RuntimeWarning reaches the user from the presets."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim import CommunityModel, load_scenario
from sim.report.fonts import cjk_family, shorten, use_cjk_fonts
from tests.helpers import SCENARIOS

NAME = "社群运营基线"


def test_shorten_keeps_short_names_and_cuts_long_ones() -> None:
    assert shorten("baseline", 20) == "baseline"
    long = "社群运营基线：付费门槛与KOL输出的长期影响对比实验"
    cut = shorten(long, 20)
    assert cut.endswith("…") and len(cut) < len(long)
    assert shorten("x" * 100, 30) == "x" * 29 + "…"


def _render(text: str) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    use_cjk_fonts()
    fig = Figure(figsize=(3, 1), dpi=100)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.05, 0.4, text, fontsize=20)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0]


def test_chinese_text_renders_with_a_cjk_font() -> None:
    if cjk_family() is None:
        if os.environ.get("CI"):
            pytest.fail("no CJK font installed (make fonts installs fonts-noto-cjk)")
        pytest.skip("no CJK font installed; `make fonts` installs fonts-noto-cjk")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning from matplotlib
        first, second = _render("社群"), _render("运营")
    assert (first < 128).sum() > 50, "the characters draw ink"
    assert not np.array_equal(first, second), "different characters draw differently (no tofu boxes)"


def test_overview_png_with_a_chinese_title(tmp_path: Path) -> None:
    from sim.report.overview import plot_overview

    model = CommunityModel(load_scenario(SCENARIOS / "baseline.toml"), rng=1).run(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error" if cjk_family() else "ignore", UserWarning)
        plot_overview(model.metrics(), tmp_path / "overview.png", title=f"{NAME} · seed 1 · 10 days")
    assert (tmp_path / "overview.png").stat().st_size > 10_000


PRESETS = sorted(p.stem for p in SCENARIOS.glob("*.toml"))


@pytest.mark.parametrize("name", PRESETS)
def test_presets_raise_no_runtime_warning(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = CommunityModel(load_scenario(SCENARIOS / f"{name}.toml"), rng=2).run(30)
        model.metrics()
        model.summary()
