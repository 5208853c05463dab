"""A bad option stops `sparse run` / `sparse submit` at once: one message naming the key
and the fix, exit code 2, and nothing built or started (no Leiningen, no Java)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SPARSE = PROJECT / ".venv" / "bin" / "sparse"


@pytest.fixture
def recorded(tmp_path):
    """PATH with `lein` and `java` first, each recording that it was called."""
    calls = tmp_path / "calls"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("lein", "java"):
        shim = bin_dir / tool
        shim.write_text(f'#!/bin/sh\necho {tool} "$@" >> {calls}\nexit 1\n')
        shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env, calls


def config_with_a_worker_virtualenv(tmp_path: Path) -> Path:
    """config.json whose cluster env finds a worker virtualenv for logs (a stand-in),
    whether or not a cluster's virtualenvs were ever built in this clone."""
    config = json.loads((PROJECT / "config.json").read_text())
    venvs = tmp_path / "virtualenvs"
    config["envs"]["cluster"]["virtualenv_root"] = str(venvs)
    (venvs / "logs" / "bin").mkdir(parents=True)
    (venvs / "logs" / "bin" / "streamparse_run").touch()
    (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path / "config.json"


@pytest.mark.parametrize(
    ("argv", "key", "fix"),
    [
        (["run", "-n", "logs", "-o", "logstorm.top=-1"], "logstorm.top", "-o logstorm.top=<int"),
        (["run", "-n", "logs", "-o", "logstorm.windw.url.secs=3"], "logstorm.windw.url.secs",
         "did you mean 'logstorm.window.url.secs'"),
        (["run", "-n", "logs", "-o", "logstorm.input.pattern=*.log"], "logstorm.input.pattern",
         """-o 'logstorm.input.pattern="*.log"'"""),
        (["run", "-n", "logs", "-o", "logstorm.input.tasks=2"], "logstorm.input.tasks",
         "-o logstorm.input.tasks=1"),
        (["run", "-n", "logs", "-o", "logstorm.window.status.secs=7"],
         "logstorm.window.status.secs", "-o logstorm.window.status.secs=<multiple>"),
        (["submit", "-e", "cluster", "-n", "logs", "-o", "logstorm.time=evnt"], "logstorm.time",
         "-o logstorm.time="),
        (["run", "-n", "wordcount", "-o", "wordcount.seed=x"], "wordcount.seed",
         "-o wordcount.seed=<int>"),
    ],
)  # fmt: skip
def test_a_bad_option_exits_2_with_one_message_before_anything_starts(
    recorded, tmp_path, argv, key, fix
):
    env, calls = recorded
    if argv[0] == "submit":  # the worker virtualenv submit looks for first, standing in
        argv = [argv[0], "--config", str(config_with_a_worker_virtualenv(tmp_path)), *argv[1:]]
    result = subprocess.run([str(SPARSE), *argv], cwd=PROJECT, env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    (message,) = result.stderr.splitlines()
    assert message.startswith("sparse: ") and key in message and "fix:" in message
    assert fix in message
    assert not calls.exists(), f"started before the check: {calls.read_text()}"
