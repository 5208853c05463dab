"""Patch 6: messages with the fix instead of tracebacks (user_errors)."""

import pytest
import streamparse.cli.submit as submit

from streamparse_storm2 import UserError, user_errors
from streamparse_storm2.user_errors import missing_virtualenv, translated_errors


def test_missing_virtualenv_only_when_the_project_prepares_them(tmp_path):
    prepared = {"use_virtualenv": True, "install_virtualenv": False, "virtualenv_root": tmp_path}
    assert missing_virtualenv(prepared, "logs") == tmp_path / "logs"
    (tmp_path / "logs" / "bin").mkdir(parents=True)
    (tmp_path / "logs" / "bin" / "streamparse_run").touch()
    assert missing_virtualenv(prepared, "logs") is None
    assert missing_virtualenv({"use_virtualenv": False}, "logs") is None


def test_submit_stops_on_a_missing_worker_virtualenv(monkeypatch, tmp_path):
    env = {"use_virtualenv": True, "install_virtualenv": False, "virtualenv_root": tmp_path}
    monkeypatch.setattr(submit, "get_topology_definition", lambda name, config_file: ("logs", 0))
    monkeypatch.setattr(submit, "get_env_config", lambda name, config_file: ("cluster", env))
    monkeypatch.setattr(submit, "submit_topology", lambda **kw: pytest.fail("submitted"))
    user_errors.apply()
    with pytest.raises(UserError, match="worker virtualenv for topology 'logs' is missing"):
        submit.submit_topology(name="logs", env_name="cluster")


def test_a_name_still_taken_after_the_kill_is_named(monkeypatch):
    monkeypatch.setattr(submit, "_kill_existing_topology", lambda *args: None)
    monkeypatch.setattr(submit, "is_safe_to_submit", lambda name, client: False)
    user_errors.apply()
    with pytest.raises(UserError, match="a topology named 'logs' is already running"):
        submit._kill_existing_topology("logs", False, None, object())


def test_nimbus_unreachable_is_one_message():
    with pytest.raises(UserError, match=r"cannot reach Nimbus(.|\n)*make cluster-up"):  # noqa: SIM117
        with translated_errors():
            raise ConnectionRefusedError(111, "Connection refused")
