"""A real headless Chromium (Debian's `chromium`, installed by tools/bootstrap) for
tests of web pages: the DOM after the page's scripts ran, and screenshots.

>>> rows = table_rows(rendered_dom("http://127.0.0.1:8080/index.html"))  # doctest: +SKIP
>>> ["logs", "logs-1-1796160271", "root", "ACTIVE", ...] in rows          # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Virtual time lets the page's requests and scripts finish before the DOM is taken.
SCRIPT_BUDGET_MS = 15000


def _chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        argv = ["chromium", *FLAGS, f"--user-data-dir={profile}",
                f"--virtual-time-budget={SCRIPT_BUDGET_MS}", *args]  # fmt: skip
        # its own process group: Chromium's helper processes outlive the browser process
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)  # fmt: skip
        try:
            out, err = proc.communicate(timeout=120)
        finally:
            stop_group(proc)  # before the profile goes: nothing may write into it then
    assert proc.returncode == 0, f"chromium {args}: {err[-2000:]}"
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def rendered_dom(url: str) -> str:
    """The page's DOM once its scripts ran (chromium --dump-dom)."""
    return _chromium("--dump-dom", url).stdout


def screenshot(url: str, png: Path, width: int = 1400, height: int = 1800) -> Path:
    """A PNG of the rendered page at png (its folders are created)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    _chromium(f"--screenshot={png}", f"--window-size={width},{height}", url)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"no PNG written for {url}"
    return png


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    """The text of every table row's cells, in document order, whitespace collapsed."""
    parser = _Rows()
    parser.feed(html)
    return [row for row in parser.rows if row]


def stop_group(proc: subprocess.Popen, secs: float = 10.0) -> None:
    """End proc's whole process group and wait until none of it is left running: the
    browser process exits before its helpers, which may still write into the profile
    (a profile removed then failed with "Directory not empty")."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=secs)
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline:
            if proc.poll() is not None and not _running_in_group(proc.pid):
                return
            time.sleep(0.05)
    raise RuntimeError(f"chromium's process group {proc.pid} did not end")


def _running_in_group(group: int) -> list[int]:
    """PIDs of the processes of a process group that still run (zombies aside)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":  # state, ppid, pgrp
            found.append(int(entry.name))
    return found
