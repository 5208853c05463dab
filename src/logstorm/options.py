"""Typed topology options (``-o key=value``) with errors that name the key and the fix.

Each topology declares its options once, as a table of :class:`Option`; every
component reads its values through :func:`read_options`, which also rejects
misspelt keys under the table's prefix.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class OptionError(ValueError):
    """A topology option is unknown, of the wrong type or out of range."""


@dataclass(frozen=True)
class Option:
    """One option: its full key, type, default and what values are allowed."""

    key: str
    type: type
    default: Any
    help: str
    valid: Callable[[Any], bool] = lambda _: True
    rule: str = ""

    def read(self, conf: Mapping[str, Any]) -> Any:
        """The option's value in conf (its default when absent), checked."""
        if self.key not in conf or conf[self.key] is None:
            return self.default
        value = conf[self.key]
        ok_type = isinstance(value, self.type) and not (
            self.type is not bool and isinstance(value, bool)
        )
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok_type = float(value), True
        if not ok_type or not self.valid(value):
            want = f"{self.type.__name__}{' ' + self.rule if self.rule else ''}"
            raise OptionError(
                f"option {self.key!r} must be {want}, got {value!r}; "
                f"fix: -o {self.key}=<{want}> ({self.help})"
            )
        return value


def read_options(conf: Mapping[str, Any], table: Sequence[Option]) -> dict[str, Any]:
    """Values of every option in table, keyed by option key.

    Raises OptionError for a bad value, or for a key under the table's prefix
    that the table does not declare (a likely typo), suggesting the closest one.
    """
    prefixes = {opt.key.split(".", 1)[0] + "." for opt in table}
    known = {opt.key for opt in table}
    for key in conf:
        if any(key.startswith(p) for p in prefixes) and key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise OptionError(
                f"unknown option {key!r}; fix: {hint}known options: {', '.join(sorted(known))}"
            )
    return {opt.key: opt.read(conf) for opt in table}


def non_negative(value: float) -> bool:
    """Rule for counts and durations."""
    return value >= 0


def positive(value: float) -> bool:
    """Rule for sizes and periods."""
    return value > 0
