"""Finding what a patch replaces, loudly.

Every patch names the streamparse attribute it replaces or wraps. ``target`` returns it
or raises ``MissingTarget`` naming the patch and the missing ``module.attribute``: on
another streamparse the layer stops before a command runs instead of leaving a patch
quietly unapplied. ``replace`` sets the attribute and the copies other streamparse
modules took of it with ``from ..util import name`` (each must be that same object).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class MissingTarget(RuntimeError):
    """A patch's target is not in the installed streamparse."""

    def __init__(self, patch: str, what: str, why: str = "is missing") -> None:
        super().__init__(
            f"{patch}: {what} {why} in the installed streamparse, so this patch cannot "
            "apply; fix: install the streamparse version the layer was written for "
            "(requirements.txt), or port compat/streamparse_storm2/ to this one"
        )
        self.patch, self.what = patch, what


def module(patch: str, name: str) -> ModuleType:
    """The module ``name``, or MissingTarget naming it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingTarget(patch, f"module {name}") from None


def target(patch: str, module_name: str, attr: str) -> Any:
    """``module_name.attr``, or MissingTarget naming it."""
    home = module(patch, module_name)
    try:
        return getattr(home, attr)
    except AttributeError:
        raise MissingTarget(patch, f"{module_name}.{attr}") from None


def replace(
    patch: str, module_name: str, attr: str, value: Any, copies: tuple[str, ...] = ()
) -> Any:
    """Set ``module_name.attr`` to value, and the same name in each module of copies
    (modules that imported it by name); returns what was there. Every one must hold the
    same object first, or MissingTarget says which does not."""
    old = target(patch, module_name, attr)
    homes = [module(patch, module_name)]
    for name in copies:
        if target(patch, name, attr) is not old:
            raise MissingTarget(patch, f"{name}.{attr}", f"is no copy of {module_name}.{attr}")
        homes.append(module(patch, name))
    for home in homes:
        setattr(home, attr, value)
    return old
