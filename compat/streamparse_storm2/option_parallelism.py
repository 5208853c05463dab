"""Patch 9: an option sets a component's parallelism (``-o logstorm.input.tasks=2``).

What goes wrong: streamparse fixes a component's parallelism in the topology class,
but how many tasks a spout should run depends on its input (a Kafka topic's
partitions).

The patch: a topology class may name options that set a component's parallelism
(``option_parallelism = {"logstorm.input.tasks": "logfiles"}``);
``streamparse.cli.common.resolve_options`` (and its copies) then sets that component's
parallelism from the option, for ``sparse run`` and ``sparse submit``.
"""

from __future__ import annotations

from typing import Any

from streamparse_storm2._resolve_options import after_resolve_options
from streamparse_storm2.errors import BadOption

PATCH = __name__


def option_parallelism(topology_class: Any, storm_options: dict[str, Any]) -> None:
    """Set the parallelism of the components whose option (the class's
    ``option_parallelism``: option -> component name) the resolved options carry."""
    for key, component in getattr(topology_class, "option_parallelism", {}).items():
        if key not in storm_options:
            continue
        value = storm_options[key]
        if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
            raise BadOption(
                f"option {key!r} must be a whole number >= 1, got {value!r}; "
                f"fix: -o {key}=<tasks of {component}>"
            )
        storm_options[key] = tasks = int(value)
        for spec in topology_class.specs:
            if spec.name == component:
                spec.par = tasks
        for thrift in (topology_class.thrift_spouts, topology_class.thrift_bolts):
            if component in thrift:
                thrift[component].common.parallelism_hint = tasks


def apply() -> None:
    after_resolve_options(PATCH, lambda options, _env, topology, *_: option_parallelism(
        topology, options))  # fmt: skip
