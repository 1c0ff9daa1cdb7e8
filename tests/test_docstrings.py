"""The Python API is documented: every public module, function, class, method and property of `sim`.

Public means: the names in `sim.__all__`; in every module whose dotted path has no part
starting with "_", the names in its `__all__` (or, without one, the functions and classes
it defines whose names do not start with "_"); and the methods and properties those
classes define themselves, again without a leading "_". A name is documented when its
own `__doc__` (a property's doc, a function's docstring) is not blank.

When this fails, write the docstring the message names.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import sim

OPTIONAL_MODULES = {"sim.viz.app": "solara"}
"""Modules that need an optional extra, with the package that must be importable."""


def public_modules() -> Iterator[str]:
    yield "sim"
    for info in pkgutil.walk_packages(sim.__path__, "sim."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        needs = OPTIONAL_MODULES.get(info.name)
        if needs and importlib.util.find_spec(needs) is None:
            continue
        yield info.name


def _documented(obj: Any) -> bool:
    return bool((getattr(obj, "__doc__", None) or "").strip())


def public_names(module_name: str) -> Iterator[tuple[str, Any]]:
    """(qualified name, object) of every public function, class, method and property of a module."""
    module = importlib.import_module(module_name)
    yield module_name, module
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, o in vars(module).items()
            if not n.startswith("_") and (inspect.isfunction(o) or inspect.isclass(o)) and o.__module__ == module_name
        ]
    for name in names:
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue  # constants: documented by the attribute docstring convention, not checkable here
        home = obj.__module__  # re-exports are named where they are defined
        yield f"{home}.{name}", obj
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if isinstance(value, property) or inspect.isfunction(value):
                    yield f"{home}.{name}.{attr}", value


def test_every_public_name_has_a_docstring() -> None:
    missing = sorted(
        {qualified for module in public_modules() for qualified, obj in public_names(module) if not _documented(obj)}
    )
    assert not missing, "public names without a docstring:\n  " + "\n  ".join(missing)


def test_the_package_exports_are_documented() -> None:
    for name in sim.__all__:
        assert _documented(getattr(sim, name)), name
    assert _documented(sim)


def test_the_check_sees_a_missing_docstring() -> None:
    """The walk itself: an undocumented function and property are found, documented ones are not."""

    class Probe:
        """Documented."""

        def documented(self) -> None:
            """Yes."""

        def bare(self) -> None:
            pass

        @property
        def bare_property(self) -> int:
            return 1

    found = {
        attr
        for attr, value in vars(Probe).items()
        if not attr.startswith("_")
        and (isinstance(value, property) or inspect.isfunction(value))
        and not _documented(value)
    }
    assert found == {"bare", "bare_property"}
