"""Fixtures the integration tests share: one broker and one cluster for the session,
each in the session folder and on ports free at its start (tests/suite_env.py), so a
user's `make kafka-up`, `make cluster-up` or `make run` neither stands in their way nor
sees what they leave."""

import pytest
from kafka_broker import KAFKA, broker_processes
from kafka_broker import sh as run
from storm_cluster import CLUSTER, kill, our_processes, running_topologies, sh


@pytest.fixture(scope="session")
def kafka():
    """The broker, started once for every test that needs it, stopped at the end."""
    up = run([*KAFKA, "up"])
    assert up.returncode == 0 and "kafka: up" in up.stdout, up.stdout + up.stderr
    yield
    down = run([*KAFKA, "down"])
    assert down.returncode == 0, down.stderr
    assert broker_processes() == []  # stopped by PID, nothing left


@pytest.fixture(scope="session")
def cluster():
    """The loopback cluster, started once for every test that needs it (about 40 s each
    time), stopped at the end. A test leaves it as it found it: its topologies killed
    (no_topology_left_running), a daemon or host it stops started again (a module that
    adds hosts loses them at its end)."""
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
