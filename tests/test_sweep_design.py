"""Sweep files: validation (one line naming the file and the key), designs and the seed tree."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_one_line_error, invoke_cli

from sim.experiments import SweepError, load_sweep, run_seed, sweep_jobs

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"

GRID = """
base = "{base}"
days = 20
replicates = 2
design = "grid"

[parameters]
entry.threshold = ["free", "invite", "review"]
output.kol_posts_per_day = [1.0, 3.0]
"""


def write_sweep(tmp_path: Path, body: str, name: str = "sweep.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).replace("{base}", str(BASELINE)), encoding="utf-8")
    return path


# ---------------------------------------------------------------- designs


def test_grid_is_the_product_of_the_levels_in_file_order(tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, GRID))
    assert sweep.n_points == 6 and sweep.n_runs == 12
    points = sweep.points()
    assert points[0] == {"entry.threshold": "free", "output.kol_posts_per_day": 1.0}
    assert points[1] == {"entry.threshold": "free", "output.kol_posts_per_day": 3.0}
    assert points[-1] == {"entry.threshold": "review", "output.kol_posts_per_day": 3.0}
    jobs = sweep_jobs(sweep)
    assert [j.run_id for j in jobs[:3]] == ["p00000-r000", "p00000-r001", "p00001-r000"]
    assert jobs[2].labels == {"point": 1, "replicate": 0, **points[1]}
    assert jobs[2].overrides == points[1] and jobs[2].days == 20
    assert Path(jobs[0].scenario).is_absolute()


def test_quoted_dotted_keys_work_like_nested_ones(tmp_path: Path) -> None:
    quoted = GRID.replace("entry.threshold", '"entry.threshold"')
    a, b = load_sweep(write_sweep(tmp_path, GRID, "a.toml")), load_sweep(write_sweep(tmp_path, quoted, "b.toml"))
    assert a.points() == b.points() and a.root == b.root


def test_lhs_keeps_integers_integer_and_stratifies_reals(tmp_path: Path) -> None:
    body = """
    base = "{base}"
    days = 10
    replicates = 1
    design = "lhs"
    samples = 40

    [parameters]
    roles.kols = {min = 1, max = 4}
    output.kol_posts_per_day = {min = 0, max = 4}
    moderation.ad_policy = ["tolerate", "kick"]
    """
    sweep = load_sweep(write_sweep(tmp_path, body))
    points = sweep.points()
    assert len(points) == 40
    kols = [p["roles.kols"] for p in points]
    assert all(type(k) is int for k in kols) and set(kols) == {1, 2, 3, 4}
    assert kols.count(1) == kols.count(4) == 10  # a Latin hypercube gives each integer an equal share
    posts = np.array([p["output.kol_posts_per_day"] for p in points])
    assert all(isinstance(v, float) for v in posts)  # a float key with integer bounds stays continuous
    assert sorted(np.floor(posts / 4 * 40).astype(int)) == list(range(40))  # one point per stratum
    assert {p["moderation.ad_policy"] for p in points} == {"tolerate", "kick"}


def test_sobol_has_saltelli_size_and_morris_trajectory_size(tmp_path: Path) -> None:
    ranges = """
    [parameters]
    acquisition.referral_rate = {min = 0.0, max = 0.05}
    output.kol_posts_per_day = {min = 0.5, max = 4.0}
    moderation.ad_policy = ["tolerate", "warn_then_kick", "kick"]
    """
    head = 'base = "{base}"\ndays = 10\nreplicates = 1\n'
    sobol = load_sweep(write_sweep(tmp_path, head + 'design = "sobol"\nsamples = 16\n' + ranges, "s.toml"))
    assert sobol.n_points == 16 * (2 * 3 + 2)
    morris = load_sweep(write_sweep(tmp_path, head + 'design = "morris"\nsamples = 5\n' + ranges, "m.toml"))
    assert morris.n_points == 5 * (3 + 1)
    for p in sobol.points():
        assert 0.0 <= p["acquisition.referral_rate"] <= 0.05 and 0.5 <= p["output.kol_posts_per_day"] <= 4.0


def test_the_same_file_gives_the_same_points_and_seeds(tmp_path: Path) -> None:
    body = GRID.replace('design = "grid"', 'design = "lhs"\nsamples = 8').replace(
        "[1.0, 3.0]", "{min = 1.0, max = 3.0}"
    )
    a = load_sweep(write_sweep(tmp_path, body, "a.toml"))
    b = load_sweep(write_sweep(tmp_path, "# a comment changes nothing\n" + body, "b.toml"))
    assert a.points() == b.points()
    assert [j.seed for j in sweep_jobs(a)] == [j.seed for j in sweep_jobs(b)]
    c = load_sweep(write_sweep(tmp_path, body.replace("max = 3.0", "max = 3.5"), "c.toml"))
    assert c.root != a.root  # another sweep, another seed tree
    d = load_sweep(write_sweep(tmp_path, "seed = 42\n" + body, "d.toml"))
    assert d.root == 42


def test_run_seeds_depend_on_the_key_only() -> None:
    seeds = {(p, r): run_seed(123, p, r) for p in range(50) for r in range(4)}
    assert len(set(seeds.values())) == len(seeds)
    assert all(0 <= s < 2**63 for s in seeds.values())
    backwards = {(p, r): run_seed(123, p, r) for p in reversed(range(50)) for r in reversed(range(4))}
    assert backwards == seeds
    assert run_seed(124, 0, 0) != seeds[0, 0]
    with pytest.raises(ValueError):
        run_seed(1, -1, 0)


# ---------------------------------------------------------------- bad sweep files

HEAD = 'base = "{base}"\ndays = 20\nreplicates = 2\n'
BAD = {
    "unknown top-level key": (
        HEAD + 'desing = "grid"\n[parameters]\nentry.threshold = ["free"]\n',
        "desing",
        "did you mean 'design'",
    ),
    "missing replicates": (
        'base = "{base}"\ndays = 20\ndesign = "grid"\n[parameters]\nentry.fee = [1]\n',
        "replicates",
        "missing",
    ),
    "bad design": (
        HEAD + 'design = "factorial"\n[parameters]\nentry.fee = [1]\n',
        "design",
        "allowed values: grid, lhs, sobol, morris",
    ),
    "lhs without samples": (
        HEAD + 'design = "lhs"\n[parameters]\nentry.fee = {min = 0, max = 9}\n',
        "samples",
        "needs samples",
    ),
    "sobol samples not a power of 2": (
        HEAD + 'design = "sobol"\nsamples = 100\n[parameters]\nentry.fee = {min = 0, max = 9}\n',
        "samples",
        "power of 2",
    ),
    "samples for a grid": (
        HEAD + 'design = "grid"\nsamples = 4\n[parameters]\nentry.fee = [1]\n',
        "samples",
        "only lhs, sobol and morris",
    ),
    "grid with a range": (
        HEAD + 'design = "grid"\n[parameters]\nentry.fee = {min = 0, max = 9}\n',
        "parameters.entry.fee",
        "a grid takes a list",
    ),
    "min > max": (
        HEAD + 'design = "lhs"\nsamples = 4\n[parameters]\nentry.fee = {min = 9, max = 1}\n',
        "parameters.entry.fee",
        "min > max",
    ),
    "range without max": (
        HEAD + 'design = "lhs"\nsamples = 4\n[parameters]\nentry.fee = {min = 9}\n',
        "parameters.entry.fee",
        "without max",
    ),
    "range bound not a number": (
        HEAD + 'design = "lhs"\nsamples = 4\n[parameters]\nentry.fee = {min = "a", max = 2}\n',
        "parameters.entry.fee",
        "must be a finite number",
    ),
    "range bound out of the key's bounds": (
        HEAD + 'design = "lhs"\nsamples = 4\n[parameters]\nentry.fee = {min = -5, max = 2}\n',
        "parameters.entry.fee",
        ">= 0 and <= 1e6",
    ),
    "unknown scenario key": (
        HEAD + 'design = "grid"\n[parameters]\nentry.treshold = ["free"]\n',
        "parameters.entry.treshold",
        "did you mean 'entry.threshold'",
    ),
    "bad value for a key": (
        HEAD + 'design = "grid"\n[parameters]\nmoderation.ad_policy = ["kick", "ban"]\n',
        "parameters.moderation.ad_policy",
        "'ban' is not allowed; allowed values: tolerate",
    ),
    "integer key with a fraction": (
        HEAD + 'design = "grid"\n[parameters]\nroles.kols = [1, 2.5]\n',
        "parameters.roles.kols",
        "integer",
    ),
    "reserved key": (HEAD + 'design = "grid"\n[parameters]\nrun.seed = [1, 2]\n', "parameters.run.seed", "replicates"),
    "empty parameters": (HEAD + 'design = "grid"\n[parameters]\n', "parameters", "at least one"),
    "empty value list": (
        HEAD + 'design = "grid"\n[parameters]\nentry.fee = []\n',
        "parameters.entry.fee",
        "empty list",
    ),
    "scalar instead of a list": (
        HEAD + 'design = "grid"\n[parameters]\nentry.fee = 3\n',
        "parameters.entry.fee",
        "expected a list",
    ),
    "base not found": (
        ('base = "nowhere.toml"\ndays = 20\nreplicates = 1\ndesign = "grid"\n[parameters]\nentry.fee = [1]\n'),
        "base",
        "'nowhere.toml' not found",
    ),
    "replicates < 1": (
        ('base = "{base}"\ndays = 20\nreplicates = 0\ndesign = "grid"\n[parameters]\nentry.fee = [1]\n'),
        "replicates",
        "must be an integer >= 1",
    ),
    "days < 1": (
        'base = "{base}"\ndays = 0\nreplicates = 1\ndesign = "grid"\n[parameters]\nentry.fee = [1]\n',
        "days",
        "must be an integer >= 1",
    ),
    "days not an integer": (
        ('base = "{base}"\ndays = "ten"\nreplicates = 1\ndesign = "grid"\n[parameters]\nentry.fee = [1]\n'),
        "days",
        "must be an integer",
    ),
    "not TOML": ("base = \n", None, "not valid TOML"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_sweep_file_is_one_line_naming_file_and_key(tmp_path: Path, case: str) -> None:
    body, key, words = BAD[case]
    path = write_sweep(tmp_path, body)
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    if key is not None:
        assert f": {key}: " in message
    assert words in message


@pytest.mark.parametrize("case", ["bad design", "unknown scenario key", "bad value for a key", "base not found"])
def test_cli_rejects_a_bad_sweep_file_with_exit_2(tmp_path: Path, case: str, capsys: pytest.CaptureFixture) -> None:
    body, _, words = BAD[case]
    path = write_sweep(tmp_path, body)
    line = assert_one_line_error(*invoke_cli(["sweep", str(path), "--out", str(tmp_path / "out")], capsys)[::2])
    assert line.startswith(f"error: {path}: ") and words in line
    assert not (tmp_path / "out").exists()


def test_a_missing_sweep_file_and_bad_options_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    for args, words in [
        (["sweep", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")], "sweep file not found"),
        (
            ["sweep", str(write_sweep(tmp_path, GRID)), "--out", str(tmp_path / "o"), "--workers", "0"],
            "--workers must be between 1 and 256",
        ),
        (
            [
                "sweep",
                str(write_sweep(tmp_path, GRID)),
                "--out",
                str(tmp_path / "o"),
                "--workers",
                "2",
                "--scheduler",
                "tcp://127.0.0.1:1",
            ],
            "cannot be combined",
        ),
    ]:
        assert words in assert_one_line_error(*invoke_cli(args, capsys)[::2])
