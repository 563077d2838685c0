"""Prop-firm presets (DESIGN §3.6): each firm's figures, where they come from, and overrides. Pure.

A preset sets every `[prop]` key it defines; a key the user wrote in the `[prop]` table overrides
the preset (the loader merges the TOML's own keys over the preset, never the defaults), and
`lca check` lists each override next to the preset's value. Every preset names the firm's own
rule pages and the day its figures were last checked against them; `lca check` warns when that
is more than `STALE_AFTER_DAYS` ago, because firms change their rules.

Only figures a firm's own page states are used (docs/prop.md quotes them). Firms whose rules
could not be sourced from their own pages are left out rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

__all__ = [
    "PRESET_SOURCES",
    "PROP_PRESETS",
    "STALE_AFTER_DAYS",
    "PresetOverride",
    "PresetSource",
    "preset_age_warning",
    "preset_overrides",
]

STALE_AFTER_DAYS = 180
"""A preset checked against the firm's pages longer ago than this (days) is warned about."""


@dataclass(frozen=True, slots=True)
class PresetSource:
    """Where a preset's figures come from: the firm, the program, the firm's own pages (`urls`)
    and the day they were last checked against them (`verified`)."""

    firm: str
    program: str
    urls: tuple[str, ...]
    verified: date


_VERIFIED = date(2026, 12, 1)

#: The firms' figures. Keys are `[prop]` keys; values as the TOML would write them.
PROP_PRESETS: dict[str, dict[str, object]] = {
    # FTMO 2-Step: max daily loss 5 % of the initial capital below the balance at midnight
    # CE(S)T; max loss 10 %: equity never below 90 % of the initial capital.
    "ftmo-2step": {
        "daily_loss_fraction": 0.05,
        "daily_loss_basis": "initial",
        "daily_anchor": "balance",
        "reset_time": "00:00",
        "reset_timezone": "Europe/Prague",
        "max_drawdown_fraction": 0.10,
        "drawdown_mode": "static",
    },
    # FTMO 1-Step: max daily loss 3 %; max loss 10 % of the initial capital below the highest
    # end-of-day balance (midnight CE(S)T) or the initial capital if higher, only rising; FTMO's
    # page (ftmo.com/au/?p=1671) names no stop at the initial capital, so the floor keeps
    # trailing (third-party summaries that say it locks there are not the firm's rule).
    "ftmo-1step": {
        "daily_loss_fraction": 0.03,
        "daily_loss_basis": "initial",
        "daily_anchor": "balance",
        "reset_time": "00:00",
        "reset_timezone": "Europe/Prague",
        "max_drawdown_fraction": 0.10,
        "drawdown_mode": "trailing_eod_balance",
        "trailing_stops_at_initial": False,
    },
    # The5ers High Stakes: daily loss 5 % of the higher of the day's starting balance or equity
    # at 5 PM New York (00:00 server time); max loss 10 % of the initial balance.
    "the5ers-high-stakes": {
        "daily_loss_fraction": 0.05,
        "daily_loss_basis": "anchor",
        "daily_anchor": "higher",
        "reset_time": "17:00",
        "reset_timezone": "America/New_York",
        "max_drawdown_fraction": 0.10,
        "drawdown_mode": "static",
    },
    # FundedNext Stellar 2-Step: daily loss 5 % of the initial balance, reset at midnight server
    # time (GMT+3 in daylight-saving time, GMT+2 otherwise: 17:00 New York); max loss 10 % of
    # the initial balance. The firm's page does not say whether open positions at the reset
    # count: the anchor is the higher of balance and equity, the stricter reading.
    "fundednext-stellar-2step": {
        "daily_loss_fraction": 0.05,
        "daily_loss_basis": "initial",
        "daily_anchor": "higher",
        "reset_time": "17:00",
        "reset_timezone": "America/New_York",
        "max_drawdown_fraction": 0.10,
        "drawdown_mode": "static",
    },
    # FundedNext Stellar 1-Step: daily loss 3 %, max loss 6 % of the initial balance.
    "fundednext-stellar-1step": {
        "daily_loss_fraction": 0.03,
        "daily_loss_basis": "initial",
        "daily_anchor": "higher",
        "reset_time": "17:00",
        "reset_timezone": "America/New_York",
        "max_drawdown_fraction": 0.06,
        "drawdown_mode": "static",
    },
    # FundedNext Stellar Lite: daily loss 4 %, max loss 8 % of the initial balance.
    "fundednext-stellar-lite": {
        "daily_loss_fraction": 0.04,
        "daily_loss_basis": "initial",
        "daily_anchor": "higher",
        "reset_time": "17:00",
        "reset_timezone": "America/New_York",
        "max_drawdown_fraction": 0.08,
        "drawdown_mode": "static",
    },
}

