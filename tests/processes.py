"""The live processes of this machine, as the tests look for what a service left behind."""

from pathlib import Path


def command_lines_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention text (e.g. a service's run folder),
    pytest itself left out."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmd and "pytest" not in cmd:
            found.append(cmd)
    return found
