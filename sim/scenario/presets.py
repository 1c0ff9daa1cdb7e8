"""The scenario presets shipped inside the package, and finding a scenario by file or by name.

The presets (``baseline``, ``paid_entry``, ..., ``validation/bass``) are package data in
``sim/scenarios/`` (the repository's ``scenarios/`` is a link to it), read with
`importlib.resources`, so an installed wheel has them wherever it runs::

    load_scenario("baseline")            # the packaged preset
    load_scenario("my/variant.toml")     # a file; it may say extends = "baseline"

A file wins over a preset of the same name: a name is looked up as a preset only when
no such file exists (relative to the working directory, or to the extending file).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["find_scenario", "not_a_preset", "preset", "preset_names", "presets_dir"]

SCENARIO_FOLDERS = ("", "validation")
"""Folders of presets that are scenarios (``sweeps/`` holds sweep files, not scenarios)."""


def presets_dir() -> Path:
    """Return the folder of the packaged presets (``sim/scenarios``)."""
    root = resources.files("sim") / "scenarios"
    if not isinstance(root, Path):  # only a zipped install would give another Traversable
        raise RuntimeError(f"the scenario presets must be files on disk, not {type(root).__name__}")
    return root


def preset_names() -> list[str]:
    """List the names of the packaged scenario presets, e.g. ``baseline``, ``validation/bass``."""
    root = presets_dir()
    return [
        f"{folder}/{p.stem}" if folder else p.stem
        for folder in SCENARIO_FOLDERS
        for p in sorted((root / folder).glob("*.toml"))
    ]


def preset(name: str | Path) -> Path | None:
    """Return the file of preset `name` (with or without ``.toml``), or None if there is none."""
    text = str(name).removesuffix(".toml")
    return presets_dir() / f"{text}.toml" if text in preset_names() else None


def find_scenario(name: str | Path, near: Path | None = None) -> Path | None:
    """Return the scenario file `name` denotes, or None.

    `name` is a file (relative to `near`, default the working directory) when it exists,
    else the packaged preset of that name.
    """
    path = Path(name) if near is None else near / name
    if path.is_file():
        return path
    return preset(name)


def not_a_preset() -> str:
    """Return the end of the one-line error for a scenario that is neither a file nor a preset."""
    return f"not a preset either (presets: {', '.join(preset_names())})"
