"""Patch 15: SIGTERM/SIGHUP stop `sparse run` and Storm with it (run_signals)."""

import os
import shlex
import signal
import subprocess
import sys

import pytest
import streamparse.cli.run as run
from sparse_run import wait_for

from streamparse_storm2 import UserError, run_signals


def test_sigterm_to_sparse_run_stops_storm_and_exits_143(tmp_path):
    """What `timeout` or systemd sends reaches the `storm local` process too."""
    pid_file = tmp_path / "storm.pid"
    fake_storm = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    script = (
        "from streamparse_storm2 import run_signals; "
        f"run_signals.run_storm_local({shlex.join([sys.executable, '-c', fake_storm])!r}, None)"
    )
    sparse = subprocess.Popen([sys.executable, "-c", script])
    storm_pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), 30, "storm"))
    sparse.send_signal(signal.SIGTERM)
    assert sparse.wait(timeout=30) == 143
    with pytest.raises(ProcessLookupError):
        os.kill(storm_pid, 0)


def test_storm_failing_stops_sparse_with_its_exit_code(monkeypatch):
    monkeypatch.setattr(run, "local", lambda command, **kw: pytest.fail("not storm local"))
    monkeypatch.setattr(run_signals, "run_storm_local", lambda command, stdout: 3)
    run_signals.apply()
    with pytest.raises(UserError, match="Storm stopped with exit code 3"):
        run.local("storm local --local-ttl 5 a.jar org.apache.storm.flux.Flux t.yaml")
