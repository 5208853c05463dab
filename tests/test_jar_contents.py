"""The topology jar carries only the Python that runs in a worker.

project.clj's jar-exclusions keep the dashboard, the shipper, the traffic generator and
the console view of ``sparse run`` out of the jar's resources/ (sparse copies all of
src/ there). Here, without building a jar: those regexes leave out exactly these, and no
module that does go into the jar imports one that does not, even inside a function.
"""

import ast
import re

from sparse_run import PROJECT

SRC = PROJECT / "src"
LEFT_OUT = {"logstorm/dashboard/", "logstorm/shipping/shipper.py", "logstorm/traffic.py",
            "logstorm/output/console.py"}  # fmt: skip


def jar_exclusions() -> list[re.Pattern[str]]:
    clj = (PROJECT / "project.clj").read_text()
    found = re.search(r":jar-exclusions \[(.*?)\]\n", clj, re.S)
    assert found, "project.clj has no :jar-exclusions"
    return [re.compile(p) for p in re.findall(r'#"((?:[^"\\]|\\.)*)"', found[1])]


def in_jar(relative: str) -> bool:
    return not any(p.search(f"resources/{relative}") for p in jar_exclusions())


def python_files() -> dict[str, str]:
    """Module name -> path under src/, of every Python file sparse copies (not src/jvm)."""
    files = {}
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("jvm/") or "__pycache__" in relative:
            continue
        name = relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        files[name] = relative
    return files


def test_the_jar_leaves_out_exactly_what_runs_beside_storm():
    out = {rel for rel in python_files().values() if not in_jar(rel)}
    expected = {rel for rel in python_files().values()
                if rel in LEFT_OUT or rel.startswith("logstorm/dashboard/")}  # fmt: skip
    assert out == expected
    assert {"logstorm/dashboard/__main__.py", "logstorm/traffic.py"} <= out
    assert in_jar("spouts/logfiles.py") and in_jar("wordcount_example/words.py")
    assert in_jar("logstorm/shipping/producer.py")  # the Kafka output of the sinks
    assert not in_jar("logstorm.egg-info/PKG-INFO")


def test_nothing_in_the_jar_imports_what_the_jar_leaves_out():
    files = python_files()
    left_out = {name for name, rel in files.items() if not in_jar(rel)}
    wrong = []
    for name, rel in files.items():
        if name in left_out:
            continue
        for node in ast.walk(ast.parse((SRC / rel).read_text())):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            wrong += [f"{rel} imports {m}" for m in imported if m in left_out]
    assert wrong == []
