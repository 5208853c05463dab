"""Each test may apply patches: the streamparse attributes they replace are put back."""

import importlib

import pytest

PATCHED_MODULES = ("streamparse.util", "streamparse.cli.common", "streamparse.cli.jar",
                   "streamparse.cli.run", "streamparse.cli.submit", "streamparse.cli.list",
                   "streamparse.cli.kill", "streamparse.cli.stats", "streamparse.cli.tail",
                   "streamparse.cli.remove_logs", "streamparse.cli.update_virtualenv",
                   "streamparse.cli.visualize", "streamparse.cli.worker_uptime",
                   "streamparse.cli.slot_usage")  # fmt: skip


@pytest.fixture(autouse=True)
def streamparse_restored(monkeypatch):
    """Every attribute of the patched streamparse modules, and Topology's flux
    conversion, as they were before the test."""
    from streamparse.dsl.topology import Topology

    saved = {name: dict(vars(importlib.import_module(name))) for name in PATCHED_MODULES}
    to_flux = vars(Topology)["_spec_to_flux_dict"]
    monkeypatch.setenv("PATH", __import__("os").environ["PATH"])  # restored after the test
    yield
    for name, attrs in saved.items():
        module = importlib.import_module(name)
        for attr in set(vars(module)) - set(attrs):
            delattr(module, attr)
        for attr, value in attrs.items():
            setattr(module, attr, value)
    Topology._spec_to_flux_dict = to_flux


@pytest.fixture
def stub_resolve_options(monkeypatch):
    """Replace streamparse's resolve_options, and the CLI modules' copies of it, by one
    stand-in (a patch refuses copies that are not the same object)."""
    from streamparse_storm2._resolve_options import COMMON, COPIES

    def stub(resolve_options):
        for name in (COMMON, *COPIES):
            monkeypatch.setattr(importlib.import_module(name), "resolve_options", resolve_options)

    return stub
