"""Patch 8: a timed ``sparse run -t`` ends with exit code 0, not 1, on a busy machine.

What goes wrong: when the LocalCluster shuts down, an executor thread that outlives
Storm's 100 ms wait hands one more tuple to a shell component whose Python process
Storm had just destroyed; the component rethrows its own death, and
``ReportErrorAndDie`` halts the JVM (its ZooKeeper client already closed).

The patch: ``streamparse.dsl.topology.Topology._spec_to_flux_dict`` names the
project's ``logstorm.storm.ShutdownSafeShellBolt``/``ShellSpout`` (src/jvm/) in the
Flux YAML instead of Flux's shell wrappers: the same components, except that a call
arriving once their shutdown began ends the executor thread as Storm ends an
interrupted one, instead of halting the JVM.
"""

from __future__ import annotations

from typing import Any

from streamparse_storm2._target import MissingTarget, target

PATCH = __name__
SHUTDOWN_SAFE = {
    "org.apache.storm.flux.wrappers.bolts.FluxShellBolt": "logstorm.storm.ShutdownSafeShellBolt",
    "org.apache.storm.flux.wrappers.spouts.FluxShellSpout": "logstorm.storm.ShutdownSafeShellSpout",
}


def shutdown_safe(component: dict[str, Any]) -> dict[str, Any]:
    """A Flux component with Flux's shell wrapper replaced by its shutdown-safe subclass.

    >>> shutdown_safe({"id": "count", "className": "org.apache.storm.flux.wrappers."
    ...                "bolts.FluxShellBolt"})["className"]
    'logstorm.storm.ShutdownSafeShellBolt'
    """
    name = component.get("className")
    return {**component, "className": SHUTDOWN_SAFE.get(name, name)} if name else component


def apply() -> None:
    topology = target(PATCH, "streamparse.dsl.topology", "Topology")
    if not isinstance(vars(topology).get("_spec_to_flux_dict"), staticmethod):
        raise MissingTarget(PATCH, "streamparse.dsl.topology.Topology._spec_to_flux_dict")
    to_flux = topology._spec_to_flux_dict
    topology._spec_to_flux_dict = staticmethod(lambda spec: shutdown_safe(to_flux(spec)))
