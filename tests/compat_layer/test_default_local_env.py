"""Patch 3: `sparse run` without -e uses the `local` environment (default_local_env)."""

import streamparse.cli.run as run

from streamparse_storm2 import default_local_env
from streamparse_storm2.default_local_env import default_to_local_env


def test_missing_environment_means_local():
    seen = []

    def get_env_config(env_name=None, config_file=None):
        seen.append(env_name)
        return env_name, {}

    wrapped = default_to_local_env(get_env_config)
    wrapped()  # the project's config.json has a `local` environment
    wrapped("cluster")
    assert seen == ["local", "cluster"]


def test_only_run_gets_the_default(monkeypatch):
    monkeypatch.setattr(run, "get_env_config", lambda env_name=None, config_file=None: env_name)
    default_local_env.apply()
    assert run.get_env_config() == "local"
