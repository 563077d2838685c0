"""Warnings that lead, and false alarms, over one run (issue 12 items 2 and 3).

`WarningTrack` is fed every fast-guard step of a run (the guard's Decision, the simulated time
and the guard's running order count) and gives the run's figures:

- `lead_seconds` = crash time − the first step with a market-derived signal on
  (controller.signals.MARKET_SIGNALS; positive: warned before the crash; None: no warning, or a
  calm window). Clock-based signals (thin hours, weekend, scheduled events) are listed with
  their first-on times but never count as a warning of the crash.
- `lead_seconds_switched_on` = crash time − the first step at which a market-derived signal
  switched on (off at the step before): a signal already on at the first step says the market
  was already stressed, not that this crash was coming.
- `signal_first_on`: per signal name, the first step it was on (UTC s), and `signals_on_at_start`:
  those already on at the first step.
- What the guard did between the first warning and the crash: EffLev at both, the orders sent in
  between, and the seconds new exposure was blocked.
- False alarms: crash-flag steps and episodes, MINIMUM and WAIT steps, and cuts not asked for by
  the rules: episodes of decisions with a reduction whose binding cap is not `rule`, `broker` or
  `prop` (`unasked_cut_caps`: "<binding cap> (triggered by <caps>)", so a rule cut that a
  multiplier only deepened shows as such).

Times are UTC epoch seconds, durations seconds (steps × the guard period).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from controller import Decision, Regime
from controller.signals import MARKET_SIGNALS

__all__ = ["RULE_CAPS", "WarningTrack"]

#: caps whose reductions the rules ask for (the seed's thresholds, the broker, the prop firm)
RULE_CAPS = ("rule", "broker", "prop")


class WarningTrack:
    """Per-step bookkeeping of signals, regimes and cuts; `metrics` gives the run's figures."""

    def __init__(self, guard_seconds: float) -> None:
        self.dt = guard_seconds
        self.first_on: dict[str, float] = {}
        self.on_at_start: list[str] = []
        self.first_market: float | None = None
        self.first_switch: float | None = None
        self._prev: set[str] = set()
        self.steps = 0
        self.crash_flag_steps = 0
        self.crash_flag_episodes = 0
        self.minimum_steps = 0
        self.wait_steps = 0
        self.unasked_cuts = 0
        self.unasked_caps: dict[str, int] = {}
        self.rollover_only_cuts = 0
        self._was_flag = False
        self._was_cut = False
        self._t: list[float] = []
        self._eff: list[float | None] = []
        self._orders: list[int] = []
        self._blocked: list[bool] = []

    def observe(self, t: float, d: Decision | None, orders: int) -> None:
        """One fast-guard step at `t`: the guard's decision (None before the first) and the
        number of orders it sent so far."""
        if d is None:
            return
        names = sorted({x.name for x in d.signals})
        if self.steps == 0:
            self.on_at_start = names
        self.steps += 1
        for n in names:
            self.first_on.setdefault(n, t)
        if self.first_market is None and any(n in MARKET_SIGNALS for n in names):
            self.first_market = t
        if self.steps > 1 and self.first_switch is None and any(
                n in MARKET_SIGNALS and n not in self._prev for n in names):
            self.first_switch = t
        self._prev = set(names)
        flag = d.metrics.crash_flag
        self.crash_flag_steps += flag
        self.crash_flag_episodes += flag and not self._was_flag
        self._was_flag = flag
        self.minimum_steps += d.regime is Regime.MINIMUM
        self.wait_steps += d.regime is Regime.WAIT
        cut = bool(d.actions) and d.binding_cap not in RULE_CAPS
        if cut and not self._was_cut:
            self.unasked_cuts += 1
            why = ", ".join(c.name for c in d.caps if c.triggered) or "none"
            key = f"{d.binding_cap} (triggered by {why})"
            self.unasked_caps[key] = self.unasked_caps.get(key, 0) + 1
            market = [x for x in d.signals if x.market]
            thin = [x for x in d.signals if x.name == "thin_hours"]
            if not market and thin and any("rollover" in x.source for x in thin):
                self.rollover_only_cuts += 1
        self._was_cut = cut
        self._t.append(t)
        self._eff.append(d.metrics.eff_lev)
        self._orders.append(orders)
        self._blocked.append(not d.limits.new_exposure_allowed)

    def _at(self, t: float) -> int | None:
        """Index of the last step at or before `t`."""
        i = bisect_right(self._t, t) - 1
        return i if i >= 0 else None

    def _before_crash(self, crash: float) -> dict[str, Any]:
        warn = self.first_market
        out: dict[str, Any] = {"eff_lev_at_first_warning": None, "eff_lev_at_crash": None,
                               "orders_warning_to_crash": None,
                               "no_new_exposure_seconds_warning_to_crash": None}
        c = self._at(crash)
        if c is not None:
            out["eff_lev_at_crash"] = self._eff[c]
        if warn is None or warn > crash or c is None:
            return out
        w = self._at(warn)
        assert w is not None
        out["eff_lev_at_first_warning"] = self._eff[w]
        out["orders_warning_to_crash"] = self._orders[c] - self._orders[w]
        out["no_new_exposure_seconds_warning_to_crash"] = self.dt * sum(self._blocked[w:c + 1])
        return out

    def metrics(self, crash_time: float | None) -> dict[str, Any]:
        """The run's figures (JSON-ready; keys in docs/stress.md)."""
        lead = switched = None
        if crash_time is not None and self.first_market is not None:
            lead = crash_time - self.first_market
        if crash_time is not None and self.first_switch is not None:
            switched = crash_time - self.first_switch
        out: dict[str, Any] = {
            "first_market_warning_time": self.first_market,
            "lead_seconds": lead,
            "first_market_switch_on_time": self.first_switch,
            "lead_seconds_switched_on": switched,
            "signal_first_on": dict(sorted(self.first_on.items(), key=lambda kv: kv[1])),
            "signals_on_at_start": self.on_at_start,
            "false_alarms": {
                "crash_flag_steps": self.crash_flag_steps,
                "crash_flag_episodes": self.crash_flag_episodes,
                "minimum_steps": self.minimum_steps,
                "wait_steps": self.wait_steps,
                "unasked_cuts": self.unasked_cuts,
                "unasked_cut_caps": self.unasked_caps,
                "rollover_only_cuts": self.rollover_only_cuts,
            },
        }
        if crash_time is not None:
            out.update(self._before_crash(crash_time))
        return out
