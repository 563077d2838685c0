"""The account a scenario opens with: its history of money moved (`[[balance_ops]]` before the
start, else one deposit of `account.balance`), its credit, and the initial book (`[[book]]`,
opened at the first quote at the start, reason CLIENT). Money in the account currency.
"""

from __future__ import annotations

from bridge.mt5 import constants as c
from bridge.sim.ledger import Ledger
from bridge.sim.market import Market
from bridge.sim.quotes import MarketCursor
from bridge.sim.risk_engine import RiskEngine
from bridge.sim.scenario import BalanceOp, Scenario

__all__ = ["book_balance_op", "open_account"]


def open_account(scenario: Scenario, market: Market) -> tuple[Ledger, RiskEngine, list[BalanceOp]]:
    """The books and risk engine at the scenario's start, and the balance ops still to come."""
    clock = scenario.clock
    quotes = MarketCursor(market, scenario.account.currency, scenario.broker, market.start_index)
    # offset_at is offset_seconds of one instant without numpy (the same int, bridge.servertime)
    ledger = Ledger(quotes, lambda t_ms: t_ms + clock.offset_at(t_ms / 1000.0) * 1000)
    risk = RiskEngine(scenario.account, ledger)
    t0 = int(scenario.start * 1000)
    history = [o for o in scenario.balance_ops if o.time <= scenario.start]
    pending = [o for o in scenario.balance_ops if o.time > scenario.start]
    if not history:
        ledger.balance_deal(scenario.account.balance, t0, c.DEAL_TYPE_BALANCE, "deposit")
    for op in history:
        book_balance_op(ledger, op)
    if scenario.account.credit:
        ledger.balance_deal(scenario.account.credit, t0, c.DEAL_TYPE_CREDIT, "credit")
        ledger.balance -= scenario.account.credit
        ledger.credit = scenario.account.credit
    netting = scenario.account.margin_mode == c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING
    for b in scenario.book:
        k = scenario.symbol_index(b.symbol)
        bid, ask = quotes.quote(k)
        existing = next((p for p in ledger.positions if p.sym == k), None) if netting else None
        ledger.deal(k=k, side=b.type, volume=b.volume,
                    price=ask if b.type == c.ORDER_TYPE_BUY else bid, t_ms=t0,
                    reason=c.DEAL_REASON_CLIENT, magic=b.magic, comment=b.comment,
                    position=existing)
    return ledger, risk, pending


def book_balance_op(ledger: Ledger, op: BalanceOp) -> None:
    """Book one `[[balance_ops]]` entry: a balance deal; credit goes to the credit, not the
    balance; a "trade" is a sell deal closing elsewhere (entry OUT) with that profit."""
    comment = op.comment or ("deposit" if op.amount >= 0 else "withdrawal")
    ledger.balance_deal(op.amount, int(op.time * 1000), op.type, comment)
    if op.type == c.DEAL_TYPE_CREDIT:
        ledger.balance = round(ledger.balance - op.amount, 2)
        ledger.credit = round(ledger.credit + op.amount, 2)
    elif op.type == c.DEAL_TYPE_SELL:
        ledger.deals[-1] = ledger.deals[-1]._replace(
            entry=c.DEAL_ENTRY_OUT, symbol=op.symbol, comment=op.comment)