_FUNDEDNEXT = (
    "https://help.fundednext.com/en/articles/9941519-daily-drawdown-limit-vs-overall-drawdown-"
    "limit",
    "https://help.fundednext.com/en/articles/8019811-how-can-i-calculate-the-daily-drawdown",
    "https://help.fundednext.com/en/articles/8394309-when-does-the-daily-loss-limit-reset-with-"
    "fundednext-cfd",
)

PRESET_SOURCES: dict[str, PresetSource] = {
    "ftmo-2step": PresetSource("FTMO", "Challenge 2-Step", (
        "https://academy.ftmo.com/lesson/maximum-daily-loss",
        "https://academy.ftmo.com/?p=47",
    ), _VERIFIED),
    "ftmo-1step": PresetSource("FTMO", "Challenge 1-Step", (
        "https://promo.ftmo.oanda.com/new-1-step-challenge",
        "https://ftmo.com/au/?p=1671",
    ), _VERIFIED),
    "the5ers-high-stakes": PresetSource("The5ers", "High Stakes", (
        "https://help.the5ers.com/what-is-the-maximum-loss-and-the-maximum-daily-loss-in-the-"
        "high-stakes-program",
    ), _VERIFIED),
    "fundednext-stellar-2step": PresetSource("FundedNext", "Stellar 2-Step", _FUNDEDNEXT,
                                             _VERIFIED),
    "fundednext-stellar-1step": PresetSource("FundedNext", "Stellar 1-Step", _FUNDEDNEXT,
                                             _VERIFIED),
    "fundednext-stellar-lite": PresetSource("FundedNext", "Stellar Lite", (
        *_FUNDEDNEXT,
        "https://help.fundednext.com/es/articles/8019915-cual-es-el-maximum-loss-limit",
    ), _VERIFIED),
}


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _same(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return abs(float(a) - float(b)) < 1e-12
    return str(getattr(a, "value", a)) == str(getattr(b, "value", b))


@dataclass(frozen=True, slots=True)
class PresetOverride:
    """A `[prop]` key the user wrote (`yours`) where the preset says `preset_value`."""

    key: str
    yours: object
    preset_value: object
    preset: str

    def line(self) -> str:
        """'prop.daily_loss_fraction = 0.04 (you) — preset ftmo-1step says 0.03'."""
        return (f"prop.{self.key} = {_shown(self.yours)} (you) — preset {self.preset} says "
                f"{_shown(self.preset_value)}")


def preset_overrides(preset: str, written: Mapping[str, object]) -> tuple[PresetOverride, ...]:
    """The keys of the user's `[prop]` table (`written`: the TOML's own keys) that differ from
    what `preset` defines, in the preset's key order. No preset, or an unknown one: none."""
    rules = PROP_PRESETS.get(preset) if preset else None
    if rules is None:
        return ()
    return tuple(PresetOverride(k, written[k], v, preset) for k, v in rules.items()
                 if k in written and not _same(written[k], v))


def preset_age_warning(preset: str, today: date) -> str | None:
    """A sentence when `preset` was last verified more than `STALE_AFTER_DAYS` before `today`."""
    source = PRESET_SOURCES.get(preset) if preset else None
    if source is None:
        return None
    age = (today - source.verified).days
    if age <= STALE_AFTER_DAYS:
        return None
    return (f"prop.preset {preset} ({source.firm} {source.program}) was last verified against "
            f"the firm's rules on {source.verified.isoformat()}, {age} days ago (more than "
            f"{STALE_AFTER_DAYS}): firms change their rules. Check {source.urls[0]} and override "
            "in [prop] any figure that changed (docs/prop.md)")
