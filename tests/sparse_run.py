"""Run `sparse run` as a user would, and wait on what it produces.

Used by the integration tests: the topology runs on a real Storm LocalCluster
(`storm local` + Flux) with real Python worker processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

PROJECT = Path(__file__).resolve().parent.parent
SPARSE = PROJECT / ".venv" / "bin" / "sparse"
T = TypeVar("T")


def wait_for(
    probe: Callable[[], T | None], timeout: float, what: str, log: Path | None = None
) -> T:
    """Poll probe until it returns a truthy value; fail after timeout seconds naming what."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = ""
            if log and log.exists():
                tail = "\n--- last lines of the run's output ---\n" + "\n".join(
                    log.read_text(errors="replace").splitlines()[-40:]
                )
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{tail}")
        time.sleep(0.5)


def default_sigint() -> None:
    """In a child: Ctrl-C (SIGINT) stops it, even when the suite itself was started as a
    background job (`bash .ci/run &`), whose commands inherit SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class SparseRun:
    """`sparse run -n NAME [-t SECS] -o k=v ...` in its own process group, output to a log."""

    def __init__(
        self,
        name: str,
        log: Path,
        options: dict[str, object],
        secs: int | None = None,
        serializer: str | None = None,
    ) -> None:
        """serializer: json or msgpack for this run (LOGSTORM_SERIALIZER), else config.json's."""
        self.log = log
        # Storm's output as the tests read it, not the console view a person sees
        self.env = {**os.environ, "LOGSTORM_CONSOLE": "storm"}
        if serializer:
            self.env["LOGSTORM_SERIALIZER"] = serializer
        argv = [str(SPARSE), "run", "-n", name]
        if secs is not None:
            argv += ["-t", str(secs)]
        for key, value in options.items():
            argv += ["-o", f"{key}={value}"]
        self.argv = argv
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SparseRun:
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=PROJECT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=default_sigint,
                env=self.env,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.interrupt()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def interrupt(self) -> None:
        """What Ctrl-C does in a terminal: SIGINT to the whole process group."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGINT)

    def terminate(self) -> None:
        """What a process manager (``timeout``, systemd, a container runtime) does:
        SIGTERM to sparse alone."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    def group_alive(self) -> bool:
        """Whether any process of the run (sparse, storm JVM, Python workers) is left."""
        assert self.proc is not None
        self.proc.poll()  # reap sparse itself, or its zombie keeps the group alive
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def output(self) -> str:
        """Everything the run printed so far."""
        return self.log.read_text(errors="replace")
