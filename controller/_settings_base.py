"""Pieces shared by the settings modules: the frozen model config and the value types."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import ConfigDict, Field

__all__ = ["FROZEN", "HHMM", "Fraction", "Leverage"]

#: settings are parsed once into frozen objects that reject unknown keys
FROZEN = ConfigDict(frozen=True, extra="forbid", validate_default=True)
#: a clock time HH:MM (00:00 to 23:59)
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

Fraction = Annotated[float, Field(gt=0.0, le=1.0)]
Leverage = Annotated[float, Field(gt=0.0, le=1000.0)]
