"""Patch 5: config.json paths from the project root, placeholders refused (env_config)."""

import pytest
import streamparse.cli.submit as submit
import streamparse.util as util

from streamparse_storm2 import PROJECT_ROOT, UserError, env_config
from streamparse_storm2.env_config import checked_env


def test_environment_paths_are_taken_from_the_project_root():
    env = checked_env(
        "cluster", {"virtualenv_root": "run/venvs", "log": {"path": "run/logs", "level": "info"}}
    )
    assert env["virtualenv_root"] == str(PROJECT_ROOT / "run" / "venvs")
    assert env["log"] == {"path": str(PROJECT_ROOT / "run" / "logs"), "level": "info"}


def test_an_unfilled_placeholder_is_refused_naming_its_key():
    with pytest.raises(SystemExit, match=r"'prod' still has the placeholder '<WORKER_HOST>'"):
        checked_env("prod", {"nimbus": "n1:6627", "workers": ["<WORKER_HOST>"]})


def test_the_cli_modules_read_the_checked_environment():
    env_config.apply()
    assert submit.get_env_config is util.get_env_config
    name, env = submit.get_env_config("cluster")  # the project's config.json
    assert name == "cluster" and env["virtualenv_root"].startswith(str(PROJECT_ROOT))
    with pytest.raises(UserError, match="placeholder"):
        submit.get_env_config("prod")
