"""Patch 8: Flux YAML names the shutdown-safe shell components (shutdown_safe_flux)."""

from streamparse.dsl.topology import Topology

from streamparse_storm2 import shutdown_safe_flux
from streamparse_storm2.shutdown_safe_flux import shutdown_safe


def test_flux_shell_wrappers_become_their_shutdown_safe_subclasses(monkeypatch):
    flux = {"id": "count", "className": "org.apache.storm.flux.wrappers.bolts.FluxShellBolt"}
    monkeypatch.setattr(Topology, "_spec_to_flux_dict", staticmethod(lambda spec: flux))
    shutdown_safe_flux.apply()
    assert Topology._spec_to_flux_dict(None)["className"] == "logstorm.storm.ShutdownSafeShellBolt"
    java = {"id": "kafka", "className": "org.apache.storm.kafka.spout.KafkaSpout"}
    assert shutdown_safe(java) == java
