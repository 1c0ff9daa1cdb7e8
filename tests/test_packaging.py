"""The wheel is complete: built from the sdist and installed into a clean venv, it runs anywhere.

An installed copy has the presets (scenarios, validation cases, example sweeps) and the
py.typed marker, and `community-sim run baseline` works from a directory that is not the
repository. The venv gets the locked versions (uv.lock), so the run is the one tested here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

# About a minute (build, install ~60 wheels, three cold runs): in `make test`, not in `-m "not slow"`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _uv() -> str:
    """The uv that `make` uses: the one on PATH, else the one it bootstrapped into .uv/."""
    found = shutil.which("uv") or (
        str(ROOT / ".uv" / "bin" / "uv") if (ROOT / ".uv" / "bin" / "uv").is_file() else None
    )
    if found is None:
        pytest.fail("uv is neither on PATH nor in .uv/bin (make installs it there)")
    return found


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    return {**env, "UV_PYTHON": sys.executable, "UV_PYTHON_DOWNLOADS": "never", "MPLBACKEND": "Agg"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the bin/ of a fresh venv with the wheel and the locked dependencies)."""
    tmp = tmp_path_factory.mktemp("wheel")
    uv = _uv()
    _run([uv, "build", "--quiet", "--out-dir", str(tmp / "dist"), str(ROOT)], cwd=tmp)
    (wheel,) = (tmp / "dist").glob("*.whl")
    requirements = tmp / "requirements.txt"
    _run(
        [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet", "-o", str(requirements)],
        cwd=ROOT,
    )
    venv = tmp / "venv"
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=tmp)
    _run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            "-r",
            str(requirements),
            str(wheel),
        ],
        cwd=tmp,
    )
    return wheel, venv / "bin"


def test_the_wheel_ships_the_presets_and_py_typed(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    assert wheel.name == f"community_sim-{VERSION}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.removeprefix("sim/scenarios/") for n in names if n.startswith("sim/scenarios/")}
    in_repo = {
        p.relative_to(ROOT / "sim" / "scenarios").as_posix() for p in (ROOT / "sim" / "scenarios").rglob("*.toml")
    }
    assert shipped == in_repo and {"baseline.toml", "validation/bass.toml", "sweeps/five_levers_sobol.toml"} <= shipped
    assert "sim/py.typed" in names


def test_the_installed_cli_runs_a_preset_outside_the_repository(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, bin_dir = installed
    cli = str(bin_dir / "community-sim")
    assert _run([cli, "--version"], cwd=tmp_path).stdout.strip() == f"community-sim {VERSION}"

    _run([cli, "run", "baseline", "--days", "5"], cwd=tmp_path)
    summary = json.loads((tmp_path / "results" / "baseline" / "summary.json").read_text())
    assert summary["days"] == 5 and summary["peak_members"] > 0

    (tmp_path / "mine.toml").write_text('extends = "paid_entry"\n\n[population]\ninitial_members = 40\n')
    _run([cli, "run", "mine.toml", "--days", "5", "--out", "mine"], cwd=tmp_path)
    assert json.loads((tmp_path / "mine" / "summary.json").read_text())["days"] == 5

    bad = subprocess.run([cli, "run", "nope"], cwd=tmp_path, env=_clean_env(), capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: nope: scenario file not found, not a preset either")


def test_installed_presets_are_package_files_not_the_repository(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, bin_dir = installed
    probe = (
        "import json, sim; from sim.validation import VALIDATION_DIR; from sim.viz.model import DEFAULT_SCENARIO;"
        "print(json.dumps([sim.__file__, str(DEFAULT_SCENARIO), str(VALIDATION_DIR / 'bass.toml')]))"
    )
    paths = json.loads(_run([str(bin_dir / "python"), "-c", probe], cwd=tmp_path).stdout)
    for path in map(Path, paths):
        assert path.exists() and "site-packages" in path.parts and ROOT not in path.parents, path
