"""Reading scenario files: TOML, `extends` chains, dotted-key overrides, one-line errors."""

from __future__ import annotations

import difflib
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.scenario.keys import describe_allowed
from sim.scenario.presets import find_scenario, not_a_preset
from sim.scenario.schema import ActivityPlan, CampaignPlan, Channel, Scenario

LIST_SECTIONS: dict[str, type[BaseModel]] = {"activities": ActivityPlan, "channels": Channel, "campaigns": CampaignPlan}
"""The arrays of tables of a scenario ([[activities]], [[channels]], [[campaigns]]) and the model of each entry."""


class ScenarioError(ValueError):
    """A bad scenario: its message is one line naming the file, the key and what is allowed."""

    def __init__(self, source: str | Path, key: str | None, problem: str) -> None:
        self.source, self.key, self.problem = str(source), key, problem
        where = f"{self.source}: " + (f"{key}: " if key else "")
        super().__init__(where + problem)


MAX_EXTENDS = 8
"""Deepest `extends` chain: a scenario may start from at most this many files above it."""

MAX_FILE_BYTES = 1_000_000
"""Largest scenario or sweep file read (1 MB): a real one is a few kB."""


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None, *, cli: bool = False) -> Scenario:
    """Load a scenario file or packaged preset, following `extends`, then apply dotted-key overrides.

    `path` is a file, or else the name of a preset (``"baseline"``, see `sim.scenario.presets`);
    so is the `extends` of a file, looked up relative to that file first.

    Overrides map keys such as ``"moderation.ad_policy"`` to values; a string value is
    read as a TOML literal when it is one (``"0.5"`` -> 0.5, ``"true"`` -> True), so values
    from the command line need no quoting. With `cli`, the overrides came from `--set`
    and an error in one of them names ``--set key=value`` rather than the file.
    """
    if Path(path).is_dir():
        raise ScenarioError(path, None, "is a directory, not a scenario file (a .toml file)")
    found = find_scenario(path)
    if found is None:
        raise ScenarioError(path, None, f"scenario file not found, {not_a_preset()}")
    path = found
    origins: dict[str, Path] = {}
    data = _read_chain(path, (), origins)
    sources: dict[str, str] = {}
    for key, value in (overrides or {}).items():
        source = f"--set {key}={value}" if cli else f"{path} (override {key}={value!r})"
        _set_dotted(data, key, _parse_literal(value), source=source)
        sources[key] = source
    data.setdefault("name", path.stem)
    where = {**{k: str(v) for k, v in origins.items()}, **sources}
    files = _resolve_files(data, {k: v.parent for k, v in origins.items() if k not in sources})
    scenario = _validate(data, path, where)
    for key, (given, resolved) in files.items():
        if not resolved.is_file():
            looked = "the working directory" if key in sources else resolved.parent
            raise ScenarioError(where.get(key, path), key, f"file '{given}' not found (looked in {looked})")
    return scenario


def _path_keys() -> list[str]:
    """Dotted keys whose value is a file name (unit "path" in the schema)."""
    from sim.scenario.keys import field_at

    out = []
    for key in _all_keys():
        field = field_at(key)
        extra = field.json_schema_extra if field is not None else None
        if isinstance(extra, dict) and extra.get("unit") == "path":
            out.append(key)
    return out


def _resolve_files(data: dict[str, Any], folders: dict[str, Path]) -> dict[str, tuple[str, Path]]:
    """Make every file name in `data` absolute: relative to the scenario file that set it, else the cwd.

    Returns key -> (the name as given, the resolved path), for the existence check after validation.
    """
    out = {}
    for key in _path_keys():
        section, _, name = key.partition(".")
        table = data.get(section)
        value = table.get(name) if isinstance(table, dict) else None
        if not isinstance(value, str) or not value:
            continue
        resolved = (folders.get(key, Path.cwd()) / Path(value).expanduser()).resolve()
        table[name] = str(resolved)  # type: ignore[index]
        out[key] = (value, resolved)
    return out


