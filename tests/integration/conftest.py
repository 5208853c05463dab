"""Fixtures the integration tests share."""

import pytest
from kafka_broker import KAFKA, broker_processes, sh


@pytest.fixture(scope="session")
def kafka():
    """The broker, started once for every test that needs it, stopped at the end."""
    assert sh([*KAFKA, "down"]).returncode == 0
    assert sh([*KAFKA, "clean"]).returncode == 0
    up = sh([*KAFKA, "up"])
    assert up.returncode == 0 and "kafka: up" in up.stdout, up.stdout + up.stderr
    yield
    down = sh([*KAFKA, "down"])
    assert down.returncode == 0, down.stderr
    assert broker_processes() == []  # stopped by PID, nothing left
