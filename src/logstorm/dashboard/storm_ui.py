"""The spouts' counts as the Storm UI's REST API gives them, for a topology on a cluster.

``/api/v1/topology/summary`` lists the topologies; ``/api/v1/topology/<id>?window=600``
has each spout's ``acked``, ``failed`` and ``completeLatency`` (ms, a string) over the
last 10 minutes. Storm counts tuples (a chunk of up to 1000 lines each), not lines.

>>> detail = {"name": "logs", "id": "logs-1-1796160271", "spouts": [
...     {"spoutId": "logfiles", "acked": 1200, "failed": 0, "completeLatency": "12.500"}]}
>>> ui_health(detail)["acked_tuples"], ui_health(detail)["complete_latency_ms"]
(1200, 12.5)
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

WINDOW = "600"  # the UI's 10-minute statistics


def ui_health(detail: dict[str, Any]) -> dict[str, Any]:
    """The spouts' acked and failed tuples and worst complete latency in a topology detail."""
    spouts = detail.get("spouts") or []
    latencies = [float(s["completeLatency"]) for s in spouts if s.get("completeLatency")]
    return {
        "topology": detail.get("name"),
        "id": detail.get("id"),
        "window_secs": int(WINDOW),
        "acked_tuples": sum(int(s.get("acked") or 0) for s in spouts),
        "failed_tuples": sum(int(s.get("failed") or 0) for s in spouts),
        "complete_latency_ms": max(latencies, default=None),
    }


def fetch_ui_health(base_url: str, topology: str = "logs", timeout: float = 5.0) -> dict | None:
    """ui_health of the running topology named topology; None if the UI has none such.
    Raises OSError when the UI does not answer."""

    def get(path: str) -> Any:
        with urllib.request.urlopen(base_url.rstrip("/") + path, timeout=timeout) as response:
            return json.load(response)

    summary = get("/api/v1/topology/summary").get("topologies", [])
    match = [t for t in summary if t.get("name") == topology]
    if not match:
        return None
    detail = get(f"/api/v1/topology/{urllib.parse.quote(match[0]['id'])}?window={WINDOW}")
    return ui_health(detail)
