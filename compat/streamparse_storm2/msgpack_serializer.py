"""Patch 10: ``"serializer": "msgpack"`` in config.json works: Storm gets a Java side.

What goes wrong: pystorm speaks MessagePack when config.json says so, but Storm has no
Java side for it (streamparse #8, #247, #340, #403, #428; STORM-1565 "Won't Fix"), so
every component died at the handshake. ``sparse submit`` sent streamparse's plain jar
for Python-only topologies, which lacks msgpack-core: the workers died on its first
class.

The patch: the project's ``logstorm.storm.MsgpackSerializer`` (src/jvm/) is that side.
``streamparse.cli.common.resolve_options`` (and its copies) sets
``topology.multilang.serializer`` to match the components' serializer, for ``sparse
run`` and ``sparse submit``, and stops before anything starts if an option asks for
another one; ``streamparse.util.set_topology_serializer`` (and its copies) gives the
components the same one. ``LOGSTORM_SERIALIZER=json|msgpack`` overrides config.json
for one command (the suite runs the topologies under each).
``streamparse.cli.submit.jar_for_deploy`` always builds the uber-jar.
"""

from __future__ import annotations

import os
from typing import Any

from streamparse_storm2._resolve_options import after_resolve_options
from streamparse_storm2._target import replace, target
from streamparse_storm2.errors import UserError

PATCH = __name__
JAVA_SERIALIZERS = {
    "json": "org.apache.storm.multilang.JsonSerializer",
    "msgpack": "logstorm.storm.MsgpackSerializer",
}
MULTILANG_SERIALIZER = "topology.multilang.serializer"
SERIALIZER_COPIES = ("streamparse.cli.run", "streamparse.cli.submit")


def components_serializer(env: dict[str, Any], config: dict[str, Any]) -> str:
    """What the Python components speak: LOGSTORM_SERIALIZER, else the environment's
    ``serializer`` in config.json, else the top-level one, else json.

    >>> components_serializer({"serializer": "msgpack"}, {"serializer": "json"})
    'msgpack'
    """
    name = (
        os.environ.get("LOGSTORM_SERIALIZER")
        or env.get("serializer")
        or config.get("serializer", "json")
    )
    if name not in JAVA_SERIALIZERS:
        raise UserError(
            f"serializer {name!r} is not one Storm and pystorm both speak here",
            'set "serializer" in config.json (or LOGSTORM_SERIALIZER) to "json" or "msgpack"',
        )
    if name == "msgpack":
        try:
            import msgpack  # noqa: F401 - pystorm needs it in every component
        except ImportError:
            raise UserError(
                "the serializer is msgpack but the Python package msgpack is missing",
                "make setup (installs requirements.txt)",
            ) from None
    return name


def multilang_serializer(serializer: str, storm_options: dict[str, Any]) -> None:
    """Set Storm's side of the multilang protocol to the components' serializer.

    >>> options = {}
    >>> multilang_serializer("msgpack", options)
    >>> options
    {'topology.multilang.serializer': 'logstorm.storm.MsgpackSerializer'}
    """
    want = JAVA_SERIALIZERS[serializer]
    given = storm_options.get(MULTILANG_SERIALIZER)
    if given not in (None, want):
        raise UserError(
            f"option {MULTILANG_SERIALIZER!r} is {given!r}, but the Python components "
            f"speak {serializer} (config.json 'serializer'): every component would die at "
            "the handshake",
            f'drop the option (logstorm sets {want}), or set "serializer" in config.json '
            "to match it",
        )
    storm_options[MULTILANG_SERIALIZER] = want


def apply() -> None:
    get_config = target(PATCH, "streamparse.util", "get_config")
    original_set_serializer = target(PATCH, "streamparse.util", "set_topology_serializer")
    original_jar = target(PATCH, "streamparse.cli.submit", "jar_for_deploy")

    def set_topology_serializer(env_config: Any, config: Any, topology_class: Any) -> None:
        serializer = components_serializer(env_config, config)
        original_set_serializer({"serializer": serializer}, config, topology_class)

    after_resolve_options(PATCH, lambda options, env_config, *_: multilang_serializer(
        components_serializer(env_config, get_config()), options))  # fmt: skip
    replace(PATCH, "streamparse.util", "set_topology_serializer", set_topology_serializer,
            SERIALIZER_COPIES)  # fmt: skip
    replace(PATCH, "streamparse.cli.submit", "jar_for_deploy",
            lambda simple_jar=False: original_jar(simple_jar=False))  # fmt: skip
