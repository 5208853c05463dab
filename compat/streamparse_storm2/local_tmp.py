"""A temporary folder of its own for each ``storm local`` run, removed once Storm is gone.

What goes wrong: Storm's LocalCluster makes its Nimbus, supervisor and ZooKeeper
folders as ``<java.io.tmpdir>/<uuid>`` (about 75 MB a run, mostly Nimbus's RocksDB
metrics store) and deletes them only when it is closed at the end of a timed run. A
run stopped by Ctrl-C or SIGTERM, the usual way to end ``sparse run``, left all five
in ``/tmp``: 4,270 of them (63 GB) after two days of this project's tests.

The fix: patch 15 starts Storm with ``java.io.tmpdir`` set to a folder made for the run
(``STORM_JAR_JVM_OPTS``, which the project's ``storm`` script passes to the JVM) and
removes it once Storm has exited, however it stopped. A run whose ``sparse`` was killed
outright (SIGKILL) cannot clean up: the next run removes the folders of runs whose
``sparse`` process is gone (the pid is in the folder's name).

>>> with storm_local_env({"PATH": "/bin"}) as env:
...     folder = Path(env["STORM_JAR_JVM_OPTS"].split("=", 1)[1])
...     folder.is_dir(), folder.name.startswith(f"{PREFIX}{os.getpid()}-")
(True, True)
>>> folder.exists()
False
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PREFIX = "logstorm-storm-local-"  # then the pid of the sparse process that made it
JVM_OPTS = "STORM_JAR_JVM_OPTS"


@contextmanager
def storm_local_env(env: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """env for ``storm local`` with the JVM's temporary folder set to one made for the
    run, removed on leaving (after Storm exited)."""
    remove_orphans(Path(tempfile.gettempdir()))
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    try:
        opts = f"{env.get(JVM_OPTS, '')} -Djava.io.tmpdir={folder}".strip()
        yield {**env, JVM_OPTS: opts}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_orphans(root: Path) -> list[Path]:
    """Remove the run folders under root whose ``sparse`` process is gone; returns them."""
    removed = []
    for folder in root.glob(f"{PREFIX}*"):
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
