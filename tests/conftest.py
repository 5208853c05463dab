"""The whole suite's session: its services' folders and ports (tests/suite_env.py),
set as pytest loads this file, before any test module or helper reads them; and how
``make test`` shares the tests between its two xdist workers."""

import os
import shutil

import pytest
import suite_env

# not a folder a CI job or a user named, nor the controller's (in an xdist worker)
OURS = not os.environ.get("LOGSTORM_SUITE_DIR")
SUITE = suite_env.setup()
# The session-wide broker and cluster (tests/integration/conftest.py): every test that
# uses either runs on one worker, so each starts once and no other worker builds the
# cluster's virtualenvs beside it.
SERVICES = {"kafka", "cluster"}


@pytest.hookimpl(tryfirst=True)  # before xdist's, which reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for ``--dist loadgroup``: the services' tests in one, any other test with
    the rest of its module (its module fixtures are made once)."""
    for item in items:
        uses_services = SERVICES & set(getattr(item, "fixturenames", ()))
        group = "services" if uses_services else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The session folder is removed at the end unless a test failed (then its services'
    logs are there to read; its path is printed) or LOGSTORM_SUITE_DIR named it. With
    xdist, the controller does it, after its workers stopped their services."""
    if OURS and not session.testsfailed:
        shutil.rmtree(SUITE, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    if SUITE.exists():
        terminalreporter.write_line(f"the suite's services' folders and logs: {SUITE}")
