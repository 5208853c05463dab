"""Where the test suite's own services live: a session folder and free ports, apart
from what a user's `make run`, `make cluster-up` or `make kafka-up` uses.

tests/conftest.py calls :func:`setup` when pytest loads it, before any helper module
reads these variables, so the tools (tools/cluster, tools/kafka, tools/run-live), the
bench scripts and every process they start see them through the environment:

- ``LOGSTORM_SUITE_DIR``: the session folder (a fresh temporary folder), holding
  ``cluster/`` (LOGSTORM_CLUSTER_RUN), ``kafka/`` (LOGSTORM_KAFKA_RUN), ``run/``
  (LOGSTORM_RUN, for tools/run-live), ``logs/`` (LOGSTORM_SPARSE_LOGS, the Storm logs
  of ``sparse run``) and ``config.json`` (config.json with the cluster env pointed at
  the suite's Nimbus, UI, virtualenvs and log folder); removed after a session without
  failures, kept to read otherwise.
- ``LOGSTORM_CLUSTER_PORT_OFFSET`` and ``LOGSTORM_KAFKA_PORT``: chosen here so that
  every port the cluster and the broker will listen on is free now.
- ``LOGSTORM_CLUSTER_VENVS``: the worker virtualenvs, in .cache/suite-virtualenvs
  (git-ignored; rebuilt only when virtualenvs/*.txt change, as tools/cluster venvs
  does for run/cluster/virtualenvs).
- ``STORM_JAR_JVM_OPTS``: :data:`SUITE_JVM_OPTS`, for the JVMs tools/storm starts, and
  ``LOGSTORM_WORKER_JVM_OPTS``: C1 alone for the cluster's workers.

Variables already set (e.g. by a CI job that wants its own folder) are kept.
"""

from __future__ import annotations

import json
import os
import random
import socket
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# What the tests keep after the run to look at (screenshots, the page's latency report):
# git-ignored, apart from run/ (what a user's runs leave), overwritten by the next run.
ARTIFACTS = PROJECT / "test-artifacts"
# Outside Linux's ephemeral range (32768-60999): no outgoing connection takes them
# between the choice and the bind.
CLUSTER_OFFSETS = range(10_000, 24_001, 1000)  # ports 12182 .. 32080
CLUSTER_PORTS = (2182, 6627, *range(6628, 6632), *range(6700, 6704), *range(6710, 6734),
                 8000, 8080)  # fmt: skip
KAFKA_PORTS = range(20_000, 32_000, 10)
# The JVMs tools/storm starts (each `sparse run`'s LocalCluster, the cluster's daemons)
# and the cluster's workers (LOGSTORM_WORKER_JVM_OPTS, tools/cluster; they have the serial
# collector already): the suite's runs are short and the two cores busy, so the C1
# compiler alone and the serial collector, which cost less CPU than C2 and G1 there (the
# flood of garbage of test_bounded_disk.py: 17 against 22 CPU-s).
SUITE_JVM_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_cluster_offset() -> int:
    for offset in random.sample(CLUSTER_OFFSETS, len(CLUSTER_OFFSETS)):
        if all(free(p + offset) for p in CLUSTER_PORTS):
            return offset
    raise RuntimeError("no free set of ports for the suite's cluster")


def pick_kafka_port(taken: set[int]) -> int:
    """Broker 1's client port; with three brokers, N listens 100 (N - 1) higher, each
    controller one port above its broker."""
    for port in random.sample(KAFKA_PORTS, len(KAFKA_PORTS)):
        wanted = {port + 100 * n + c for n in range(3) for c in (0, 1)}
        if not wanted & taken and all(map(free, wanted)):
            return port
    raise RuntimeError("no free ports for the suite's broker")


def setup() -> Path:
    """Set the variables (once per session) and write the session's config.json."""
    env = os.environ
    if not env.get("LOGSTORM_SUITE_DIR"):
        env["LOGSTORM_SUITE_DIR"] = tempfile.mkdtemp(prefix="logstorm-suite-")
    suite = Path(env["LOGSTORM_SUITE_DIR"])
    env.setdefault("LOGSTORM_CLUSTER_RUN", str(suite / "cluster"))
    env.setdefault("LOGSTORM_KAFKA_RUN", str(suite / "kafka"))
    env.setdefault("LOGSTORM_RUN", str(suite / "run"))
    env.setdefault("LOGSTORM_SPARSE_LOGS", str(suite / "logs"))
    env.setdefault("LOGSTORM_CLUSTER_VENVS", str(PROJECT / ".cache" / "suite-virtualenvs"))
    env.setdefault("STORM_JAR_JVM_OPTS", SUITE_JVM_OPTS)
    env.setdefault("LOGSTORM_WORKER_JVM_OPTS", "-XX:TieredStopAtLevel=1")  # the cluster's
    if "LOGSTORM_CLUSTER_PORT_OFFSET" not in env:
        env["LOGSTORM_CLUSTER_PORT_OFFSET"] = str(pick_cluster_offset())
    if "LOGSTORM_KAFKA_PORT" not in env:
        offset = int(env["LOGSTORM_CLUSTER_PORT_OFFSET"])
        env["LOGSTORM_KAFKA_PORT"] = str(pick_kafka_port({p + offset for p in CLUSTER_PORTS}))
    config = json.loads((PROJECT / "config.json").read_text())
    cluster = config["envs"]["cluster"]
    cluster["nimbus"] = f"127.0.0.1:{nimbus_port()}"
    cluster["ui.port"] = ui_port()  # what sparse stats reads (streamparse's default: 8080)
    cluster["virtualenv_root"] = env["LOGSTORM_CLUSTER_VENVS"]
    cluster["log"]["path"] = str(Path(env["LOGSTORM_CLUSTER_RUN"]) / "logs" / "python")
    (suite / "config.json").write_text(json.dumps(config, indent=4))
    return suite


def use_project_services() -> None:
    """For a bench script run by hand (`make faults`, `make soak`), outside the suite:
    the project's own cluster and broker, where tools/cluster and tools/kafka put them
    by default (run/cluster, run/kafka, Nimbus on 6627, the broker on 9092), unless the
    environment names others; :func:`config_path` is then the project's config.json."""
    env = os.environ
    env.setdefault("LOGSTORM_CLUSTER_RUN", str(PROJECT / "run" / "cluster"))
    env.setdefault("LOGSTORM_KAFKA_RUN", str(PROJECT / "run" / "kafka"))
    env.setdefault("LOGSTORM_CLUSTER_VENVS", str(Path(env["LOGSTORM_CLUSTER_RUN"]) / "virtualenvs"))
    env.setdefault("LOGSTORM_CLUSTER_PORT_OFFSET", "0")
    env.setdefault("LOGSTORM_KAFKA_PORT", "9092")


def suite_dir() -> Path:
    return Path(os.environ["LOGSTORM_SUITE_DIR"])


def config_path() -> Path:
    """config.json for `sparse ... -e cluster`: the suite's (its cluster), or outside the
    suite the project's."""
    if not os.environ.get("LOGSTORM_SUITE_DIR"):
        return PROJECT / "config.json"
    return suite_dir() / "config.json"


def nimbus_port() -> int:
    return 6627 + int(os.environ["LOGSTORM_CLUSTER_PORT_OFFSET"])


def ui_port() -> int:
    return 8080 + int(os.environ["LOGSTORM_CLUSTER_PORT_OFFSET"])


def kafka_servers() -> str:
    return f"127.0.0.1:{os.environ['LOGSTORM_KAFKA_PORT']}"
