"""Small builders for controller tests: a USD account with FX and CFD symbols."""

from __future__ import annotations

from collections.abc import Iterable

from controller import Account, MarketState, Position, Snapshot, SymbolSpec, make_snapshot
from controller.settings import SymbolClass

T0 = 1_710_252_000.0  # 2024-03-12 14:00:00 UTC, outside the default thin hours


def account(equity: float = 10_000.0, margin: float = 1_000.0, balance: float | None = None,
            so_call: float = 100.0, so_so: float = 50.0, hedging: bool = True,
            login: int = 7) -> Account:
    return Account(login=login, currency="USD", balance=equity if balance is None else balance,
                   equity=equity, margin=margin, margin_so_call=so_call, margin_so_so=so_so,
                   margin_mode=2 if hedging else 0)


def fx(name: str = "EURUSD", step: float = 0.01, vmin: float = 0.01,
       klass: SymbolClass = SymbolClass.MAJOR_FX) -> SymbolSpec:
    return SymbolSpec(name=name, trade_contract_size=100_000.0, volume_min=vmin,
                      volume_step=step, volume_max=500.0, currency_base=name[:3],
                      currency_profit=name[3:6], currency_margin=name[:3], symbol_class=klass)


def cfd(name: str = "EXAMPLE", size: float = 100.0) -> SymbolSpec:
    return SymbolSpec(name=name, trade_contract_size=size, volume_min=0.01, volume_step=0.01,
                      volume_max=100.0, currency_base="USD", currency_profit="USD",
                      currency_margin="USD", trade_calc_mode=4, symbol_class=SymbolClass.EQUITY)


def pos(ticket: int, symbol: str, volume: float, kind: int = 0, price: float = 1.0,
        profit: float = 0.0, opened: int = 0) -> Position:
    return Position(ticket=ticket, symbol=symbol, type=kind, volume=volume, price_open=price,
                    price_current=price, profit=profit, time=opened)


def snapshot(acct: Account, specs: Iterable[SymbolSpec], positions: Iterable[Position],
             quotes: dict[str, tuple[float, float]], time: float = T0,
             market: dict[str, MarketState] | None = None) -> Snapshot:
    specs = list(specs)
    mkt = {s: MarketState(bid=b, ask=a) for s, (b, a) in quotes.items()}
    mkt.update(market or {})
    return make_snapshot(time, acct, {s.name: s for s in specs}, positions, mkt)


def seed_example() -> Snapshot:
    """Seed 003: equity 70 after the adverse move, margin 50, position value 200."""
    return snapshot(account(equity=70.0, margin=50.0, balance=100.0), [cfd()],
                    [pos(5001, "EXAMPLE", 2.0, price=1.0, profit=-30.0)],
                    {"EXAMPLE": (1.0, 1.0)})
