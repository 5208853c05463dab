"""The Storm UI's REST API on the suite's loopback cluster (tools/cluster starts the UI
on 8080, plus the suite's port offset)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import suite_env

UI = f"http://127.0.0.1:{suite_env.ui_port()}"


def ui_json(path: str) -> Any:
    """GET a REST path of the UI, e.g. ui_json("/api/v1/topology/summary")."""
    with urllib.request.urlopen(f"{UI}{path}", timeout=30) as response:
        return json.load(response)


def topologies() -> dict[str, dict[str, Any]]:
    """The UI's topology summaries by topology name."""
    return {t["name"]: t for t in ui_json("/api/v1/topology/summary")["topologies"]}


def topology(name: str) -> dict[str, Any]:
    """The UI's detail of a running topology: status, stats, spouts and bolts."""
    return ui_json(f"/api/v1/topology/{topologies()[name]['id']}")


def components(detail: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Spouts and bolts of a topology detail by component id."""
    spouts = {s["spoutId"]: s for s in detail["spouts"]}
    return {**spouts, **{b["boltId"]: b for b in detail["bolts"]}}
