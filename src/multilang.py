"""A streamparse helper shared by the spouts: which multilang serializer is in use.

Both sides must speak the same one (see compat patch 10); the spouts say which at
start, so a run's log shows it::

    logfiles speaks msgpack with Storm's logstorm.storm.MsgpackSerializer
"""

from __future__ import annotations

from typing import Any

NAMES = {"JSONSerializer": "json", "MsgpackSerializer": "msgpack"}


def spoken(component: Any, storm_conf: dict[str, Any]) -> str:
    """What component's serializer and Storm's side of it are, as one phrase."""
    ours = type(component.serializer).__name__
    theirs = storm_conf.get("topology.multilang.serializer", "JsonSerializer (Storm's default)")
    return f"speaks {NAMES.get(ours, ours)} with Storm's {theirs}"
