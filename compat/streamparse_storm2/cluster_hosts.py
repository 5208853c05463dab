"""Patch 14: ``sparse submit`` checks the cluster's hosts before it sends a topology.

What goes wrong: ``sparse submit`` sent a topology to a cluster of several hosts
whatever it needed from one host's disk, and such a run could start healthy and write
nothing.

The patch: a topology class may name a check of the cluster's hosts (``check_hosts``:
options, the hosts of Nimbus's supervisors -> raises ValueError naming the option);
``streamparse.cli.submit._kill_existing_topology`` (the first call that holds a Nimbus
client) runs it first, so ``sparse submit`` stops before anything is sent or killed,
with exit code 2.
"""

from __future__ import annotations

from typing import Any

from streamparse_storm2._target import replace, target
from streamparse_storm2.errors import BadOption
from streamparse_storm2.resolved_options import RESOLVED

PATCH = __name__


def checked_hosts(topology_class: Any, storm_options: dict[str, Any], hosts: list[str]) -> None:
    """Run the topology class's check of the cluster's hosts (``check_hosts``)."""
    check = getattr(topology_class, "check_hosts", None)
    if check is None:
        return
    try:
        check(storm_options, hosts)
    except ValueError as err:
        raise BadOption(str(err)) from None


def apply() -> None:
    inner = target(PATCH, "streamparse.cli.submit", "_kill_existing_topology")

    def kill_existing(name: str, force: bool, wait: Any, nimbus_client: Any) -> None:
        hosts = [s.host for s in nimbus_client.getClusterInfo().supervisors or []]
        checked_hosts(RESOLVED.get("topology"), RESOLVED.get("options", {}), hosts)
        inner(name, force, wait, nimbus_client)

    replace(PATCH, "streamparse.cli.submit", "_kill_existing_topology", kill_existing)
