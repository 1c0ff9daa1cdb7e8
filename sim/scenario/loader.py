"""Reading scenario files: TOML, `extends` chains, dotted-key overrides, one-line errors."""

from __future__ import annotations

import difflib
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.presets import find_scenario, not_a_preset
from sim.scenario.schema import ActivityPlan, Scenario


class ScenarioError(ValueError):
    """A bad scenario: its message is one line naming the file, the key and what is allowed."""

    def __init__(self, source: str | Path, key: str | None, problem: str) -> None:
        self.source, self.key, self.problem = str(source), key, problem
        where = f"{self.source}: " + (f"{key}: " if key else "")
        super().__init__(where + problem)


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load a scenario file or packaged preset, following `extends`, then apply dotted-key overrides.

    `path` is a file, or else the name of a preset (``"baseline"``, see `sim.scenario.presets`);
    so is the `extends` of a file, looked up relative to that file first.

    Overrides map keys such as ``"moderation.ad_policy"`` to values; a string value is
    read as a TOML literal when it is one (``"0.5"`` -> 0.5, ``"true"`` -> True), so values
    from the command line need no quoting.
    """
    found = find_scenario(path)
    if found is None:
        raise ScenarioError(path, None, f"scenario file not found, {not_a_preset()}")
    path = found
    data = _read_chain(path, ())
    for key, value in (overrides or {}).items():
        _set_dotted(data, key, _parse_literal(value), source=f"{path} (override)")
    data.setdefault("name", path.stem)
    return _validate(data, path)


def scenario_from_dict(data: dict[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a plain nested dict as a scenario (for notebooks and tests)."""
    return _validate(dict(data), source)


def read_toml(path: Path, error: type[ValueError], what: str) -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable or malformed file raises `error(path, None, problem)`."""
    if not path.is_file():
        raise error(path, None, f"{what} file not found")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise error(path, None, f"not valid TOML ({exc})") from None
    except OSError as exc:
        raise error(path, None, f"cannot read ({exc.strerror or exc})") from None


def _read_chain(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(p.name for p in (*seen, resolved))
        raise ScenarioError(path, "extends", f"circular extends ({chain})")
    data = read_toml(path, ScenarioError, "scenario")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(path, "extends", "must be a file path string")
    parent_path = find_scenario(parent, near=path.parent)
    if parent_path is None:
        raise ScenarioError(path, "extends", f"file '{parent}' not found (looked in {path.parent}), {not_a_preset()}")
    base = _read_chain(parent_path, (*seen, resolved))
    return _merge(base, data)


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


def _unknown(key: str, source: str | Path, candidates: list[str]) -> ScenarioError:
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return ScenarioError(source, key, f"unknown key{hint}")


def _check_key_path(parts: list[str], source: str | Path) -> None:
    key = ".".join(parts)
    if key not in _all_keys():
        raise _unknown(key, source, _all_keys())


def _check_unknown(data: dict[str, Any], source: str | Path) -> None:
    """Name an unknown key with its closest valid spelling before pydantic sees it."""
    fields = _section_fields(Scenario)
    for name, value in data.items():
        if name not in fields:
            raise _unknown(name, source, list(fields) + _all_keys())
        annotation = fields[name]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
            for sub in value:
                if sub not in annotation.model_fields:
                    raise _unknown(f"{name}.{sub}", source, _all_keys())
    for i, plan in enumerate(data.get("activities") or []):
        for sub in plan if isinstance(plan, dict) else ():
            if sub not in ActivityPlan.model_fields:
                candidates = [f"activities[{i}].{k}" for k in ActivityPlan.model_fields]
                raise _unknown(f"activities[{i}].{sub}", source, candidates)


def _validate(data: dict[str, Any], source: str | Path) -> Scenario:
    _check_unknown(data, source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _one_line(exc, source) from None


def _one_line(exc: ValidationError, source: str | Path) -> ScenarioError:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc).replace(".activities.", "activities.") or None
    if loc[:1] == ["activities"] and len(loc) > 1:
        key = f"activities[{loc[1]}]" + "".join(f".{p}" for p in loc[2:])
    given = err.get("input")
    problem = err["msg"]
    allowed = _allowed(loc)
    if err["type"] == "literal_error" and allowed:
        problem = f"'{given}' is not allowed; allowed values: {', '.join(allowed)}"
    elif err["type"] == "value_error":
        problem = problem.removeprefix("Value error, ")
        if not loc:
            return ScenarioError(source, None, problem)
    else:
        problem = f"{problem} (got {given!r})"
    return ScenarioError(source, key, problem)


def _allowed(loc: list[str]) -> list[str]:
    model: Any = Scenario
    for part in loc:
        if part.isdigit():
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = field.annotation
        args = typing.get_args(model)
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            model = args[0]
    args = typing.get_args(model)
    return [str(a) for a in args] if args and all(isinstance(a, str) for a in args) else []
