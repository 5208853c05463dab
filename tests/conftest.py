"""The whole suite's session: its services' folders and ports (tests/suite_env.py),
set as pytest loads this file, before any test module or helper reads them."""

import os
import shutil

import pytest
import suite_env

OURS = not os.environ.get("LOGSTORM_SUITE_DIR")  # not one a CI job or a user named
SUITE = suite_env.setup()


@pytest.fixture(scope="session", autouse=True)
def suite_folder(request):
    """The session folder, removed at the end unless a test failed (then its services'
    logs are there to read; its path is printed) or LOGSTORM_SUITE_DIR named it."""
    yield SUITE
    if OURS and not request.session.testsfailed:
        shutil.rmtree(SUITE, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    if SUITE.exists():
        terminalreporter.write_line(f"the suite's services' folders and logs: {SUITE}")
