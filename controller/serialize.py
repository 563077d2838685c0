"""A Decision as plain data (for JSON output, the journal and the EA limits)."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from controller.decision_types import Decision

__all__ = ["decision_to_dict"]


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    """Every field of the decision as JSON-ready data (enums as their string values, infinities
    as null)."""
    data: dict[str, Any] = _clean(asdict(decision))
    return data
