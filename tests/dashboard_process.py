"""The dashboard as a user starts it, for the tests that read it (browser, Prometheus)."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

from sparse_run import PROJECT

PYTHON = PROJECT / ".venv" / "bin" / "python"


class Dashboard:
    """`python -m logstorm.dashboard` on windows_path, started and stopped as a user would."""

    def __init__(self, windows_path: Path, port: int = 0) -> None:
        self.argv = [str(PYTHON), "-m", "logstorm.dashboard", "--port", str(port),
                     "--windows", str(windows_path)]  # fmt: skip

    def start(self) -> str:
        """Its URL, from the line it prints once it listens."""
        self.proc = subprocess.Popen(self.argv, cwd=PROJECT, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        match = re.match(r"dashboard: (http://127\.0\.0\.1:(\d+)/) ", line)
        assert match, f"the dashboard printed {line!r}, exit code {self.proc.poll()}"
        self.url, self.port = match.group(1), int(match.group(2))
        return self.url

    def stop(self) -> None:
        """What Ctrl-C does; it exits 0."""
        self.proc.send_signal(signal.SIGINT)
        assert self.proc.wait(timeout=10) == 0

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.stop()
