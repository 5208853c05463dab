"""Fixtures the integration tests share."""

import pytest
from kafka_broker import KAFKA, broker_processes
from kafka_broker import sh as run
from storm_cluster import CLUSTER, kill, our_processes, running_topologies, sh


@pytest.fixture(scope="session")
def kafka():
    """The broker, started once for every test that needs it, stopped at the end."""
    assert run([*KAFKA, "down"]).returncode == 0
    assert run([*KAFKA, "clean"]).returncode == 0
    up = run([*KAFKA, "up"])
    assert up.returncode == 0 and "kafka: up" in up.stdout, up.stdout + up.stderr
    yield
    down = run([*KAFKA, "down"])
    assert down.returncode == 0, down.stderr
    assert broker_processes() == []  # stopped by PID, nothing left


@pytest.fixture(scope="module")
def cluster():
    """A fresh loopback cluster for the tests of one module, stopped after them."""
    assert sh([*CLUSTER, "down"]).returncode == 0
    assert sh([*CLUSTER, "clean"]).returncode == 0  # no topologies left from an earlier run
    assert sh([*CLUSTER, "venvs"]).returncode == 0
    up = sh([*CLUSTER, "up"])
    assert up.returncode == 0 and "cluster: up" in up.stdout, up.stdout + up.stderr
    yield
    down = sh([*CLUSTER, "down"])
    assert down.returncode == 0, down.stderr
    assert our_processes() == []  # no daemon, worker or Python component left


@pytest.fixture(autouse=True)
def no_topology_left_running(request):
    """After a cluster test, even a failed one, kill what it left running, so the next
    test fails (or passes) on its own."""
    yield
    if "cluster" in request.fixturenames:
        for name in running_topologies():
            kill(name)