def scenario_from_dict(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a plain nested dict as a scenario (for notebooks and tests)."""
    return _validate(dict(data), source)


def read_toml(path: Path, error: type[ValueError], what: str) -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable, binary or malformed file raises `error(path, None, problem)`."""
    if path.is_dir():
        raise error(path, None, f"is a directory, not a {what} file (a .toml file)")
    if not path.is_file():
        raise error(path, None, f"{what} file not found")
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise error(path, None, f"cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise error(path, None, f"larger than {MAX_FILE_BYTES // 1000} kB; a {what} file is a small TOML text file")
    if b"\0" in raw:
        raise error(path, None, f"is a binary file, not a {what} file (TOML text)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(path, None, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(path, None, f"not valid TOML ({exc})") from None


def _read_chain(path: Path, seen: tuple[Path, ...], origins: dict[str, Path]) -> dict[str, Any]:
    """Merge the tables of `path` and the files it extends; `origins` learns which file set each key."""
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(p.name for p in (*seen, resolved))
        raise ScenarioError(path, "extends", f"circular extends ({chain})")
    if len(seen) > MAX_EXTENDS:
        raise ScenarioError(path, "extends", f"chain deeper than {MAX_EXTENDS} files; extend a file nearer the base")
    data = read_toml(path, ScenarioError, "scenario")
    parent = data.pop("extends", None)
    base: dict[str, Any] = {}
    if parent is not None:
        if not isinstance(parent, str) or not parent:
            raise ScenarioError(path, "extends", f"must be a .toml file path relative to this one, got {parent!r}")
        candidate = path.parent / parent
        if candidate.is_dir():
            raise ScenarioError(path, "extends", f"'{parent}' is a directory; name a .toml scenario file")
        if candidate.is_file() and candidate.suffix != ".toml":
            raise ScenarioError(path, "extends", f"'{parent}' is not a .toml file; a scenario extends a scenario file")
        parent_path = find_scenario(parent, near=path.parent)
        if parent_path is None:
            raise ScenarioError(
                path, "extends", f"file '{parent}' not found (looked in {path.parent}), {not_a_preset()}"
            )
        base = _read_chain(parent_path, (*seen, resolved), origins)
    for key in _dotted_keys(data):
        origins[key] = path
    return _merge(base, data)


def _dotted_keys(data: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for name, value in data.items():
        if isinstance(value, dict):
            keys += _dotted_keys(value, f"{prefix}{name}.")
        keys.append(f"{prefix}{name}")
    return keys


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge two parsed TOML tables; `top` wins, arrays are replaced whole."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _parse_literal(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value


def _set_dotted(data: dict[str, Any], key: str, value: Any, source: str) -> None:
    parts = key.split(".")
    _check_key_path(parts, source)
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ScenarioError(source, key, f"'{part}' is not a section")
    node[parts[-1]] = value


def _section_fields(model: type[BaseModel]) -> dict[str, Any]:
    return {name: f.annotation for name, f in model.model_fields.items()}


def _all_keys() -> list[str]:
    keys = []
    for name, annotation in _section_fields(Scenario).items():
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += [f"{name}.{sub}" for sub in annotation.model_fields]
        else:
            keys.append(name)
    return keys


def _unknown(key: str, source: str | Path, candidates: list[str], section: list[str] | None = None) -> ScenarioError:
    """Report an unknown key: suggest the closest valid one when it is close, else list the section's keys."""
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
    if close:
        hint = f"did you mean '{close[0]}'?"
    else:
        valid = section if section is not None else candidates
        hint = "valid keys: " + ", ".join(valid)
    return ScenarioError(source, key, f"unknown key; {hint}")


def _check_key_path(parts: list[str], source: str | Path) -> None:
    key = ".".join(parts)
    if parts[0] in LIST_SECTIONS and len(parts) > 1:
        raise ScenarioError(
            source, key, f"[[{parts[0]}]] is an array of tables: give its entries in a scenario file or the whole list"
        )
    if key not in _all_keys():
        fields = _section_fields(Scenario)
        if parts[0] not in fields:
            raise _unknown(key, source, _all_keys(), section=_section_names())
        raise _unknown(key, source, _all_keys(), section=[k for k in _all_keys() if k.startswith(f"{parts[0]}.")])


def _section_names() -> list[str]:
    return [name for name in _section_fields(Scenario) if name not in LIST_SECTIONS] + list(LIST_SECTIONS)


def _check_unknown(data: dict[str, Any], source: str | Path, origins: dict[str, str]) -> None:
    """Name an unknown key with its closest valid spelling before pydantic sees it."""
    fields = _section_fields(Scenario)
    for name, value in data.items():
        if name not in fields:
            raise _unknown(name, origins.get(name, source), list(fields) + _all_keys(), section=_section_names())
        annotation = fields[name]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if not isinstance(value, dict):
                raise ScenarioError(origins.get(name, source), name, f"must be a table [{name}], got {value!r}")
            for sub in value:
                if sub not in annotation.model_fields:
                    key = f"{name}.{sub}"
                    section = [f"{name}.{k}" for k in annotation.model_fields]
                    raise _unknown(key, origins.get(key, source), _all_keys(), section=section)
    for name, model in LIST_SECTIONS.items():
        plans = data.get(name)
        if plans is not None and not isinstance(plans, list):
            raise ScenarioError(origins.get(name, source), name, f"must be an array of tables [[{name}]]")
        for i, plan in enumerate(plans or []):
            if not isinstance(plan, dict):
                raise ScenarioError(origins.get(name, source), f"{name}[{i}]", f"must be a table [[{name}]]")
            for sub in plan:
                if sub not in model.model_fields:
                    candidates = [f"{name}[{i}].{k}" for k in model.model_fields]
                    raise _unknown(f"{name}[{i}].{sub}", origins.get(name, source), candidates)


def _validate(data: dict[str, Any], source: str | Path, origins: dict[str, str] | None = None) -> Scenario:
    origins = origins or {}
    _check_unknown(data, source, origins)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _one_line(exc, source, origins) from None


def _one_line(exc: ValidationError, source: str | Path, origins: dict[str, str]) -> ScenarioError:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc) or None
    dotted = key
    if loc[0:1] and loc[0] in LIST_SECTIONS and len(loc) > 1:
        key = f"{loc[0]}[{loc[1]}]" + "".join(f".{p}" for p in loc[2:])
        dotted = loc[0]
    where = origins.get(dotted or "", source)
    given = err.get("input")
    problem = err["msg"]
    field = _field(loc)
    if err["type"] == "value_error":
        problem = problem.removeprefix("Value error, ")
        if not loc:
            return ScenarioError(source, None, problem)
    elif err["type"] == "literal_error" and field is not None:
        problem = f"'{given}' is not allowed; allowed values: {describe_allowed(field).removeprefix('one of ')}"
    elif field is not None:
        problem = f"must be {describe_allowed(field)}, got {_show(given)}"
    else:
        problem = f"{problem} (got {_show(given)})"
    return ScenarioError(where, key, problem)


def _show(value: Any) -> str:
    """Show a value as the user wrote it in TOML: strings quoted, booleans lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def _field(loc: list[str]) -> FieldInfo | None:
    """Find the schema field at a validation error's location (None for the scenario as a whole)."""
    model: Any = Scenario
    field = None
    for part in loc:
        if part.isdigit():
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        model = field.annotation
        args = typing.get_args(model)
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            model = args[0]
        elif isinstance(model, type) and issubclass(model, BaseModel):
            pass
    if field is None or isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
        return None
    return field
