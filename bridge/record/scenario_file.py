"""The `scenario.toml` of a recording: the terminal's account levels, symbol specs, data files and
book in the format bridge/sim/scenario.py parses (docs/scenarios.md "The file format").

Only what the terminal tells is written (the hidden margin rate is measured: bridge/record/
margin.py); what it does not (negative balance protection, the impact and volatility-margin
policy, the daily volume behind the impact law) keeps the simulator's default, and the file says
so in a comment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from bridge.mt5.records import AccountInfo, SymbolInfo, TradePosition
from bridge.servertime import ServerClock
from bridge.sim.scenario_model import CALC_MODES, EXEC_MODES, FILLINGS, TRADE_MODES

__all__ = ["DataFile", "ScenarioText", "scenario_text"]

_CALC = {v: k for k, v in CALC_MODES.items()}
_EXEC = {v: k for k, v in EXEC_MODES.items()}
_TRADE = {v: k for k, v in TRADE_MODES.items()}
_FX = ("forex", "forex_no_leverage")


@dataclass(frozen=True)
class DataFile:
    """One data file of the folder: `table` "data" or "history", path relative to the folder."""

    table: str
    symbol: str
    path: str
    format: str


@dataclass
class ScenarioText:
    """What the TOML is made of (times UTC epoch seconds)."""

    name: str
    description: str
    start: float
    end: float
    warmup_hours: float
    clock: ServerClock
    account: AccountInfo
    symbols: Sequence[SymbolInfo]
    spread_points: dict[str, float]
    book_level_lots: dict[str, float]
    files: Sequence[DataFile]
    positions: Sequence[TradePosition]
    header: list[str] = field(default_factory=list)
    margin_rate: dict[str, float] = field(default_factory=dict)
    """Symbol → the broker's margin rate measured with order_calc_margin (bridge/record/margin)."""


