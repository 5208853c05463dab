"""The two ways the layer stops ``sparse`` with a message instead of a traceback."""

from __future__ import annotations

USAGE_ERROR = 2


class UserError(SystemExit):
    """Stops sparse with a message naming the problem and the fix."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"sparse: {problem}\nfix: {fix}")


class BadOption(Exception):
    """An option fails its check: sparse says so and exits 2 (a usage error)."""
