"""Errors raised at the controller's boundary."""

from __future__ import annotations

__all__ = ["SnapshotError"]


class SnapshotError(ValueError):
    """A snapshot field is missing or holds a value the model cannot use.

    `field` is the dotted path of the offending value (``positions[3].volume``), so the message
    can point the user at it; `str(error)` reads ``positions[3].volume = -1.0: volume must be ≥ 0``.
    """

    def __init__(self, field: str, value: object, problem: str) -> None:
        """The error for `value` at the dotted path `field`; `problem` says what is wrong."""
        self.field = field
        self.value = value
        self.problem = problem
        shown = "missing" if value is _MISSING else repr(value)
        super().__init__(f"{field} = {shown}: {problem}")


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()
MISSING: object = _MISSING
