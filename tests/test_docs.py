"""The documentation: the site builds strictly (a broken link, a missing anchor or a page
left out of the nav fails), its options tables come from the code, and the README stays
a landing page that opens with the two commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from logstorm import logs_options
from wordcount_example import options as wordcount_options

ROOT = Path(__file__).resolve().parent.parent
README_MAX_BYTES = 12_000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    # no __pycache__ left in the project by the hook's imports
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_site_builds_strictly_with_every_page(site: Path) -> None:
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert (site / page.stem / "index.html").is_file(), page.name
    for root_page in ("benchmarks", "reliability"):
        assert (site / root_page / "index.html").is_file()
    assert (site / "index.html").is_file()


@pytest.mark.parametrize(
    ("page", "table"), [("options", logs_options.TABLE), ("wordcount", wordcount_options.TABLE)]
)
def test_options_tables_list_every_option_in_code(site: Path, page: str, table: tuple) -> None:
    html = (site / page / "index.html").read_text(encoding="utf-8")
    assert "options-table:" not in html  # the marker was replaced
    missing = [option.key for option in table if f"<code>{option.key}</code>" not in html]
    assert not missing, f"options missing from docs/{page}.md's generated table: {missing}"


def test_readme_is_a_landing_page_that_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_bytes()
    assert len(readme) <= README_MAX_BYTES, f"README.md is {len(readme)} bytes"
    lines = [line for line in readme.decode("utf-8").splitlines()[1:] if line.strip()]
    assert lines[0].startswith("```"), lines[0]
    assert lines[1].startswith("make run "), lines[1]
    assert lines[2].startswith("make test "), lines[2]
