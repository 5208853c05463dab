"""Each `storm local` run's temporary folder goes once Storm is gone (local_tmp)."""

import os
import subprocess
import sys
import tempfile

import pytest

from streamparse_storm2 import run_signals
from streamparse_storm2.local_tmp import PREFIX, remove_orphans, storm_local_env


def test_the_jvm_gets_a_folder_of_its_own_removed_even_when_the_run_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # what TMPDIR sets
    with pytest.raises(RuntimeError), storm_local_env({"STORM_JAR_JVM_OPTS": "-Xmx1g"}) as env:
        opts = env["STORM_JAR_JVM_OPTS"].split()
        assert opts[0] == "-Xmx1g"  # the user's own options kept
        folder = opts[1].removeprefix("-Djava.io.tmpdir=")
        assert os.path.dirname(folder) == str(tmp_path) and os.path.isdir(folder)
        raise RuntimeError("Storm failed")
    assert list(tmp_path.iterdir()) == []


def test_the_folders_of_killed_runs_are_removed_those_of_live_ones_kept(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    killed = tmp_path / f"{PREFIX}{gone.pid}-abc"
    running = tmp_path / f"{PREFIX}{os.getpid()}-def"
    unrelated = tmp_path / "0dd24389-9f98-4e3b-9d5d-3ff0470ae19f"
    for folder in (killed, running, unrelated):
        (folder / "storm_rocks").mkdir(parents=True)
    assert remove_orphans(tmp_path) == [killed]
    assert sorted(tmp_path.iterdir()) == sorted([running, unrelated])


def test_storm_local_runs_with_its_folder_and_leaves_none(tmp_path, monkeypatch):
    """What the JVM is given, as `storm local` would read it; the folder exists
    while Storm runs and is gone once it exited."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    seen = tmp_path / "seen"
    probe = ("import os, pathlib; opts = os.environ['STORM_JAR_JVM_OPTS']; "
             "folder = opts.split('-Djava.io.tmpdir=')[1]; "
             f"pathlib.Path({str(seen)!r}).write_text(str(os.path.isdir(folder)))")  # fmt: skip
    command = f"{sys.executable} -c {probe!r}"
    assert run_signals.run_storm_local(command, None) == 0
    assert seen.read_text() == "True"
    assert list((tmp_path / "tmp").iterdir()) == []
