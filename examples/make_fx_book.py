"""Write examples/fx-book-with-history.json: a two-symbol FX book with a day of 1-minute quotes.

    uv run python examples/make_fx_book.py

The last hour's spreads widen to about 2.5× their median (a thinning book, seen through the
spread proxy), so the liquidity risk LR rises and L_safe binds below the rule target.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

END = 1_710_252_000  # 2024-03-12 14:00:00 UTC
MINUTES = 1440


def _quotes(rng: np.random.Generator, start: float, daily_sigma: float, pip: float,
            digits: int) -> dict[str, list[float]]:
    steps = rng.normal(0.0, daily_sigma / np.sqrt(MINUTES), MINUTES)
    mid = start * np.exp(np.cumsum(steps))
    spread = pip * (1.0 + 0.3 * rng.random(MINUTES))
    spread[-60:] *= np.linspace(1.0, 2.5, 60)  # the last hour: the book thins out
    times = [END - 60 * (MINUTES - i) for i in range(MINUTES)]
    return {"time": times,
            "bid": [round(x, digits) for x in mid - spread / 2],
            "ask": [round(x, digits) for x in mid + spread / 2]}


def main() -> None:
    rng = np.random.default_rng(2024)
    eur = _quotes(rng, 1.0850, 0.006, 0.00008, 5)
    jpy = _quotes(rng, 149.20, 0.007, 0.009, 3)
    doc = {
        "_comment": "A long EURUSD / short USDJPY book on a USD hedging account, with a day of "
                    "1-minute quotes per symbol (examples/make_fx_book.py writes this file).",
        "time": END,
        "account": {"login": 4242, "currency": "USD", "leverage": 30, "margin_mode": 2,
                    "margin_so_mode": 0, "balance": 600_000.0, "equity": 598_400.0,
                    "margin": 45_400.0, "margin_so_call": 100.0, "margin_so_so": 50.0},
        "symbols": {
            "EURUSD": {"path": "Forex\\Majors\\EURUSD", "trade_calc_mode": 0,
                       "trade_contract_size": 100_000.0, "volume_min": 0.01,
                       "volume_step": 0.01, "volume_max": 200.0},
            "USDJPY": {"path": "Forex\\Majors\\USDJPY", "trade_calc_mode": 0,
                       "trade_contract_size": 100_000.0, "volume_min": 0.01,
                       "volume_step": 0.01, "volume_max": 200.0},
        },
        "positions": [
            {"ticket": 81001, "time": END - 7200, "type": 0, "symbol": "EURUSD", "volume": 5.0,
             "price_open": 1.0860, "profit": -900.0},
            {"ticket": 81002, "time": END - 3600, "type": 0, "symbol": "EURUSD", "volume": 3.0,
             "price_open": 1.0855, "profit": -300.0},
            {"ticket": 81003, "time": END - 1800, "type": 1, "symbol": "USDJPY", "volume": 5.0,
             "price_open": 149.10, "profit": -400.0},
        ],
        "market": {
            "EURUSD": {"bid": eur["bid"][-1], "ask": eur["ask"][-1], "history": {"ticks": eur}},
            "USDJPY": {"bid": jpy["bid"][-1], "ask": jpy["ask"][-1], "history": {"ticks": jpy}},
        },
    }
    out = Path(__file__).with_name("fx-book-with-history.json")
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