def _s(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _time(t: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S") + (
        f".{round((t % 1) * 1000):03d}Z" if t % 1 else "Z")


def _num(x: float) -> str:
    return repr(float(x))


def _account(a: AccountInfo) -> list[str]:
    margin_mode = {0: "netting", 2: "hedging"}.get(int(a.margin_mode))
    lines = ["[account]", f"currency = {_s(str(a.currency))}",
             f"leverage = {max(int(a.leverage), 1)}"]
    if float(a.balance) > 0:
        lines.append(f"balance = {_num(a.balance)}")
    else:
        lines.append(f"# balance: the account's was {float(a.balance):g}; a replay needs one > 0 "
                     "(default 10000)")
    lines += [f"credit = {_num(max(float(a.credit), 0.0))}"]
    if margin_mode is None:
        lines.append("# margin_mode: an exchange account; replayed as netting")
        margin_mode = "netting"
    lines += [
        f"margin_mode = {_s(margin_mode)}",
        f"stop_out_mode = {_s('money' if int(a.margin_so_mode) == 1 else 'percent')}",
        f"margin_call = {_num(a.margin_so_call)}",
        f"stop_out = {_num(a.margin_so_so)}",
        f"limit_orders = {int(getattr(a, 'limit_orders', 200))}",
        "# negative_balance_protection: the terminal does not say; true (the default) resets a",
        "# negative balance to zero once no position is left. Write false if your broker has none.",
    ]
    return lines


def _symbol(s: SymbolInfo, spread_points: float, level_lots: float | None,
            margin_rate: float | None) -> list[str]:
    calc = _CALC.get(int(s.trade_calc_mode))
    lines = ["[[symbols]]", f"name = {_s(str(s.name))}"]
    if calc is None:
        lines.append(f"# calc_mode: the terminal's mode {int(s.trade_calc_mode)} is not simulated;"
                     " replayed as cfd")
        calc = "cfd"
    lines += [
        f"calc_mode = {_s(calc)}",
        f"currency_base = {_s(str(s.currency_base))}",
        f"currency_profit = {_s(str(s.currency_profit))}",
        f"currency_margin = {_s(str(s.currency_margin))}",
        f"digits = {int(s.digits)}",
        f"contract_size = {_num(s.trade_contract_size)}",
    ]
    if calc not in _FX and float(s.trade_tick_value) > 0 and float(s.trade_tick_size) > 0:
        lines += [f"tick_size = {_num(s.trade_tick_size)}",
                  f"tick_value = {_num(s.trade_tick_value)}"]
    for key, value in (("margin_initial", s.margin_initial),
                       ("margin_maintenance", s.margin_maintenance)):
        if float(value) > 0:
            lines.append(f"{key} = {_num(value)}")
    if margin_rate is not None:
        lines.append(f"margin_rate = {_num(margin_rate)}  # measured: the broker's "
                     "order_calc_margin ÷ the margin from leverage")
    if float(s.margin_hedged) >= 0:
        lines.append(f"margin_hedged = {_num(s.margin_hedged)}")
    lines += [
        f"margin_hedged_use_leg = {'true' if bool(s.margin_hedged_use_leg) else 'false'}",
        f"volume_min = {_num(s.volume_min)}",
        f"volume_max = {_num(s.volume_max)}",
        f"volume_step = {_num(s.volume_step)}",
        f"volume_limit = {_num(max(float(s.volume_limit), 0.0))}",
        f"spread_points = {_num(max(spread_points, 0.1))}",
        f"trade_mode = {_s(_TRADE.get(int(s.trade_mode), 'full'))}",
        f"execution = {_s(_EXEC.get(int(s.trade_exemode), 'market'))}",
        "filling = [" + ", ".join(_s(k) for k, bit in FILLINGS.items()
                                  if int(s.filling_mode) & bit) + "]",
        f"stops_level = {int(s.trade_stops_level)}",
        f"freeze_level = {int(s.trade_freeze_level)}",
        f"book_depth = {int(s.ticks_bookdepth)}",
    ]
    if level_lots is not None and level_lots > 0:
        lines.append(f"book_level_lots = {_num(level_lots)}  # the book's median level when "
                     "recorded")
    lines += [f"description = {_s(str(s.description) or str(s.name))}",
              f"path = {_s(str(s.path) or str(s.name))}"]
    return lines


def scenario_text(sc: ScenarioText) -> str:
    """The scenario TOML (see the module docstring)."""
    out = [f"# {line}" for line in sc.header]
    out += [
        f"name = {_s(sc.name)}",
        f"description = {_s(sc.description)}",
        f"start = {_time(sc.start)}",
        f"end = {_time(sc.end)}",
        f"warmup_hours = {_num(sc.warmup_hours)}",
        "",
        "[server_time]",
        f"utc_offset_hours = {_num(sc.clock.utc_offset_hours)}",
        f"dst = {_s(sc.clock.dst)}",
        "",
        *_account(sc.account),
        "",
        "# Not told by the terminal, so the simulator's defaults: [broker] (impact, volatility",
        "# margin), each symbol's daily_volume_lots and daily_volatility (docs/scenarios.md).",
        "# margin_rate is measured when recording (omitted where it is 1.0).",
    ]
    for s in sc.symbols:
        out += ["", *_symbol(s, sc.spread_points.get(str(s.name), float(s.spread)),
                             sc.book_level_lots.get(str(s.name)),
                             sc.margin_rate.get(str(s.name)))]
    for f in sc.files:
        out += ["", f"[[{f.table}]]", f"symbol = {_s(f.symbol)}", f"path = {_s(f.path)}",
                f"format = {_s(f.format)}"]
    if sc.positions:
        out += ["", "# The book when recorded, opened at the quote at `start` (the scenario format "
                "has no", "# open price: each position's own is in its comment)."]
    for p in sc.positions:
        kind = "buy" if int(p.type) == 0 else "sell"
        comment = f"ticket {int(p.ticket)} opened at {float(p.price_open):g}"
        out += ["", "[[book]]", f"symbol = {_s(str(p.symbol))}", f"type = {_s(kind)}",
                f"volume = {_num(p.volume)}", f"magic = {int(p.magic)}",
                f"comment = {_s(comment)}"]
    return "\n".join(out) + "\n"
