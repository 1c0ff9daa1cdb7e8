"""What differs between scenarios: their values flattened to dotted keys, and the keys that differ.

The run settings (`run.seed`, `run.days`) are left out: a comparison runs every
scenario for the same days with the same seeds. So are `name` and `description`,
which the report shows beside each scenario. The activities calendar is one key,
written compactly ("sharing every 7; red_packet every 2; checkin").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from sim.scenario import ActivityPlan, Scenario

__all__ = ["IGNORED_KEYS", "changed_keys", "flatten", "format_setting"]

IGNORED_KEYS = frozenset({"name", "description", "run.seed", "run.days"})


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested scenario values (`Scenario.model_dump(mode="json")`) as {dotted key: value}."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{dotted}."))
        elif dotted == "activities":
            flat[dotted] = activities_text(value)
        else:
            flat[dotted] = value
    return flat


def activities_text(plans: Sequence[Mapping[str, Any]]) -> str:
    """Write the activities calendar in one line: each activity's kind and the fields set away from their default."""
    if not plans:
        return "none"
    defaults = {name: field.default for name, field in ActivityPlan.model_fields.items()}
    parts = []
    for plan in plans:
        extras = [f"{k} {v}" for k, v in plan.items() if k != "kind" and v is not None and v != defaults.get(k)]
        parts.append(" ".join([str(plan.get("kind")), ", ".join(extras)]).strip())
    return "; ".join(parts)


def changed_keys(scenarios: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> pd.DataFrame:
    """Tabulate the keys whose values are not the same in every scenario: index key, one column per scenario label."""
    flat = [flatten(s) for s in scenarios]
    keys: list[str] = []
    for f in flat:
        keys += [k for k in f if k not in keys and k not in IGNORED_KEYS]
    order = {k: i for i, k in enumerate(flatten(Scenario().model_dump(mode="json")))}
    keys.sort(key=lambda k: order.get(k, len(order)))  # the schema's order, whatever order the values came in
    rows = {k: [f.get(k) for f in flat] for k in keys if any(f.get(k) != flat[0].get(k) for f in flat)}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(labels))
    table.index.name = "key"
    return table


def format_setting(value: Any) -> str:
    """Format a scenario value for the table: numbers without trailing zeros, None as "—"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
