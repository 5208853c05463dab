"""mkdocs hooks of the documentation site (mkdocs.yml: ``hooks``).

- README.md, BENCHMARKS.md and RELIABILITY.md stay at the project root, where GitHub
  shows them; the site takes them in as ``index.md``, ``benchmarks.md`` and
  ``reliability.md``, and every link to them (``../RELIABILITY.md`` from a page,
  ``docs/state.md`` from the README) is rewritten to the site's page.
- ``<!-- options-table: MODULE [TOPOLOGY_FILE] -->`` in a page becomes the Markdown table
  of ``MODULE.TABLE`` (the topology's option definitions, one row per Option), with the
  defaults the topology class in TOPOLOGY_FILE sets in its ``config`` where it sets one:
  the table cannot drift from the code.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
# root file -> its page in the site
ROOT_PAGES = {"README.md": "index.md", "BENCHMARKS.md": "benchmarks.md",
              "RELIABILITY.md": "reliability.md"}  # fmt: skip
MARKER = re.compile(r"<!--\s*options-table:\s*(\S+)(?:\s+(\S+))?\s*-->")


def _site_links(markdown: str, prefix: str) -> str:
    """Links written for GitHub, turned into links between the site's pages: from a root
    file prefix is "docs/" (its links into docs/ lose it), from a page "../"."""
    for name, page in ROOT_PAGES.items():
        markdown = re.sub(rf"\]\((?:\.\./)?{re.escape(name)}(#[^)]*)?\)", rf"]({page}\1)", markdown)
    if prefix:
        markdown = markdown.replace(f"]({prefix}", "](")
    return markdown


def on_files(files: Any, config: Any) -> Any:
    for name, page in ROOT_PAGES.items():
        text = _site_links((ROOT / name).read_text(encoding="utf-8"), "docs/")
        files.append(File.generated(config, page, content=text))
    return files


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, str):
        if os.path.isabs(value) and Path(value).is_relative_to(ROOT):
            value = str(Path(value).relative_to(ROOT))
        return f"`{value}`" if value else "`''`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, int) and value >= 2**20 and value % 2**20 == 0:
        return f"`{value}` ({value // 2**20} MiB)"
    return f"`{value}`"


def _topology_config(path: str) -> dict[str, Any]:
    """The ``config`` of the streamparse topology classes defined in a topology file."""
    for folder in ("src", "topologies"):
        if str(ROOT / folder) not in sys.path:
            sys.path.insert(0, str(ROOT / folder))
    spec = importlib.util.spec_from_file_location(f"_docs_{Path(path).stem}", ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    conf: dict[str, Any] = {}
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ == module.__name__ and isinstance(getattr(cls, "config", None), dict):
            conf.update(cls.config)
    return conf


def options_table(module_name: str, topology: str | None = None) -> str:
    """A Markdown table of every Option in module_name's TABLE: key, default, meaning."""
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    table = importlib.import_module(module_name).TABLE
    conf = _topology_config(topology) if topology else {}
    rows = ["| option | default | meaning |", "|---|---|---|"]
    for option in table:
        default = conf.get(option.key, option.default)
        meaning = option.help
        rule = getattr(option, "rule", "")
        if rule:
            meaning += f" ({option.type.__name__} {rule})"
        meaning = meaning.replace("<", "&lt;").replace(">", "&gt;").replace("|", "&#124;")
        rows.append(f"| `{option.key}` | {_shown(default)} | {meaning} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri in ROOT_PAGES.values():
        return markdown
    markdown = MARKER.sub(lambda m: options_table(m[1], m[2]), markdown)
    return _site_links(markdown, "")
