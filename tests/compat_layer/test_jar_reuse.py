"""Patch 13: the jar is built again only when its inputs changed (jar_reuse)."""

from streamparse_storm2.jar_reuse import reused_jar


def test_the_topology_jar_is_built_again_only_when_src_or_project_clj_changed(tmp_path):
    (tmp_path / "src" / "bolts").mkdir(parents=True)
    (tmp_path / "_build").mkdir()
    (tmp_path / "project.clj").write_text("(defproject x)")
    bolt = tmp_path / "src" / "bolts" / "a.py"
    bolt.write_text("A = 1\n")
    builds = []

    def build(simple_jar=False):
        builds.append(simple_jar)
        jar = tmp_path / "_build" / "x-standalone.jar"
        jar.write_bytes(b"PK")
        return str(jar)

    jar_for_deploy = reused_jar(build, root=tmp_path)
    first = jar_for_deploy()
    (tmp_path / "src" / "bolts" / "__pycache__").mkdir()
    (tmp_path / "src" / "bolts" / "__pycache__" / "a.pyc").write_bytes(b"\0")  # not an input
    assert jar_for_deploy() == first and builds == [False]
    bolt.write_text("A = 2\n")
    assert jar_for_deploy() == first and builds == [False, False]
    assert jar_for_deploy(simple_jar=True) and builds == [False, False, True]
    (tmp_path / "_build" / "x-standalone.jar").unlink()  # lein clean, or another command
    assert jar_for_deploy(simple_jar=True) and builds == [False, False, True, True]
