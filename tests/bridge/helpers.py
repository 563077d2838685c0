"""Scenario variants and the TradeRequest field types for the executor tests.

The recorder around the simulated terminal (every MetaTrader5 call, a deep copy of its arguments
and the answer, `before` hooks that act on the world between the executor's read and its send)
is the kit's `tests.kit.ScriptedTerminal`; the "never closed twice" check is
`tests.kit.assert_never_closed_twice`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bridge.sim import constants as c
from bridge.sim.scenario import BUILTIN_DIR

TRADE_REQUEST_TYPES: dict[str, type] = {
    "action": int, "magic": int, "order": int, "symbol": str, "volume": float, "price": float,
    "stoplimit": float, "sl": float, "tp": float, "deviation": int, "type": int,
    "type_filling": int, "type_time": int, "expiration": int, "comment": str, "position": int,
    "position_by": int,
}
"""The 17 TradeRequest fields of mt5-api.md §2.1 and the Python type each must have."""


def scenario_variant(tmp: Path, name: str, *, netting: bool = False,
                     algo_trading: bool = True, gbp_instant: bool = False) -> Path:
    """flash-gbp-2016 with the account switched to netting, Algo Trading off, or GBPUSD on
    instant execution with no FOK/IOC bit (price and deviation checked, RETURN filling)."""
    text = (BUILTIN_DIR / "gbp-flash-2016.toml").read_text(encoding="utf-8")
    if gbp_instant:
        assert text.count('name = "GBPUSD"\n') == 1
        text = text.replace('name = "GBPUSD"\n',
                            'name = "GBPUSD"\nexecution = "instant"\nfilling = []\n')
    if netting:
        assert 'margin_mode = "hedging"' in text
        text = text.replace('margin_mode = "hedging"', 'margin_mode = "netting"')
    if not algo_trading:
        text += "\n[terminal]\ntrade_allowed = false\n"
    path = tmp / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def close_by_hand(sim: Any, ticket: int, volume: float) -> None:
    """The trader (or a stop-out) closes part of a position, outside the executor."""
    (p,) = sim.positions_get(ticket=ticket)
    r = sim.order_send({"action": c.TRADE_ACTION_DEAL, "symbol": p.symbol, "volume": volume,
                        "type": c.ORDER_TYPE_SELL if p.type == 0 else c.ORDER_TYPE_BUY,
                        "position": ticket, "type_filling": c.ORDER_FILLING_IOC,
                        "comment": "by hand"})
    assert r.retcode == c.TRADE_RETCODE_DONE
