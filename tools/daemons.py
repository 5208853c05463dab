"""Background daemons of the project's loopback services, started and stopped by PID.

Shared by tools/cluster (ZooKeeper, Nimbus, Supervisor, UI, logviewer) and tools/kafka
(the Kafka broker). Each daemon leads its own process group, so stopping it stops
whatever it started (a supervisor's workers and their Python components included);
its PID file and output live in the service's folder under run/.

>>> broker = Daemons(Path("run/kafka"), "kafka")             # doctest: +SKIP
>>> broker.start("kafka", ["java", "-cp", "...", "kafka.Kafka", "server.properties"], {})
>>> broker.wait_until(lambda: answers(), 60, "Kafka", broker.logs / "server.log")
>>> broker.stop("kafka")                                     # SIGTERM, then SIGKILL
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

TERM_GRACE_SECS, KILL_GRACE_SECS = 30, 10


class Daemons:
    """The daemons of one service: PID files in <run>/pids, output in <run>/logs;
    messages start with the service's name."""

    def __init__(self, run: Path, service: str) -> None:
        self.run, self.service = run, service
        self.pids, self.logs = run / "pids", run / "logs"

    def pid_of(self, name: str) -> int | None:
        """PID of a running daemon, from its PID file (None if not running)."""
        try:
            pid = int((self.pids / f"{name}.pid").read_text())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return None
        return pid

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        """Start a daemon in its own session, output appended to <logs>/<name>.out."""
        self.pids.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.logs / f"{name}.out", "ab") as out:
            proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, **env}, start_new_session=True, cwd=self.run,
            )  # fmt: skip
        (self.pids / f"{name}.pid").write_text(str(proc.pid))

    def wait_until(self, check: Callable[[], object], secs: float, what: str, log: Path) -> None:
        """Poll check until it is true; exit naming what and the log's tail after secs."""
        deadline = time.monotonic() + secs
        while not check():
            if time.monotonic() > deadline:
                tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
                sys.exit(
                    f"{self.service}: {what} not ready after {secs:.0f}s; see {log}\n"
                    + "\n".join(tail)
                )
            time.sleep(0.5)

    def stop(self, name: str) -> bool:
        """Stop a daemon and its process group: SIGTERM, then SIGKILL. Whether it ran."""
        pid = self.pid_of(name)
        if pid is not None:
            for sig, grace in (
                (signal.SIGTERM, TERM_GRACE_SECS),
                (signal.SIGKILL, KILL_GRACE_SECS),
            ):
                try:
                    os.killpg(pid, sig)
                except ProcessLookupError:
                    break
                deadline = time.monotonic() + grace
                while group_alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.2)
                if not group_alive(pid):
                    break
        (self.pids / f"{name}.pid").unlink(missing_ok=True)
        return pid is not None


def group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process is left in a process group."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Zombies still count as members until reaped; our children are reaped by init.
    return any(
        _pgid(p) == pgid and not _zombie(p) for p in Path("/proc").iterdir() if p.name.isdigit()
    )


def _pgid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def _zombie(proc: Path) -> bool:
    try:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True
