"""Patch 7: ``sparse stats`` reads Storm 2's UI REST API.

What goes wrong: the Storm UI's answers changed in Storm 2. The cluster summary no
longer carries ``nimbusUptime`` (it is in the Nimbus summary now); a topology name that
is not running became a request for ``/api/v1/topology/None`` and a Java stack trace;
the tables were cut at 115 columns, wrapping component names mid-word. streamparse's
own Storm version check for the command warns (``0.9.2-incubating`` is no valid version
for pkg_resources).

The patch: ``streamparse.util.get_ui_jsons`` (and its copies) fills the uptime in from
the leader Nimbus; ``streamparse.cli.stats._get_topology_id`` names the missing
topology; ``streamparse.util.Texttable`` draws tables as wide as the terminal, and not
wrapped at all when the output is not a terminal (``sparse stats | grep url_window``
finds the component); the version warning is silenced.
"""

from __future__ import annotations

import shutil
import sys
import warnings
from typing import Any

from streamparse_storm2._target import replace, target
from streamparse_storm2.errors import UserError

PATCH = __name__
COPIES = ("streamparse.cli.stats", "streamparse.cli.worker_uptime", "streamparse.cli.slot_usage")
CLUSTER_SUMMARY, NIMBUS_SUMMARY = "/api/v1/cluster/summary", "/api/v1/nimbus/summary"


def with_nimbus_uptime(cluster: dict[str, Any], nimbuses: dict[str, Any]) -> dict[str, Any]:
    """Storm 2's cluster summary with Storm 1's ``nimbusUptime``, taken from the leader.

    >>> with_nimbus_uptime({"supervisors": 1},
    ...     {"nimbuses": [{"status": "Not a Leader", "nimbusUpTime": "1s"},
    ...                   {"status": "Leader", "nimbusUpTime": "2m 13s"}]})
    {'supervisors': 1, 'nimbusUptime': '2m 13s'}
    """
    if "nimbusUptime" in cluster:
        return cluster
    leaders = [n for n in nimbuses.get("nimbuses", []) if n.get("status") == "Leader"]
    return {**cluster, "nimbusUptime": leaders[0]["nimbusUpTime"] if leaders else "no leader"}


def apply() -> None:
    original_jsons = target(PATCH, "streamparse.util", "get_ui_jsons")
    original_topology_id = target(PATCH, "streamparse.cli.stats", "_get_topology_id")
    texttable = target(PATCH, "streamparse.util", "Texttable")

    def get_ui_jsons(env_name: str, api_paths: Any, config_file: Any = None) -> dict[str, Any]:
        paths = list(api_paths)
        extra = [NIMBUS_SUMMARY] if CLUSTER_SUMMARY in paths and NIMBUS_SUMMARY not in paths else []
        data = original_jsons(env_name, paths + extra, config_file=config_file)
        if CLUSTER_SUMMARY in data:
            data[CLUSTER_SUMMARY] = with_nimbus_uptime(data[CLUSTER_SUMMARY], data[NIMBUS_SUMMARY])
        return {path: data[path] for path in paths}

    def get_topology_id(env_name: str, topology_name: str, config_file: Any = None) -> str:
        topology_id = original_topology_id(env_name, topology_name, config_file=config_file)
        if topology_id is None:
            raise UserError(
                f"no topology named {topology_name!r} is running on the cluster",
                f"sparse list -e {env_name} shows what runs",
            )
        return topology_id

    class TerminalWideTexttable(texttable):  # type: ignore[valid-type, misc]  # found at run time
        def __init__(self, max_width: int = 80) -> None:
            if not sys.stdout.isatty():  # piped (`sparse stats | grep url_window`): no wrap
                max_width = 0
            else:
                max_width = max(max_width, shutil.get_terminal_size().columns)
            super().__init__(max_width=max_width)

    warnings.filterwarnings("ignore", message=".*0.9.2-incubating.*")
    replace(PATCH, "streamparse.util", "get_ui_jsons", get_ui_jsons, COPIES)
    replace(PATCH, "streamparse.cli.stats", "_get_topology_id", get_topology_id)
    replace(PATCH, "streamparse.util", "Texttable", TerminalWideTexttable)
