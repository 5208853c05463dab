"""The core's packages import in pipeline order: a stage uses the stages before it and
the shared modules, never a later stage, so the tree reads as the pipeline does.

    shared modules (logstorm/*.py: options, metrics, streams, watermarks, JSON lines...)
    state, monitoring     what every stage may keep or report
    sources -> shipping   lines in (files, Kafka; the shipper feeds Kafka)
    parsing -> windows -> output -> protocol -> dashboard
"""

import ast
from pathlib import Path

import pytest
from sparse_run import PROJECT

CORE = PROJECT / "src" / "logstorm"
ORDER = ["state", "monitoring", "sources", "shipping", "parsing", "windows", "output",
         "protocol", "dashboard"]  # fmt: skip
SHARED = {"atomic", "jsonl_file", "jsonl_follow", "kafka_topic", "options", "logs_options",
          "metrics", "streams", "tasks", "watermarks"}  # fmt: skip
TOOLS = {"traffic"}  # the traffic generator: a tool beside the pipeline, may use any stage


def imported_parts(path: Path) -> set[str]:
    """The logstorm.<part> names a module imports, in functions too."""
    parts = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("logstorm."):
                parts.add(name.split(".")[1])
    return parts


def test_the_stages_and_shared_modules_are_all_named():
    packages = {p.name for p in CORE.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in CORE.glob("*.py")} - {"__init__"}
    assert packages == set(ORDER) and modules == SHARED | TOOLS


@pytest.mark.parametrize("stage", ORDER)
def test_a_stage_imports_only_earlier_stages_and_shared_modules(stage):
    allowed = SHARED | set(ORDER[: ORDER.index(stage) + 1])
    wrong = {
        f"{path.relative_to(CORE)} imports logstorm.{part}"
        for path in (CORE / stage).glob("*.py")
        for part in imported_parts(path) - allowed
    }
    assert not wrong


def test_shared_modules_import_only_shared_modules():
    wrong = {
        f"{name}.py imports logstorm.{part}"
        for name in SHARED
        for part in imported_parts(CORE / f"{name}.py") - SHARED
    }
    assert not wrong
