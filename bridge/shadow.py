"""Shadow mode (`[run] mode = "shadow"`): the guard decides and plans as in enforce, sends nothing,
and keeps a virtual book of the slices it would have sent (freqtrade's dry-run, for a guard).

- A due slice is "filled" virtually at the live quote of that step: the bid to close a long, the
  ask to close a short, with no impact added (the planner sizes slices to the book and prices
  none, so neither does the shadow; the simulated broker's square-root impact is what separates
  a shadow fill from a real one). A quote older than `run.stale_after_seconds` fills nothing: the
  slice waits for a fresh one (a real server would answer "no prices" / off quotes there).
- The virtual fills are done: the plan progresses as if filled, and every later decision is made
  on the REAL snapshot adjusted by the virtual closes (`ShadowBook.view`: position volumes less
  what the shadow closed, equity and balance plus what it realized, margin scaled by the value
  still held), so the guard never wants to cut the same lots again.
- The ledger: per virtual fill, the P/L of having closed at the fill less the P/L of holding the
  same lots to now, in account currency, MT5's way (realized at the fill's conversion rate, held
  marked at the live quote and rate): ``saved = Σ sign · lots · size · ((fill − open) · r_fill −
  (mark − open) · r_mark)``, `size` the contract size (tick value / tick size for futures). When
  the real position closes (the broker's stop-out, the trader) the hold leg ends there: its
  value is the closing deals' profit per lot as the broker booked it (the last mark when the
  history has no closing deal).
- Equity path: shadow equity = real equity + saved; shadow margin level = shadow equity / (real
  margin × value still held / value held). Not modelled: the virtual book's own stop-out (its
  estimated margin level is reported, the real book goes on), swaps and commissions of the
  virtual closes, a margin that is not proportional to the value held (hedged legs, tiers), and
  what the trader would have done differently. A restart starts a fresh virtual book (the earlier
  run's ledger stays in the journal under its run id).

Journal rows: `shadow_fill` (one per virtual fill) and `shadow_mark` (the ledger at each cycle and
at the stop); never `intent`, `result` or `slice` rows, which are real orders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from loguru import logger

from bridge.journal import Journal
from bridge.journal_kinds import JournalKind
from bridge.mt5 import constants as mt5c
from bridge.terminal import TerminalError, TerminalPort
from controller import Action, Snapshot
from controller.snapshot import Position, SymbolSpec

__all__ = ["NOT_MODELLED", "ShadowBook", "VirtualFill"]

NOT_MODELLED = ("the virtual book's own stop-out (its margin level is an estimate)",
                "swaps and commissions of the virtual closes",
                "margin not proportional to the value held (hedges, tiers)",
                "fill impact (the planner prices none)")
_TOL = 1e-9  # lots
_TICK_VALUE_MODES = (mt5c.SYMBOL_CALC_MODE_FUTURES, mt5c.SYMBOL_CALC_MODE_CFD,
                     mt5c.SYMBOL_CALC_MODE_CFDINDEX, mt5c.SYMBOL_CALC_MODE_CFDLEVERAGE,
                     mt5c.SYMBOL_CALC_MODE_EXCH_FUTURES)


def _size(spec: SymbolSpec) -> tuple[float, bool]:
    """(P/L of a price move of 1.0 on one lot, in profit currency or, when `True`, already in
    the account currency: the tick value)."""
    if spec.trade_calc_mode in _TICK_VALUE_MODES and spec.trade_tick_value > 0.0 and \
            spec.trade_tick_size > 0.0:
        return spec.trade_tick_value / spec.trade_tick_size, True
    return spec.trade_contract_size, False


@dataclass
class VirtualFill:
    """One slice the shadow closed: `volume` lots of `ticket` at `price` (UTC epoch `time`);
    `rate` converts the profit currency to the account currency at the fill; `mark`,
    `mark_rate` and `mark_time` are the hold leg's latest price; `closed` says the real position
    has closed since (the mark is then its closing price, frozen, and `closed_profit` the
    closing deals' profit per lot, account currency, as the broker booked it)."""

    ticket: int
    symbol: str
    sign: int
    volume: float
    price: float
    price_open: float
    time: float
    size: float
    rate: float
    mark: float
    mark_rate: float
    mark_time: float
    closed: str = ""
    closed_profit: float | None = None

    def realized(self) -> float:
        """What closing at the fill booked, in account currency."""
        return self.sign * self.volume * self.size * (self.price - self.price_open) * self.rate

    def held(self) -> float:
        """What holding the same lots is worth at the mark, in account currency (what the
        broker booked for them, once the real position has closed)."""
        if self.closed_profit is not None:
            return self.volume * self.closed_profit
        return self.sign * self.volume * self.size * (self.mark - self.price_open) * \
            self.mark_rate

    def saved(self) -> float:
        """Closing less holding (positive: the guard's close saved money), account currency."""
        return self.realized() - self.held()


class ShadowBook:
    """The virtual book of one shadow run."""

    def __init__(self, journal: Journal, stale_after_seconds: float) -> None:
        self.journal = journal
        self.stale_after = stale_after_seconds
        self.fills: list[VirtualFill] = []
        self.closed: dict[int, float] = {}  # ticket → virtual lots closed
        self.real_equity = 0.0
        self.real_margin_level: float | None = None
        self.shadow_margin_level: float | None = None
        self.min_real_level: float | None = None
        self.min_shadow_level: float | None = None
        self.stop_out_level = 0.0
        self.currency = ""
        self.marked_at = 0.0

    # -- the ledger --------------------------------------------------------------------------
    @property
    def lots(self) -> float:
        """Lots the shadow closed so far."""
        return sum(f.volume for f in self.fills)

    @property
    def saved(self) -> float:
        """Σ saved over the virtual fills, account currency (negative: the guard's closes cost)."""
        return sum(f.saved() for f in self.fills)

    def mark(self, snap: Snapshot, port: TerminalPort | None = None) -> None:
        """Mark the hold legs at the live quotes; end those whose real position has closed at
        its closing deals' price (read through `port`, the last mark without one)."""
        open_now = {p.ticket: p for p in snap.positions}
        for f in self.fills:
            if f.closed:
                continue
            market = snap.market.get(f.symbol)
            spec = snap.symbols.get(f.symbol)
            if f.ticket not in open_now:
                f.closed = self._closing_price(f, port)
                continue
            if market is None or spec is None:
                continue
            f.mark = market.bid if f.sign > 0 else market.ask
            f.mark_rate = 1.0 if _size(spec)[1] else snap.rates.get(spec.currency_profit,
                                                                  f.mark_rate)
            f.mark_time = market.time or snap.time
        self.marked_at = snap.time
        self.currency = snap.account.currency
        self.real_equity = snap.account.equity
        self.stop_out_level = snap.account.margin_so_so
        margin = snap.account.margin
        self.real_margin_level = 100.0 * snap.account.equity / margin if margin > 0 else None
        shadow_margin = margin * self._held_fraction(snap)
        self.shadow_margin_level = 100.0 * (snap.account.equity + self.saved) / shadow_margin \
            if shadow_margin > 0 else None
        for name, level in (("min_real_level", self.real_margin_level),
                            ("min_shadow_level", self.shadow_margin_level)):
            old = getattr(self, name)
            if level is not None and (old is None or level < old):
                setattr(self, name, level)

    def _closing_price(self, f: VirtualFill, port: TerminalPort | None) -> str:
        """Freeze `f`'s hold leg at the real position's closing price; say how it closed."""
        if port is None:
            return "closed (last mark)"
        try:
            deals = port.call("history_deals_get", position=f.ticket) or ()
        except TerminalError:
            deals = ()
        out = mt5c.DEAL_ENTRY_OUT
        outs = [d for d in deals if int(getattr(d, "entry", out)) == out and float(d.volume) > 0.0]
        if not outs:
            return "closed (last mark: no closing deal in the history)"
        volume = sum(float(d.volume) for d in outs)
        f.mark = sum(float(d.price) * float(d.volume) for d in outs) / volume
        f.closed_profit = sum(float(d.profit) for d in outs) / volume
        f.mark_time = port.clock.to_utc(float(max(int(d.time) for d in outs)))
        stop_out = any(int(getattr(d, "reason", 0)) == mt5c.DEAL_REASON_SO for d in outs)
        return "stopped out" if stop_out else "closed"

    def _held_fraction(self, snap: Snapshot) -> float:
        """Value the shadow still holds / value the real account holds (1 with no position)."""
        real = held = 0.0
        for p in snap.positions:
            spec = snap.symbols[p.symbol]
            value = spec.lot_value(snap.market[p.symbol].mid,
                                   snap.rates.get(spec.currency_profit, 0.0))
            real += p.volume * value
            held += max(p.volume - self.closed.get(p.ticket, 0.0), 0.0) * value
        return held / real if real > 0.0 else 1.0

    # -- decisions on the virtual book -------------------------------------------------------
    def view(self, snap: Snapshot) -> Snapshot:
        """`snap` as the shadow book stands: volumes less the virtual closes, equity plus what
        the closes saved, balance plus what they realized, margin scaled by the value held."""
        if not self.fills:
            return snap
        positions: list[Position] = []
        for p in snap.positions:
            left = p.volume - self.closed.get(p.ticket, 0.0)
            if left <= _TOL:
                continue
            share = left / p.volume if p.volume > 0.0 else 0.0
            positions.append(replace(p, volume=left, profit=p.profit * share,
                                     swap=p.swap * share))
        still_open = {p.ticket for p in snap.positions}
        realized = sum(f.realized() if f.ticket in still_open else f.saved()
                       for f in self.fills)
        acc = snap.account
        equity = acc.equity + self.saved
        balance = acc.balance + realized
        account = replace(acc, equity=equity, balance=balance, profit=equity - balance,
                          margin=acc.margin * self._held_fraction(snap))
        return replace(snap, account=account, positions=tuple(positions))

    # -- virtual execution -------------------------------------------------------------------
    def execute_due(self, plan: list[Action], snap: Snapshot | None, now: float) -> list[Action]:
        """Fill the due slices of `plan` virtually; return what is left of the plan."""
        if snap is None:
            return plan
        positions = {p.ticket: p for p in snap.positions}
        remaining: list[Action] = []
        for action in plan:
            if action.not_before > now:
                remaining.append(action)
                continue
            position = positions.get(action.ticket)
            market = snap.market.get(action.symbol)
            spec = snap.symbols.get(action.symbol)
            if position is None or market is None or spec is None:
                continue  # the real position has gone: nothing left to close virtually
            if market.time and snap.time - market.time > self.stale_after:
                remaining.append(action)  # no fresh quote to fill at: wait for one
                continue
            left = position.volume - self.closed.get(action.ticket, 0.0)
            steps = math.floor(min(action.volume, left) / spec.volume_step + 1e-6)
            volume = round(steps * spec.volume_step, 8)
            if volume <= _TOL:
                continue
            self._fill(action, position, spec, snap, volume)
        return remaining

    def _fill(self, action: Action, position: Position, spec: SymbolSpec, snap: Snapshot,
              volume: float) -> None:
        market = snap.market[action.symbol]
        sign = position.sign
        price = market.bid if sign > 0 else market.ask
        size, in_account = _size(spec)
        rate = 1.0 if in_account else snap.rates[spec.currency_profit]
        f = VirtualFill(ticket=action.ticket, symbol=action.symbol, sign=sign, volume=volume,
                        price=price, price_open=position.price_open, time=snap.time, size=size,
                        rate=rate, mark=price, mark_rate=rate, mark_time=market.time or snap.time)
        self.fills.append(f)
        self.closed[action.ticket] = self.closed.get(action.ticket, 0.0) + volume
        self.journal.append(JournalKind.SHADOW_FILL, snap.time, {
            "ticket": f.ticket, "symbol": f.symbol, "side": action.side, "sign": sign,
            "volume": volume, "price": price, "priced_at": "bid" if sign > 0 else "ask",
            "impact": 0.0, "quote_time": market.time, "price_open": f.price_open,
            "size": size, "rate": rate, "slice_index": action.slice_index,
            "slices": action.slices, "urgency": action.urgency.value, "reason": action.reason,
            "lots_closed": round(self.lots, 8)}, plan_id=action.plan_id, ticket=action.ticket)
        logger.info("shadow: would have closed {} lots of {} #{} at {} (slice {}/{})", volume,
                    f.symbol, f.ticket, price, action.slice_index, action.slices)

    # -- reporting ---------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """The ledger as plain data (money in account currency, levels in percent)."""
        real = self.real_equity
        return {
            "lots": round(self.lots, 8), "fills": len(self.fills), "saved": self.saved,
            "currency": self.currency, "marked_at": self.marked_at,
            "real_equity": real, "shadow_equity": real + self.saved,
            "real_margin_level": self.real_margin_level,
            "shadow_margin_level": self.shadow_margin_level,
            "min_real_margin_level": self.min_real_level,
            "min_shadow_margin_level": self.min_shadow_level,
            "stop_out_level": self.stop_out_level,
            "shadow_below_stop_out": self.min_shadow_level is not None and
            self.min_shadow_level <= self.stop_out_level,
            "legs": [{"ticket": f.ticket, "symbol": f.symbol, "volume": f.volume,
                      "price": f.price, "rate": f.rate, "mark": f.mark,
                      "mark_rate": f.mark_rate, "mark_time": f.mark_time,
                      "closed": f.closed, "closed_profit_per_lot": f.closed_profit,
                      "held": f.held(), "saved": f.saved()} for f in self.fills],
            "not_modelled": list(NOT_MODELLED),
        }

    def journal_mark(self, now: float) -> None:
        """A `shadow_mark` row: the ledger now."""
        self.journal.append(JournalKind.SHADOW_MARK, now, self.summary())
