"""Prop-firm discipline settings (DESIGN §3.6): the `[prop]` table and its choices."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, field_validator, model_validator

from controller._settings_base import FROZEN as _FROZEN
from controller._settings_base import HHMM as _HHMM
from controller._settings_base import Fraction, Leverage
from controller.prop_presets import PROP_PRESETS

__all__ = [
    "PROP_PRESETS", "DailyAnchor", "DailyLossBasis", "DrawdownMode", "LockRelease", "PropSettings",
    "TrailSince", "WeekendAction",
]


class DailyAnchor(StrEnum):
    """What the daily loss is measured against at the day's reset."""

    BALANCE = "balance"
    EQUITY = "equity"
    HIGHER = "higher"


class DailyLossBasis(StrEnum):
    """What the daily-loss fraction is a fraction of."""

    INITIAL = "initial"
    ANCHOR = "anchor"


class DrawdownMode(StrEnum):
    """How the maximum-loss floor moves."""

    STATIC = "static"
    TRAILING_EQUITY = "trailing_equity"
    TRAILING_EOD_BALANCE = "trailing_eod_balance"


class LockRelease(StrEnum):
    """When a daily prop lock ends: at the prop day's reset by itself (`auto`), or only when a
    person lifts it after that reset (`acknowledge`: the trader stops for the day and says so)."""

    AUTO = "auto"
    ACKNOWLEDGE = "acknowledge"


class TrailSince(StrEnum):
    """Where the equity trailing stop's high-water mark starts: at the guard's start (and again
    after each stop), or at each prop day's reset."""

    START = "start"
    DAY = "day"


class WeekendAction(StrEnum):
    """What to do before the Friday close: nothing, reduce to `weekend_max_eff_lev`, or close."""

    NONE = "none"
    REDUCE = "reduce"
    CLOSE = "close"


class PropSettings(BaseModel):
    """Prop-firm discipline (DESIGN §3.6). Disabled by default; `preset` fills in a firm's rules."""

    model_config = _FROZEN

    enabled: bool = Field(False, description="apply the prop-firm rules below")
    preset: str = Field("", description="a firm's rules (docs/prop.md): " + ", ".join(PROP_PRESETS)
                        + "; the keys you write in [prop] override it; empty: none")
    initial_balance: Annotated[float, Field(gt=0.0)] | None = Field(
        None, description="account currency; overrides the first deposit in the terminal's deal "
        "history (without a deposit there: the balance when the guard first saw it)"
    )
    daily_loss_fraction: Fraction | None = Field(0.05, description="None disables the rule")
    daily_loss_basis: DailyLossBasis = Field(
        DailyLossBasis.INITIAL, description="what daily_loss_fraction is a fraction of: the "
        "initial balance, or the day's anchor")
    daily_anchor: DailyAnchor = Field(
        DailyAnchor.BALANCE, description="what the daily loss is measured from at the reset: the "
        "balance, the equity, or the higher of the two")
    reset_time: str = Field("00:00", description="HH:MM in reset_timezone")
    reset_timezone: str = Field("Europe/Prague", description="IANA zone name")
    max_drawdown_fraction: Fraction | None = Field(0.10, description="None disables the rule")
    drawdown_mode: DrawdownMode = Field(
        DrawdownMode.STATIC, description="how the maximum-loss floor moves: static (from the "
        "initial balance), trailing the equity peak, or trailing the end-of-day balance")
    trailing_stops_at_initial: bool = Field(
        True, description="trailing_eod_balance: the floor stops rising once it reaches the "
        "initial balance (DESIGN §3.6); false: it keeps trailing the highest end-of-day balance "
        "(FTMO 1-Step's own rule)")
    max_lots_per_symbol: Annotated[float, Field(gt=0.0)] | None = Field(
        None, description="lots per symbol the firm allows (unset: no limit)")
    max_positions: Annotated[int, Field(ge=1)] | None = Field(
        None, description="open positions the firm allows (unset: no limit)")
    warning_fraction: Fraction = Field(
        0.8, description="warn and start the staged reduction at this share of an allowance"
    )
    reference_move: Fraction = Field(
        0.01,
        description="adverse move of the book (fraction of price) the staged reduction must "
        "survive when no volatility estimate exists; else 2 daily σ",
    )
    #: the server clock (UTC offset in winter, hours; DST rule), which moved to `[terminal]`
    #: (issue 13): mirrored here read-only for the readers not converted yet (bridge/app.py);
    #: bridge.config sets it from `[terminal]`. To be removed with those readers.
    lock_release: LockRelease = Field(
        LockRelease.AUTO, description="auto: a daily-loss lock ends at the reset; acknowledge: "
        "it stays after the reset until lifted from the dashboard (never before the reset)"
    )

    # -- daily profit lock and equity trailing stop (controller/prop_trail.py) -----------------
    profit_lock_at_fraction: Fraction | None = Field(
        None, description="arm the daily profit lock once the day's profit (equity above the "
        "day's anchor) reaches this fraction of the anchor (unset: off)")
    profit_lock_giveback_fraction: Fraction = Field(
        0.5, description="share of the day's best profit that may be given back once the lock "
        "is armed; beyond it: close everything and no new exposure until the next reset")
    equity_trail_fraction: Fraction | None = Field(
        None, description="equity trailing stop: equity this fraction below its high-water mark "
        "closes everything, no new exposure until the next reset (unset: off)")
    equity_trail_since: TrailSince = Field(
        TrailSince.DAY, description="the trailing stop's high-water mark: since each prop day's "
        "reset (day), or since the guard's start and each stop (start; lifted by hand)")

    # -- weekend rules (controller/prop_weekend.py) -------------------------------------------
    weekend_action: WeekendAction = Field(
        WeekendAction.NONE, description="before the Friday close: none, reduce (to "
        "weekend_max_eff_lev) or close everything (firms that forbid holding over the weekend)")
    weekend_max_eff_lev: Leverage = Field(
        1.0, description="EffLev the book is reduced to before the Friday close with "
        "weekend_action = reduce")
    weekend_lead_minutes: Annotated[float, Field(gt=0.0, le=1440.0)] = Field(
        60.0, description="minutes before the Friday close from which the weekend rules apply")
    weekend_close_time: str = Field(
        "17:00", description="the Friday close, HH:MM in weekend_close_timezone (FX: 17:00 New "
        "York, 00:00 on the usual UTC+2/+3 server clock)")
    weekend_close_timezone: str = Field("America/New_York", description="IANA zone name")
    weekend_gap_sigmas: Annotated[float, Field(ge=0.0, le=20.0)] = Field(
        3.0, description="a book held over the weekend must survive a Monday gap of this many "
        "daily σ without reaching the daily-loss or drawdown floor (0: off; docs/prop-rules.md)")

    @field_validator("reset_time", "weekend_close_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a clock time HH:MM (00:00 to 23:59)")
        return value

    @field_validator("reset_timezone", "weekend_close_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Prague)") from exc
        return value

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("preset"):
            name = data["preset"]
            if name not in PROP_PRESETS:
                raise ValueError(
                    f"prop.preset {name!r} is unknown (allowed: {', '.join(sorted(PROP_PRESETS))})"
                )
            # the keys of the user's own [prop] table over the preset; never the defaults
            return {**PROP_PRESETS[name], **data}
        return data

