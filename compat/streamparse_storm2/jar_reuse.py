"""Patch 13: the topology jar is built again only when what goes into it changed.

What goes wrong: every ``sparse run`` and ``sparse submit`` ran ``lein clean`` and
``lein uberjar`` (some 10 s), and a second command in the same project deleted the jar
under a first one's feet.

The patch: ``streamparse.cli.jar.jar_for_deploy`` (and the copies run and submit
imported) returns the last jar when a digest of ``src/`` and ``project.clj``, kept
beside it in ``_build/``, is the same. Two commands started together (two terminals, or
the suite's two workers on a fresh clone) build it once: the second waits on a lock
(``flock`` on ``project.clj``, which ``lein clean`` never deletes) and reuses the jar the
first built.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Callable
from pathlib import Path

from streamparse_storm2._target import replace, target

PATCH = __name__
COPIES = ("streamparse.cli.run", "streamparse.cli.submit")
JAR_STAMP = Path("_build") / ".logstorm-jar-inputs"


def jar_inputs_digest(root: Path) -> str:
    """sha256 over the name and bytes of every file a topology jar is built from."""
    digest = hashlib.sha256()
    files = [root / "project.clj"]
    files += sorted(p for p in (root / "src").rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts)  # fmt: skip
    for path in files:
        digest.update(f"{path.relative_to(root)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def reused_jar(build: Callable[..., str], root: Path = Path()) -> Callable[..., str]:
    """Wrap streamparse's jar_for_deploy: the last jar again if its inputs are the same."""

    def jar_for_deploy(simple_jar: bool = False) -> str:
        with open(root / "project.clj", "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            return built_or_reused(simple_jar)

    def built_or_reused(simple_jar: bool) -> str:
        want = f"{jar_inputs_digest(root)} simple={simple_jar}"
        stamp = root / JAR_STAMP
        try:
            digest, jar = stamp.read_text().rsplit(" ", 1)
        except (OSError, ValueError):
            digest, jar = "", ""
        if digest == want and (root / jar).is_file():
            print(f"{'JAR' if simple_jar else 'Uber-JAR'} unchanged since it was built: {jar}")
            return jar
        jar = build(simple_jar=simple_jar)
        stamp.write_text(f"{want} {jar}")
        return jar

    return jar_for_deploy


def apply() -> None:
    build = target(PATCH, "streamparse.cli.jar", "jar_for_deploy")
    replace(PATCH, "streamparse.cli.jar", "jar_for_deploy", reused_jar(build), COPIES)
