"""Patch 12: ``sparse run`` prints the topology's console view, not Storm's logging.

What goes wrong: ``sparse run`` printed Storm's whole start-up and runtime logging, the
Python components' messages buried in it.

The patch: a topology class may name its console view (``console``: (options,
storm_log, started) -> an object whose ``lines()`` are what to print now);
``streamparse.cli.run.local`` then sends Storm's output to
``logs/sparse-run-<topology>.log`` (the folder ``LOGSTORM_SPARSE_LOGS`` if set: the test
suite's) and prints the view's lines (for ``logs``: one line
when the topology is up, the window tables, replay progress), plus any warning or
error a Python component logs. ``LOGSTORM_CONSOLE=storm`` shows Storm's output as
before (the integration tests read it). Storm is run and stopped as patch 15 says.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from streamparse_storm2._target import replace, target
from streamparse_storm2.errors import UserError
from streamparse_storm2.project import PROJECT_ROOT
from streamparse_storm2.resolved_options import RESOLVED
from streamparse_storm2.run_signals import run_storm_local

PATCH = __name__
CONSOLE_ENV = "LOGSTORM_CONSOLE"
_COMPONENT_TROUBLE = re.compile(
    r"^\S+ (?P<level>WARN|ERROR) +\S+Shell(?:Bolt|Spout)\S* \[[^]]*\] ShellLog pid:\d+, "
    r"name:(?P<name>\S+?),? .*? - (?P<message>.*)$"
)


def component_trouble(line: str) -> str | None:
    """A Python component's warning or error in a line of Storm's log, as one line.

    >>> component_trouble("10:00:01.5 WARN  o.a.s.t.ShellSpout [Thread-9] ShellLog pid:42, "
    ...                   "name:logfiles 2026-12-02 10:00:01,500 - cannot read a.log")
    'logfiles: warning: cannot read a.log'
    >>> component_trouble("10:00:01.5 INFO  o.a.s.d.worker [main] Launching worker") is None
    True
    """
    found = _COMPONENT_TROUBLE.match(line)
    if found is None:
        return None
    level = "error" if found["level"] == "ERROR" else "warning"
    return f"{found['name']}: {level}: {found['message']}"


def run_with_console(command: str, console: Any, options: dict[str, Any], name: str) -> None:
    """Run ``storm local`` with its output in a log file, printing the console view's
    lines and the components' warnings instead."""
    folder = os.environ.get("LOGSTORM_SPARSE_LOGS")  # the test suite's: not the user's logs/
    log = (Path(folder) if folder else PROJECT_ROOT / "logs") / f"sparse-run-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    view = console(options, storm_log=log, started=time.time())
    with open(log, "wb") as out, open(log, errors="replace") as storm_output:

        def show() -> None:
            for line in view.lines():
                print(line, flush=True)
            for line in storm_output.readlines():
                trouble = component_trouble(line.rstrip("\n"))
                if trouble:
                    print(trouble, flush=True)

        returncode = run_storm_local(command, out, show)
    if returncode != 0:
        tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-25:])
        raise UserError(f"Storm stopped with exit code {returncode}; the end of its "
                        f"log:\n{tail}", f"read {log} for the whole story")  # fmt: skip


def apply() -> None:
    inner = target(PATCH, "streamparse.cli.run", "local")

    def local(command: str, *args: Any, **kwargs: Any) -> Any:
        console = getattr(RESOLVED.get("topology"), "console", None)
        if command.startswith("storm local") and console and os.environ.get(CONSOLE_ENV) != "storm":
            return run_with_console(command, console, RESOLVED["options"], RESOLVED["name"])
        return inner(command, *args, **kwargs)

    replace(PATCH, "streamparse.cli.run", "local", local)
