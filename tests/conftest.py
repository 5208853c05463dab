"""The whole suite's session: its services' folders and ports (tests/suite_env.py),
set as pytest loads this file, before any test module or helper reads them."""

import shutil

import pytest
import suite_env

SUITE = suite_env.setup()


@pytest.fixture(scope="session", autouse=True)
def suite_folder(request):
    """The session folder, removed at the end unless a test failed (then its services'
    logs are there to read; its path is printed)."""
    yield SUITE
    if request.session.testsfailed:
        print(f"\nthe suite's services' folders and logs are kept in {SUITE}")
    else:
        shutil.rmtree(SUITE, ignore_errors=True)
