"""The suite's loopback Storm cluster (tools/cluster, in the session folder and on the
ports of tests/suite_env.py) for the integration tests: the streamparse commands a user
types, and the processes Storm started for it."""

import os
import signal
import subprocess
import warnings
from pathlib import Path

import suite_env
from processes import command_lines_mentioning
from sparse_run import PROJECT, SPARSE, wait_for

CLUSTER = [str(PROJECT / ".venv" / "bin" / "python"), str(PROJECT / "tools" / "cluster")]
RUN = Path(os.environ["LOGSTORM_CLUSTER_RUN"])
VENVS = Path(os.environ["LOGSTORM_CLUSTER_VENVS"])
NIMBUS_PORT = suite_env.nimbus_port()


def sh(argv, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    # sparse list draws its table to the terminal width
    env = {**os.environ, "COLUMNS": "300", **(env or {})}
    return subprocess.run(argv, cwd=PROJECT, capture_output=True, text=True, timeout=300, env=env,
                          **kw)  # fmt: skip


def sparse(*args: str, serializer: str | None = None) -> subprocess.CompletedProcess:
    """sparse with args; serializer: json or msgpack for this command, else config.json's.
    With ``-e cluster`` and no ``--config``: the session's config.json, whose cluster env
    is the suite's cluster."""
    if "--config" not in args and "cluster" in args and args[args.index("cluster") - 1] == "-e":
        args = (args[0], "--config", str(suite_env.config_path()), *args[1:])
    return sh([str(SPARSE), *args], env={"LOGSTORM_SERIALIZER": serializer} if serializer else None)


def our_processes() -> list[str]:
    """Command lines of live processes started for the suite's cluster (daemons, workers,
    Python components: these run from its virtualenvs)."""
    return command_lines_mentioning(str(RUN)) + command_lines_mentioning(str(VENVS))


def running_topologies() -> dict[str, str]:
    warnings.filterwarnings("ignore", message=".*TripleDES.*")
    from streamparse.util import get_nimbus_client

    info = get_nimbus_client(host="127.0.0.1", port=NIMBUS_PORT).getClusterInfo()
    return {t.name: t.status for t in info.topologies if t.status != "KILLED"}


def free_slots() -> dict[str, int]:
    """Free worker slots per supervisor host, as Nimbus sees them."""
    warnings.filterwarnings("ignore", message=".*TripleDES.*")
    from streamparse.util import get_nimbus_client

    info = get_nimbus_client(host="127.0.0.1", port=NIMBUS_PORT).getClusterInfo()
    return {s.host: s.num_workers - s.num_used_workers for s in info.supervisors}


def kill(name: str) -> None:
    result = sparse("kill", "-e", "cluster", "-n", name, "--wait", "1")
    assert result.returncode == 0, result.stderr
    wait_for(lambda: name not in sparse("list", "-e", "cluster").stdout, 60, f"{name} to go")


def python_components(cls: str) -> set[int]:
    """PIDs of the cluster's Python processes running component class cls."""
    pids = set()
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().decode()
        except OSError:
            continue
        if str(VENVS) in cmd and cls in cmd:
            pids.add(int(proc.name))
    return pids


def worker_of(pid: int) -> int:
    """The worker JVM a Python component process belongs to (its parent)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def host_of(pid: int) -> str | None:
    """The (simulated) host a Python component runs on: its worker's storm.local.dir is
    <RUN>/storm-local on 127.0.0.1, <RUN>/hosts/<address>/storm-local on an added host.
    None for a process gone, or left behind by a worker that died."""
    try:
        worker = (Path(f"/proc/{worker_of(pid)}") / "cmdline").read_bytes().decode()
    except OSError:
        return None
    if "-Dstorm.local.dir=" not in worker:
        return None
    local_dir = worker.split("-Dstorm.local.dir=", 1)[1].split("\0", 1)[0]
    return Path(local_dir).parent.name if "/hosts/" in local_dir else "127.0.0.1"


def kill_host(host: str) -> None:
    """kill -9 a host's Supervisor and every worker and Python process it started."""
    daemon = "supervisor" if host == "127.0.0.1" else f"supervisor-{host}"
    pid = int((RUN / "pids" / f"{daemon}.pid").read_text())
    os.killpg(pid, signal.SIGKILL)
