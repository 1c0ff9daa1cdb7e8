"""Whole-run KPIs as people read them: plain JSON values and the terminal format.

`community-sim run`, `analyze` and the reports show a KPI the same way through
`format_kpi`: shares and rates as percentages, money with two decimals, counts with
thousands separators, an undefined KPI as a dash.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FRACTION_WORDS", "MONEY_WORDS", "format_kpi", "jsonable"]


def jsonable(value: Any) -> Any:
    """Convert KPI values to plain JSON: numpy scalars to Python, NaN/inf/NA to None.

    JSON has no NaN, and a KPI that is undefined for a run (say, no half-life
    because activity never halved) is better read back as null than as a number.
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


FRACTION_WORDS = ("share", "retention", "rate", "fraction")
MONEY_WORDS = ("revenue", "cost", "fee", "profit")


def format_kpi(name: str, value: Any) -> str:
    """Format one KPI for the terminal: shares and rates as %, money with 2 decimals."""
    value = jsonable(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if any(word in name for word in FRACTION_WORDS):
            return f"{value:.1%}"
        if any(word in name for word in MONEY_WORDS):
            return f"{value:,.2f}"
        if value.is_integer():
            return f"{value:,.0f}"
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)
