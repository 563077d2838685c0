"""The values exchanged with the LiquidityGuard EA (mql5/PROTOCOL.md: limits version 1,
telemetry versions 1 and 2; version 2 adds the broker's calendar events).

Units: volumes in lots, leverage and MSI as plain ratios (2.5 means 2.5×, MSI 1.5 means a margin
level of 150 %), prices in the symbol's price units, times in UTC seconds since 1970 (Unix time).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from bridge.ealink.errors import ProtocolError

__all__ = [
    "IMPORTANCES",
    "MAX_DEPTH_LOTS",
    "MAX_EVENTS",
    "MAX_SEQUENCE",
    "MAX_SYMBOLS",
    "CalendarEvent",
    "EaLimits",
    "EaTelemetry",
    "SymbolTelemetry",
]

MAX_SYMBOLS = 512
"""The most `symbol=` lines a limits file may hold (the EA rejects more)."""
MAX_SEQUENCE = 999_999_999_999_999_999
"""The largest limits sequence: 18 digits, what the EA parses into a long (LG_MAX_SEQUENCE in
LgLimits.mqh, PROTOCOL.md). lca refuses to write past it; it never wraps (the EA refuses a
sequence that goes backwards)."""
MAX_DEPTH_LOTS = 1e9
"""A telemetry depth above this many lots is not a reading but a fault: that symbol is left out."""

MAX_EVENTS = 256
"""The most ``e=`` lines (calendar events) a version 2 telemetry file holds (the EA writes the
nearest ones first)."""
IMPORTANCES = ("high", "medium")
"""The calendar importances the EA writes (MT5's CALENDAR_IMPORTANCE_HIGH and _MODERATE)."""

_FORBIDDEN_IN_NAME = (";", "=", " ", "\t", "\r", "\n")


def check_symbol_name(name: str) -> None:
    """Raise `ProtocolError` unless `name` can stand in a link file."""
    if not name or any(c in name for c in _FORBIDDEN_IN_NAME) or not name.isascii():
        raise ProtocolError(
            f"symbol name {name!r} cannot be written to the link file: use the terminal's ASCII "
            "symbol name without ';', '=' or spaces"
        )


@dataclass(frozen=True)
class EaLimits:
    """One limits file: what the EA must enforce, and the heartbeat that proves lca is alive.

    - ``sequence``: write counter, 1 to `MAX_SEQUENCE`, increasing with every write (lca takes
      it from the clock in milliseconds, see `EaLink`).
    - ``heartbeat_utc``: when lca wrote the file, UTC seconds (compared with TimeGMT()).
    - ``max_eff_lev``: the account's max effective leverage, position value / equity (ratio > 0).
    - ``msi_floor``: the minimum margin safety index, equity / margin (ratio, ≥ 0; 0 = none).
    - ``prop_lock``: a prop-firm lock is on: the EA closes any new position at once.
    - ``symbols``: maximum gross volume per symbol in lots (buys and sells added), {name: lots ≥ 0}.
    - ``new_exposure_allowed``: False when lca allows no new exposure (its regime or rules, e.g.
      MU > 50 %): the EA then closes any new position or increase at once, on every symbol.

    The EA applies the tighter of these and its own inputs: lca can tighten, never loosen.
    """

    sequence: int
    heartbeat_utc: int
    max_eff_lev: float
    msi_floor: float
    prop_lock: bool = False
    symbols: Mapping[str, float] = field(default_factory=dict)
    new_exposure_allowed: bool = True

    def __post_init__(self) -> None:
        seq = self.sequence
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            raise ProtocolError(f"EaLimits.sequence is {self.sequence!r}: use an integer ≥ 1")
        if seq > MAX_SEQUENCE:
            raise ProtocolError(
                f"EaLimits.sequence is {seq}, above {MAX_SEQUENCE}, the most the EA parses (18 "
                "digits): delete limits.txt in the link folder and re-attach the EA to start over"
            )
        if isinstance(self.heartbeat_utc, bool) or not isinstance(self.heartbeat_utc, int):
            raise ProtocolError(
                f"EaLimits.heartbeat_utc is {self.heartbeat_utc!r}: use whole UTC seconds (int)"
            )
        if self.heartbeat_utc < 0:
            raise ProtocolError(f"EaLimits.heartbeat_utc is {self.heartbeat_utc}: must be ≥ 0")
        if not (math.isfinite(self.max_eff_lev) and self.max_eff_lev > 0):
            raise ProtocolError(
                f"EaLimits.max_eff_lev is {self.max_eff_lev!r}: use a finite ratio > 0 (2.5 = 2.5×)"
            )
        if not (math.isfinite(self.msi_floor) and self.msi_floor >= 0):
            raise ProtocolError(
                f"EaLimits.msi_floor is {self.msi_floor!r}: use a finite ratio ≥ 0 (1.5 = 150 %)"
            )
        if len(self.symbols) > MAX_SYMBOLS:
            raise ProtocolError(
                f"EaLimits.symbols has {len(self.symbols)} entries: at most {MAX_SYMBOLS}"
            )
        for name, lots in self.symbols.items():
            check_symbol_name(name)
            if not (math.isfinite(lots) and lots >= 0):
                raise ProtocolError(
                    f"EaLimits.symbols[{name!r}] is {lots!r} lots: use a finite volume ≥ 0"
                )
        object.__setattr__(self, "prop_lock", bool(self.prop_lock))
        object.__setattr__(self, "new_exposure_allowed", bool(self.new_exposure_allowed))
        object.__setattr__(
            self, "symbols", MappingProxyType({k: float(v) for k, v in self.symbols.items()})
        )


@dataclass(frozen=True)
class SymbolTelemetry:
    """What the EA saw of one symbol since its previous telemetry write.

    - ``time_utc``: when the EA last saw the quote change, UTC seconds (0 = never).
    - ``bid``, ``ask``: the latest quote, price units.
    - ``spread_min``, ``spread_mean``, ``spread_max``: ask − bid over the samples, price units.
    - ``bid_depth``, ``ask_depth``: lots on each side over the top N levels of the broker's book.
    - ``levels``: levels summed on the deeper side; 0 = the broker publishes no book.
    - ``tick_count``: quote changes seen; ``tick_volume``: their real volume (0 for most FX).
    """

    symbol: str
    time_utc: int
    bid: float
    ask: float
    spread_min: float
    spread_mean: float
    spread_max: float
    bid_depth: float
    ask_depth: float
    levels: int
    tick_count: int
    tick_volume: int

    @property
    def depth_source(self) -> Literal["book", "proxy"]:
        """``"book"`` when the broker's depth was read, else ``"proxy"`` (use bid/ask and ticks)."""
        return "book" if self.levels > 0 else "proxy"

    @property
    def spread(self) -> float:
        """The latest spread, ask − bid, price units."""
        return self.ask - self.bid


@dataclass(frozen=True)
class CalendarEvent:
    """One coming event of an economic calendar (the broker's, through the EA, or a file).

    - ``time_utc``: when it is released, UTC seconds (the EA converts MT5's trade-server time).
    - ``currency``: the currency it moves, three letters (``USD``).
    - ``importance``: ``"high"`` or ``"medium"``.
    - ``event_id``: MT5's event id (``MqlCalendarEvent.id``); 0 for a calendar file's row.
    - ``name``: its name, ASCII (``Nonfarm Payrolls``).
    """

    time_utc: int
    currency: str
    importance: Literal["high", "medium"]
    event_id: int
    name: str


@dataclass(frozen=True)
class EaTelemetry:
    """One telemetry file: the EA's state and its per-symbol samples.

    - ``sequence``: the EA's write counter (restarts at 1 when the EA is re-attached).
    - ``written_utc``: TimeGMT() at the write, UTC seconds.
    - ``failsafe``: the EA is in fail-safe (stale heartbeat): its own hard limits apply.
    - ``limits_sequence``: the last limits file the EA applied (0 = none), an acknowledgement.
    - ``heartbeat_utc``: that file's heartbeat (0 = none).
    - ``trade_allowed``: False when Algo Trading is off: the EA can close nothing.
    - ``rejected``: the ``s=`` lines left out for a bad value, {symbol: reason}; those symbols
      fall back to the proxy depth.
    - ``version``: the format version read (1, or 2 with the calendar).
    - ``calendar_utc``: version 2: when the EA last read MT5's calendar, UTC seconds; 0 = it
      could not (no calendar at this broker, or the read failed).
    - ``calendar_hours``: version 2: how many hours ahead the EA lists events.
    - ``events``: version 2: the coming high and medium events of the book's currencies.
    - ``rejected_events``: the ``e=`` lines left out for a bad value (one reason each).
    """

    sequence: int
    written_utc: int
    failsafe: bool
    limits_sequence: int
    heartbeat_utc: int
    trade_allowed: bool
    symbols: Mapping[str, SymbolTelemetry]
    rejected: Mapping[str, str] = field(default_factory=dict)
    version: int = 1
    calendar_utc: int = 0
    calendar_hours: int = 0
    events: tuple[CalendarEvent, ...] = ()
    rejected_events: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "events", tuple(self.events))
        object.__setattr__(self, "rejected_events", tuple(self.rejected_events))
        object.__setattr__(self, "symbols", MappingProxyType(dict(self.symbols)))
        object.__setattr__(self, "rejected", MappingProxyType(dict(self.rejected)))
