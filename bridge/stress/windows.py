"""The stress windows, the two broker presets and the four policies.

A window is one scenario TOML in `bridge/stress/scenarios/` (real data from shared/data, read in
place). A preset sets the account's broker levels on the same ticks and book:

| preset | margin call | stop-out | negative balance protection | account leverage |
|---|---|---|---|---|
| esma | 100 % | 50 % | on | 1:30 (the ESMA cap on majors) |
| offshore | 50 % | 20 % | off | 1:100 |

A policy is an `AppConfig` for the guard:

| policy | what caps the target |
|---|---|
| none | nothing: the guard observes only (no orders); the broker's stop-out protects |
| vol-only | L_safe = min(L_max, K / σ) with LR = 1: leverage targeted on volatility alone |
| rules-only | the seed-003 thresholds on EffLev, MU and MSI (`[rules]`), nothing else |
| full | the whole controller (the defaults) |
| full@<a> | the whole controller at `risk.appetite = a` (bridge/stress/frontier.py) |
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bridge.config import AppConfig
from bridge.sim.scenario import Scenario

__all__ = ["OWN", "POLICIES", "PRESETS", "SCENARIO_DIR", "WINDOWS", "Preset", "Window",
           "policy_config", "window_for", "with_preset"]

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"

POLICIES: tuple[str, ...] = ("none", "vol-only", "rules-only", "full")


@dataclass(frozen=True)
class Preset:
    """Broker levels in percent of margin (MT5 margin level); leverage 1:`leverage`."""

    name: str
    margin_call: float
    stop_out: float
    negative_balance_protection: bool
    leverage: int


#: the preset name of a user's scenario run with its own broker settings (no --preset)
OWN = "own"

PRESETS: dict[str, Preset] = {
    "esma": Preset("esma", 100.0, 50.0, True, 30),
    "offshore": Preset("offshore", 50.0, 20.0, False, 100),
}


@dataclass(frozen=True)
class Window:
    """One real window. `guard_seconds`: the fast guard's period of simulated time (seconds for a
    flash, minutes for a regime of days). `modelled`: prices come from bars expanded to intrabar
    tick paths (labelled as modelled in every output), not from recorded ticks."""

    name: str
    kind: str  # "crash" | "calm"
    guard_seconds: float
    modelled: bool
    main_symbol: str
    data: str
    source: str = ""  # a user's scenario file (bridge/stress/user.py); "": a built-in window

    @property
    def path(self) -> Path:
        return Path(self.source) if self.source else SCENARIO_DIR / f"{self.name}.toml"


WINDOWS: dict[str, Window] = {w.name: w for w in (
    Window("snb-2015", "crash", 5.0, True, "USDCHF",
           "USDCHF H1 (MT5 broker), EURUSD H1 bid/ask (Oanda)"),
    Window("gbp-flash-2016", "crash", 5.0, True, "GBPUSD", "GBPUSD H1 (MT5 broker)"),
    Window("jpy-flash-2019", "crash", 5.0, True, "USDJPY",
           "USDJPY H1, AUDUSD H4, XAUUSD H1 (MT5 broker)"),
    Window("covid-2020", "crash", 120.0, True, "AUDUSD",
           "EURUSD, GBPUSD, AUDUSD, USDJPY H4, XAUUSD H1 (MT5 broker)"),
    Window("gilt-2022", "crash", 120.0, True, "GBPUSD", "GBPUSD H4 (MT5 broker)"),
    Window("calm-2019", "calm", 15.0, False, "EURUSD",
           "EURUSD real ticks with bid and ask (Dukascopy)"),
    # the same control with the mirrored book: EURUSD drifted down on these two days, so a long
    # book's guard "gives up" a negative return; the short book shows the cost when the drift
    # pays the book instead
    Window("calm-2019-short", "calm", 15.0, False, "EURUSD",
           "EURUSD real ticks with bid and ask (Dukascopy)"),
    # 60 quiet days (the lowest realised D1 σ of the H4 history, chosen before any guard ran
    # on it), modelled from H4 bars: the false-alarm count over a long calm stretch
    Window("calm-long-2018", "calm", 300.0, True, "EURUSD",
           "EURUSD H4 (MT5 broker), modelled ticks one a minute"),
)}


def window_for(key: str) -> Window:
    """A built-in window by name, or a user's scenario file by its resolved path (the key
    `bridge.stress.user.resolve` gives it)."""
    if key in WINDOWS:
        return WINDOWS[key]
    from bridge.stress.user import user_window

    return user_window(key)


def with_preset(scenario: Scenario, preset: Preset | None) -> Scenario:
    """The same scenario (ticks, book) on an account with the preset's broker levels (None: the
    scenario's own, unchanged)."""
    if preset is None:
        return scenario
    account = replace(scenario.account, margin_so_call=preset.margin_call,
                      margin_so_so=preset.stop_out,
                      negative_balance_protection=preset.negative_balance_protection,
                      leverage=preset.leverage)
    return replace(scenario, account=account, name=f"{scenario.name}-{preset.name}")


_ONLY = {
    "vol-only": {"safe_leverage"},
    "rules-only": {"rules"},
}
_COMPONENTS = ("rules", "safe_leverage", "liquidity", "regime", "buffer", "broker_levels",
               "extras")


def policy_config(policy: str, window: Window, *, scenario: str = "") -> AppConfig:
    """The guard's configuration for `policy` on `window` (the defaults for everything else)."""
    from bridge.stress.frontier import parse_appetite

    appetite = parse_appetite(policy)
    if policy not in POLICIES and appetite is None:
        raise ValueError(f"policy {policy!r} is unknown (allowed: {', '.join(POLICIES)}, "
                         "full@<a> with 0 < a ≤ 100)")
    data: dict[str, dict[str, object]] = {
        "terminal": {"kind": "sim", "scenario": scenario or window.name},
        "run": {"mode": "observe" if policy == "none" else "enforce",
                "guard_seconds": window.guard_seconds, "journal": "sqlite://", "log_file": "",
                "compare_unguarded": False},
        "ea": {"enabled": False},
    }
    if appetite is not None and appetite != 1.0:
        data["risk"] = {"appetite": appetite}
    if policy in _ONLY:
        data["components"] = {k: k in _ONLY[policy] for k in _COMPONENTS}
    return AppConfig.model_validate(data)
