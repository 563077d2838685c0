"""A checked `Snapshot`, its histories and a memory → the JSON document `parse_snapshot` reads.

The inverse of `controller.parse`: `parse_snapshot(snapshot_document(s, h, m))` gives back the
same snapshot, histories and memory, and dumping that again gives the same document (floats are
written as Python's shortest exact repr by `json.dumps`, so no digit is lost). docs/snapshot.md
has the format; `lca snapshot` writes it from a connected terminal.

What is not written: the symbol class (`parse_snapshot` derives it again from the name, the path
and `[safe_leverage.symbol_classes]`), a market time of 0 (unknown), a history's `depth_source`,
and an intraday series that is neither the H1 bars nor H4 bars (`rates_h4`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from enum import Enum
from typing import Any

from controller.indicators import Bars, SymbolHistory
from controller.memory import ControllerMemory
from controller.snapshot import MarketState, Snapshot, SymbolSpec

__all__ = ["H4_SECONDS", "snapshot_document"]

H4_SECONDS = 14_400.0
"""Length of one H4 bar, seconds: an intraday series of this length is written as `rates_h4`."""


def _floats(values: Any) -> list[float]:
    return [float(v) for v in values]


def _bars(bars: Bars) -> dict[str, list[float]]:
    """Bars as equal-length columns (open time UTC s, prices)."""
    return {"time": _floats(bars.time), "open": _floats(bars.open), "high": _floats(bars.high),
            "low": _floats(bars.low), "close": _floats(bars.close)}


def _history(h: SymbolHistory) -> dict[str, Any]:
    """One symbol's `market.NAME.history` (docs/snapshot.md), columns of equal length."""
    out: dict[str, Any] = {}
    if h.quote_time is not None and h.bid is not None and h.ask is not None:
        out["ticks"] = {"time": _floats(h.quote_time), "bid": _floats(h.bid),
                        "ask": _floats(h.ask)}
    for key, bars in (("rates_m1", h.m1), ("rates_h1", h.h1), ("rates_d1", h.d1)):
        if bars is not None:
            out[key] = _bars(bars)
    if h.intraday is not None and h.intraday_seconds == H4_SECONDS:
        out["rates_h4"] = _bars(h.intraday)
    if h.depth_time is not None and h.bid_depth_lots is not None and h.ask_depth_lots is not None:
        out["depth"] = {"time": _floats(h.depth_time), "bid_depth": _floats(h.bid_depth_lots),
                        "ask_depth": _floats(h.ask_depth_lots)}
    if h.margin_time is not None and h.margin_rate is not None:
        out["margin_rates"] = {"time": _floats(h.margin_time),
                               "margin_rate": _floats(h.margin_rate)}
    return out


def _symbol(spec: SymbolSpec) -> dict[str, Any]:
    """The SymbolInfo fields of `spec` (the class is derived again on reading)."""
    return {"trade_contract_size": spec.trade_contract_size, "volume_min": spec.volume_min,
            "volume_step": spec.volume_step, "volume_max": spec.volume_max,
            "currency_base": spec.currency_base, "currency_profit": spec.currency_profit,
            "currency_margin": spec.currency_margin, "trade_calc_mode": spec.trade_calc_mode,
            "path": spec.path, "trade_tick_value": spec.trade_tick_value,
            "trade_tick_size": spec.trade_tick_size}


def _market(m: MarketState, history: SymbolHistory | None) -> dict[str, Any]:
    out: dict[str, Any] = {"bid": m.bid, "ask": m.ask}
    if m.time:
        out["time"] = m.time
    if m.book:
        out["book"] = [{"type": b.type, "price": b.price, "volume_dbl": b.volume} for b in m.book]
    for key in ("bid_depth", "ask_depth", "margin_rate", "slippage_ratio"):
        value = getattr(m, key)
        if value is not None:
            out[key] = value
    if history is not None:
        h = _history(history)
        if h:
            out["history"] = h
    return out


def _memory(memory: ControllerMemory) -> dict[str, Any]:
    return {k: v.value if isinstance(v, Enum) else v for k, v in asdict(memory).items()}


def snapshot_document(snapshot: Snapshot, histories: Mapping[str, SymbolHistory] | None = None,
                      memory: ControllerMemory | None = None) -> dict[str, Any]:
    """The snapshot as a JSON-ready document with the MetaTrader5 field names; `histories`
    (symbol → history) go under each symbol's `market.NAME.history`, `memory` under `memory`."""
    histories = histories or {}
    doc: dict[str, Any] = {
        "time": snapshot.time,
        "account": asdict(snapshot.account),
        "symbols": {name: _symbol(spec) for name, spec in snapshot.symbols.items()},
        "positions": [asdict(p) for p in snapshot.positions],
        "market": {name: _market(m, histories.get(name)) for name, m in snapshot.market.items()},
    }
    if snapshot.events:
        doc["events"] = [{**asdict(e), "currencies": list(e.currencies)}
                         for e in snapshot.events]
    if memory is not None:
        doc["memory"] = _memory(memory)
    return doc
