"""Patch 13: the jar is built again only when its inputs changed (jar_reuse)."""

import threading
import time
from pathlib import Path

from streamparse_storm2.jar_reuse import reused_jar


def test_the_topology_jar_is_built_again_only_when_src_or_project_clj_changed(tmp_path):
    (tmp_path / "src" / "bolts").mkdir(parents=True)
    (tmp_path / "_build").mkdir()
    (tmp_path / "project.clj").write_text("(defproject x)")
    bolt = tmp_path / "src" / "bolts" / "a.py"
    bolt.write_text("A = 1\n")
    builds = []

    def build(simple_jar=False):
        builds.append(simple_jar)
        jar = tmp_path / "_build" / "x-standalone.jar"
        jar.write_bytes(b"PK")
        return str(jar)

    jar_for_deploy = reused_jar(build, root=tmp_path)
    first = jar_for_deploy()
    (tmp_path / "src" / "bolts" / "__pycache__").mkdir()
    (tmp_path / "src" / "bolts" / "__pycache__" / "a.pyc").write_bytes(b"\0")  # not an input
    assert jar_for_deploy() == first and builds == [False]
    bolt.write_text("A = 2\n")
    assert jar_for_deploy() == first and builds == [False, False]
    assert jar_for_deploy(simple_jar=True) and builds == [False, False, True]
    (tmp_path / "_build" / "x-standalone.jar").unlink()  # lein clean, or another command
    assert jar_for_deploy(simple_jar=True) and builds == [False, False, True, True]


def waiting_for_the_lock_on(path) -> bool:
    """Whether a flock on path has a waiter (/proc/locks marks waiters with "->")."""
    inode = f":{path.stat().st_ino} "
    return any("->" in line and inode in line for line in Path("/proc/locks").open())


def test_two_commands_started_together_build_the_jar_once(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "_build").mkdir()
    (tmp_path / "project.clj").write_text("(defproject x)")
    builds, building, finish = [], threading.Event(), threading.Event()

    def slow_build(simple_jar=False):
        builds.append(simple_jar)
        building.set()
        assert finish.wait(10)
        jar = tmp_path / "_build" / "x-standalone.jar"
        jar.write_bytes(b"PK")
        return str(jar)

    jar_for_deploy = reused_jar(slow_build, root=tmp_path)
    jars = []
    threads = [threading.Thread(target=lambda: jars.append(jar_for_deploy())) for _ in "12"]
    threads[0].start()
    assert building.wait(10)
    threads[1].start()  # a second command while the first one builds: it waits
    deadline = time.monotonic() + 10
    while not waiting_for_the_lock_on(tmp_path / "project.clj"):
        assert time.monotonic() < deadline and builds == [False], "the second built too"
        time.sleep(0.01)
    finish.set()
    for thread in threads:
        thread.join()
    assert builds == [False] and jars[0] == jars[1]
