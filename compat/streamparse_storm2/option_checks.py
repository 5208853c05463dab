"""Patch 11: options are checked before anything is built or started.

What goes wrong: a bad ``-o`` value was caught only inside the workers, some 20 s
after ``sparse run`` began, its message repeated among Storm's logging; a value that is
no YAML (``-o logstorm.input.pattern=*.log``: ``*`` starts an alias) ended in a ruamel
traceback.

The patch: ``check_option_syntax`` (called by ``main`` before streamparse's CLI) parses
each ``-o`` value first; ``streamparse.cli.common.resolve_options`` (and its copies)
runs the topology class's own check (``check_options``: options -> raises ValueError
naming the key). ``sparse run`` and ``sparse submit`` then stop at once with one
message and exit code 2, as for any usage error. The workers keep their own check.
"""

from __future__ import annotations

import itertools
from typing import Any

from streamparse_storm2._resolve_options import after_resolve_options
from streamparse_storm2._target import target
from streamparse_storm2.errors import BadOption

PATCH = __name__
_OPTION_FLAGS = ("-o", "--option")
OPTION_COMMANDS = ("run", "submit")  # `sparse visualize -o` names an output file


def option_values(argv: list[str]) -> list[str]:
    """The ``key=value`` text of every ``-o``/``--option`` in a sparse command line."""
    found = [value for flag, value in itertools.pairwise(argv) if flag in _OPTION_FLAGS]
    return found + [arg.split("=", 1)[1] for arg in argv if arg.startswith("--option=")]


def check_option_syntax(argv: list[str]) -> None:
    """Refuse an ``-o`` of ``sparse run``/``submit`` that is not key=value, or whose value
    is no YAML (sparse reads values as YAML), naming the key and the fix."""
    from ruamel.yaml import YAML, YAMLError

    if not argv or argv[0] not in OPTION_COMMANDS:
        return
    for option in option_values(argv):
        key, equals, text = option.partition("=")
        if not equals:
            raise BadOption(f"option -o {option!r} has no value; fix: -o {option}=<value>")
        try:
            YAML(typ="safe", pure=True).load(text)
        except YAMLError as err:
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise BadOption(
                f"option {key!r}: {text!r} is not a value sparse can read ({problem}); "
                f"fix: quote it, as -o '{key}=\"{text}\"'"
            ) from None


def checked_options(topology_class: Any, storm_options: dict[str, Any]) -> None:
    """Run the topology class's own check of its options (``check_options``)."""
    check = getattr(topology_class, "check_options", None)
    if check is None:
        return
    try:
        check(storm_options)
    except ValueError as err:
        raise BadOption(str(err)) from None


def apply() -> None:
    target(PATCH, "ruamel.yaml", "YAML")  # how sparse reads -o values, and so does the check
    after_resolve_options(PATCH, lambda options, _env, topology, *_: checked_options(
        topology, options))  # fmt: skip
