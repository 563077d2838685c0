"""One alert: what happened, how serious, in words and figures a trader reads on a phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from time import time as _wall_clock
from typing import Any

__all__ = ["Alert", "Severity"]


class Severity(StrEnum):
    """How serious an alert is; Apprise shows info / warning / failure styles."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert. `key` groups repeats of one signal for the de-duplication ("state",
    "crash_flag", "warning:msi", "connection", ...); `time` is the guard's clock (UTC epoch
    seconds, simulated time in a replay); `figures` are the numbers behind the text; `raised_at`
    is the wall-clock time it was raised (for the delivery latency)."""

    key: str
    severity: Severity
    title: str
    body: str
    time: float
    figures: dict[str, Any] = field(default_factory=dict)
    raised_at: float = field(default_factory=_wall_clock)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the journal and the dashboard."""
        return {"key": self.key, "severity": self.severity.value, "title": self.title,
                "body": self.body, "time": self.time, "figures": dict(self.figures)}
