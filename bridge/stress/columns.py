"""The columns of the stress report's metrics table (report.html and the console): each column's
name, its legend (unit and sign convention, in a trader's words) and how a cell is written from a
policy's metrics in summary.json (keys in docs/stress.md)."""

from __future__ import annotations

from typing import Any

from bridge.stress.report_warnings import duration

__all__ = ["COLUMNS", "LEGEND", "POLICY_WORDS", "REGIME_WORDS", "points", "row"]

COLUMNS = ["policy", "max drawdown", "stop-outs", "below zero", "final equity", "return",
           "slippage paid", "guard's first order", "given up vs none", "mean leverage",
           "leverage before crash", "model ready"]

LEGEND: dict[str, str] = {
    "policy": "who manages the same book on the same prices: none (nobody: only the broker's "
              "stop-out), vol-only, rules-only and full (the guard, partly or whole), full@a "
              "(the whole guard at risk appetite a), static-L (the book resized once at the "
              "start to leverage L, then left alone).",
    "max drawdown": "the largest fall of equity from its highest point so far (the starting "
                    "balance counts), in % of that high; 0 % is best, 100 % is everything lost, "
                    "above 100 % a debt to the broker (no negative-balance protection).",
    "stop-outs": "positions the broker closed because the margin level fell to its stop-out "
                 "level (count; 0 is best).",
    "below zero": "whether the account balance went below zero during the window, by how much "
                  "(account currency) and what became of the debt: written off by the broker's "
                  "negative-balance protection, or still owed to the broker without it.",
    "final equity": "equity at the end of the window, in account currency (with protection a "
                    "wiped-out account ends at 0; without it, below 0 is a debt).",
    "return": "final equity against the starting balance, in %; negative is a loss.",
    "slippage paid": "what the closing fills (the guard's and the broker's stop-outs) cost "
                     "against the mid price just before them, in account currency: half the "
                     "spread, the book's price impact and any gap; 0 for a book never closed.",
    "guard's first order": "when the guard first cut the book, against the first warning of "
                           "the market model in this window: \"6.1 h before the first "
                           "warning\" means the guard had already cut the book on its leverage "
                           "rules 6.1 h earlier; \"after\" means it acted on the warning. "
                           "(In summary.json warning_to_order_s = order time − warning time, "
                           "in seconds: negative is before.)",
    "given up vs none": "the unguarded book's return minus this policy's, in percentage points "
                        "(pt): positive is return the policy gave up against doing nothing "
                        "(the price of protection on a calm window); negative is what it saved "
                        "(a crash window); 0.0 pt for none itself.",
    "mean leverage": "effective leverage (EffLev: positions' notional value ÷ equity, "
                     "a multiple such as 20 for 20:1) averaged over the whole window.",
    "leverage before crash": "the same average from the start to the crash: the exposure the "
                             "book carried into it (– on a calm window).",
    "model ready": "share of the guard's steps at which the market model had enough price "
                   "history to classify the market (%); – for a static book (no guard).",
}

POLICY_WORDS = ("none (nobody: only the broker's stop-out), vol-only (leverage set from "
                "volatility alone), rules-only (the fixed leverage rules alone: cut above "
                "EffLev 2.0, forced above 2.5; no new exposure above 50 % margin used; cut "
                "when equity falls below 1.5 × the margin), full (the whole guard)")

REGIME_WORDS = {"NORMAL": "normal market",
                "NO_EXPANSION": "thin market: no new exposure",
                "WAIT": "volatile market: no new exposure, cut only above the rules",
                "MINIMUM": "volatile and thin: step down to the minimum leverage",
                "UNAVAILABLE": "not enough history yet"}


def _money(x: float, currency: str) -> str:
    return f"{x:,.0f} {currency}".replace("-", "−")


def _pct(x: float | None) -> str:
    if x is None:
        return "–"
    text = f"{100 * x:.1f}"
    return ("0.0" if text == "-0.0" else text.replace("-", "−")) + " %"


def points(x: float | None) -> str:
    """A difference of two returns in percentage points, signed (− for negative)."""
    if x is None:
        return "–"
    text = f"{100 * x:+.1f}"
    return ("0.0" if text in ("+0.0", "-0.0") else text.replace("-", "−")) + " pt"


def _lev(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def below_zero(m: dict[str, Any], account: dict[str, Any], short: bool = False) -> str:
    """How far the balance went below zero and what became of the debt, in words (`short`: for
    the console's narrow column)."""
    deepest = float(m["negative_balance"])
    if deepest <= 0.0:
        return "no"
    cur = account["currency"]
    owed = float(m.get("owed_at_end") or 0.0)
    if short:
        fate = ("written off" if account["negative_balance_protection"]
                else "still owed" if owed > 0.0 else "paid back")
        return f"{_money(deepest, cur)} {fate}"
    if account["negative_balance_protection"]:
        fate = "written off by negative-balance protection"
    elif owed > 0.0:
        fate = f"no protection: {_money(owed, cur)} still owed to the broker"
    else:
        fate = "no protection: paid back before the end"
    return f"went below zero by {_money(deepest, cur)} ({fate})"


def first_order(m: dict[str, Any], short: bool = False) -> str:
    """The guard's first order against the window's first warning, in words (`short`: for the
    console's narrow column)."""
    warning = "warning" if short else "the first warning"
    if m.get("first_order_time") is None:
        return "no order"
    gap = m.get("warning_to_order_s")
    if gap is None:
        return "no warning" if short else "no warning came"
    if abs(gap) < 1.0:
        return f"at {warning}"
    side = "before" if gap < 0 else "after"
    return f"{duration(abs(gap))} {side} {warning}"


def row(policy: str, m: dict[str, Any], account: dict[str, Any],
        short: bool = False) -> list[str]:
    """One policy's cells, in the order of COLUMNS (`short`: the console's shorter words)."""
    cur = account["currency"]
    share = m.get("regime_available_share")
    return [policy, _pct(m["max_drawdown"]), str(m["stop_outs"]), below_zero(m, account, short),
            _money(m["final_equity"], cur), _pct(m["return"]), _money(m["slippage_paid"], cur),
            first_order(m, short), points(m.get("return_given_up")), _lev(m.get("mean_eff_lev")),
            _lev(m.get("mean_eff_lev_before_crash")), _pct(share)]
