"""The simulated broker's risk engine: margin, the account identities, and the per-tick stop-out
and SL/TP over the market's merged timeline.

Account identities (shared/reference/mt5-api.md §4.4): equity = balance + credit + profit;
margin_free = equity − margin; margin_level = equity / margin × 100 (0 when margin = 0). Money is
rounded to the account's 2 decimals as MT5 shows it.

Stop-out (§4.5): when margin_level ≤ margin_so_so (percent mode; in money mode when equity, or free
margin, ≤ margin_so_so) the position with the largest loss is closed at market, with reason SO and a
comment ``so: <level>%/<equity>/<margin>``, and the check repeats, one position at a time. If that
position's symbol has no quote (a no-quote window or a halt), nothing fills until its next quote,
which is the gap price. With negative balance protection a negative balance left with no open
position is reset to zero by a correction deal.

Between deals the engine scans the ticks in vectorised chunks (`bridge.sim.risk_series`) and
stops only on a tick where something triggers.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from bridge.mt5 import constants as c
from bridge.sim.account_now import AccountPlan, account_plan, profit_and_margin
from bridge.sim.broker import margin_per_lot
from bridge.sim.ledger import Ledger, SimPosition
from bridge.sim.quotes import MarketCursor
from bridge.sim.risk_series import F64, Legs, PositionKey, Prepared, prepare, series
from bridge.sim.scenario import AccountSpec

__all__ = ["CHUNK", "Legs", "RiskEngine"]

CHUNK = 1 << 16
_AHEAD = 256
"""Ticks a fresh scan looks ahead of the advance at least (it doubles up to CHUNK)."""
_EPS = 1e-9
_POSITION_KEY = attrgetter("ticket", "type", "volume", "price_open", "sl", "tp")
"""A position's part of the `Prepared` key (ticket, type, volume, open price, SL, TP)."""


@dataclass(frozen=True)
class _Scanned:
    """A scan's answer: with these positions' constants, cash and spec, no trigger on ticks
    [start, hit), a trigger at `hit` (hit == end: none before `end`)."""

    prep: Prepared
    cash: float
    spec: AccountSpec
    start: int
    end: int
    hit: int


@dataclass
class RiskEngine:
    """Margin and stop-out of one simulated account (`spec`) over its `ledger`."""

    spec: AccountSpec
    ledger: Ledger
    stop_outs: int = 0
    _blocked_until: int = -1
    _prep: Prepared | None = None
    _prep_spec: AccountSpec | None = None
    _scanned: _Scanned | None = None
    _state: tuple[tuple[int, Prepared, float, float],
                  tuple[float, float, float, float, float]] | None = None
    _ahead: int = _AHEAD
    _account_plan: AccountPlan | None = None

    @property
    def quotes(self) -> MarketCursor:
        return self.ledger.quotes

    # ---------------------------------------------------------------- margin
    def legs(self) -> dict[int, Legs]:
        """Per symbol index: the long and short legs of the open positions."""
        out: dict[int, Legs] = {}
        for p in self.ledger.positions:
            out.setdefault(p.sym, Legs()).add(p.type == c.POSITION_TYPE_BUY, p.volume,
                                              p.price_open)
        return out

    def symbol_margin_ccy(self, k: int, lg: Legs) -> tuple[float, str]:
        """Margin of a symbol's legs in its margin currency before the multiplier; and the side
        ('buy'/'sell') that sets the conversion rate."""
        spec = self.quotes.market.symbols[k]
        lev = float(self.spec.leverage)
        hedging = self.spec.margin_mode == c.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING
        pl = lg.al / lg.vl if lg.vl > _EPS else 0.0
        ps = lg.as_ / lg.vs if lg.vs > _EPS else 0.0
        side = "buy" if lg.vl >= lg.vs else "sell"
        rate = spec.margin_rate
        if not hedging or lg.vl <= _EPS or lg.vs <= _EPS:
            v, price = (lg.vl, pl) if lg.vl > _EPS else (lg.vs, ps)
            return float(margin_per_lot(spec, price, lev)) * v * rate, side
        if spec.margin_hedged_use_leg:
            m = max(
                float(margin_per_lot(spec, pl, lev)) * lg.vl,
                float(margin_per_lot(spec, ps, lev)) * lg.vs,
            )
            return m * rate, side
        covered = min(lg.vl, lg.vs)
        big_v, big_p = (lg.vl, pl) if lg.vl >= lg.vs else (lg.vs, ps)
        m = float(margin_per_lot(spec, big_p, lev)) * (big_v - covered)
        m += float(margin_per_lot(spec, 0.5 * (pl + ps), lev, hedged=True)) * covered
        return m * rate, side

    def margin(self, legs: dict[int, Legs] | None = None, i: int | None = None) -> float:
        """Margin of `legs` (default: the open positions) at tick i, account currency."""
        if legs is None:  # the open positions' margin-currency amounts are in `_prepared()`
            return self._margin_of(self._prepared(), self.quotes.tick_index() if i is None else i)
        rows = [(k, *self.symbol_margin_ccy(k, lg)) for k, lg in legs.items()]
        total = 0.0
        for k, m, side in rows:
            if m > 0:
                spec = self.quotes.market.symbols[k]
                total += self.quotes.convert(m * self.quotes.margin_mult(k, i),
                                             spec.currency_margin, side, i)
        return round(total, 2)

    def _margin_of(self, prep: Prepared, i: int) -> float:
        """Margin of the positions `prep` describes at tick i, account currency: `margin` of
        the open positions, the same terms summed in the same order."""
        q = self.quotes
        total = 0.0
        for r in prep.rows:
            m = r.margin_ccy
            if m > 0:
                total += q.convert(m * q.margin_mult(r.k, i), r.currency_margin,
                                   "buy" if r.buy else "sell", i)
        return round(total, 2)

    def state(self, i: int | None = None) -> tuple[float, float, float, float, float]:
        """(profit, equity, margin, margin_free, margin_level) at tick i (default: now).

        Kept for the next call at the same tick: it depends only on that tick's quotes (the
        read-only market), the positions' constants (`_prepared()`, rebuilt when a position
        changes), the balance and the credit, all compared before the kept value is served."""
        ledger = self.ledger
        i = self.quotes.tick_index() if i is None else i
        prep = self._prepared()
        key = (i, prep, ledger.balance, ledger.credit)
        if self._state is not None and self._state[0] == key:
            return self._state[1]
        profit, margin = profit_and_margin(self._plan(prep), ledger, i)
        equity = round(ledger.balance + ledger.credit + profit, 2)
        level = equity / margin * 100.0 if margin > 0 else 0.0
        out = profit, equity, margin, round(equity - margin, 2), level
        self._state = (key, out)
        return out

    def _plan(self, prep: Prepared) -> AccountPlan:
        """The account plan of `prep` (kept while the positions' `Prepared`, the market and the
        account currency are the ones it was made from: it is a function of those alone)."""
        plan = self._account_plan
        market, ccy = self.quotes.market, self.quotes.currency
        if plan is None or plan.prep is not prep or plan.market is not market \
                or plan.currency != ccy:
            plan = account_plan(prep, self.ledger, market, ccy)
            self._account_plan = plan
        return plan

    def stop_out_hit(self, equity: float, margin: float) -> bool:
        """Whether the account's stop-out level is reached."""
        so = self.spec.margin_so_so
        if self.spec.margin_so_mode == c.ACCOUNT_STOPOUT_MODE_PERCENT:
            return margin > 0 and equity * 100.0 <= so * margin
        if self.spec.money_stop_out_on == "margin_free":
            return margin > 0 and equity - margin <= so
        return margin > 0 and equity <= so

    # ---------------------------------------------------------------- the per-tick engine
    def run_to(self, j: int) -> None:
        """Play merged ticks [cursor, j): revalue on every tick, act on stop-out and SL/TP."""
        q = self.quotes
        while q.cursor < j:
            if not self.ledger.positions:
                q.cursor = j
                break
            i0 = max(q.cursor, self._blocked_until)
            if i0 >= j:
                q.cursor = j
                break
            hit, end = self._next_trigger(i0, j)
            if hit >= j or hit >= end:
                q.cursor = min(j, end)
                continue
            q.cursor = hit + 1
            self.act(hit)

    def _next_trigger(self, i0: int, j: int) -> tuple[int, int]:
        """(first tick ≥ i0 where the stop-out or an SL/TP triggers, end of the ticks scanned):
        no trigger on [i0, hit); hit == end when none was found before `end` (> i0).

        A scan looks ahead of `j` (up to `CHUNK` ticks, doubling while the account stays the
        same), so that the next advances under the same positions and cash only read the answer.
        The answer cannot be stale: every tick's equity and margin depend only on that tick's
        quotes (read-only market arrays) and on the positions' constants (`Prepared`, rebuilt
        when any ticket, side, volume, open price, SL or TP changes), the cash and the account
        spec, all checked against the scan's before it is reused; per tick the arithmetic is
        the same whatever the window, so the first trigger is the tick the per-tick loop finds.
        """
        prep = self._prepared()
        cash = self.ledger.balance + self.ledger.credit
        s = self._scanned
        same = s is not None and s.prep is prep and s.cash == cash and s.spec is self.spec
        if s is not None and same and s.start <= i0 <= s.hit and i0 < s.end:
            return s.hit, s.end
        self._ahead = min(2 * self._ahead, CHUNK) if same else _AHEAD
        size = self.quotes.market.size
        end = min(size, i0 + max(min(j - i0, CHUNK), self._ahead))
        hit = self._scan(i0, end)
        s = _Scanned(prep, cash, self.spec, i0, end, end if hit < 0 else hit)
        self._scanned = s
        return s.hit, s.end

    def _prepared(self) -> Prepared:
        """Per-symbol constants of the current positions (cached until the positions change)."""
        positions = self.ledger.positions
        key: PositionKey = tuple(map(_POSITION_KEY, positions))
        if self._prep is None or self._prep.key != key or self._prep_spec is not self.spec:
            self._prep_spec = self.spec
            self._prep = prepare(key, self.legs(), positions, self.quotes.market,
                                 self.spec.currency, self.symbol_margin_ccy)
        return self._prep

    def series(self, i0: int, i1: int) -> tuple[F64, F64, int]:
        """Equity and margin (account currency, unrounded) on ticks [i0, i1) with the current
        positions, and the offset of the first SL/TP trigger (i1 − i0 if none). Vectorised."""
        ledger = self.ledger
        return series(self._prepared(), self.quotes.market, self.spec.currency,
                      ledger.balance + ledger.credit, i0, i1)

    def _scan(self, i0: int, i1: int) -> int:
        """First tick in [i0, i1) where the stop-out or an SL/TP triggers, else −1."""
        equity, margin, first = self.series(i0, i1)
        so = self.spec.margin_so_so
        if self.spec.margin_so_mode == c.ACCOUNT_STOPOUT_MODE_PERCENT:
            hit = (margin > 0) & (equity * 100.0 <= so * margin * (1 + 1e-12))
        elif self.spec.money_stop_out_on == "margin_free":
            hit = (margin > 0) & (equity - margin <= so)
        else:
            hit = (margin > 0) & (equity <= so)
        if hit.any():
            first = min(first, int(np.argmax(hit)))
        return i0 + first if first < i1 - i0 else -1

    def act(self, i: int) -> None:
        """Run SL/TP and the stop-out loop at tick i (the cursor must be i + 1)."""
        t_ms = int(self.quotes.market.time_msc[i])
        self._stops(t_ms)
        if not self._stop_out_loop(i, t_ms):
            return
        self._blocked_until = -1
        ledger = self.ledger
        if not ledger.positions and ledger.balance < 0 and self.spec.negative_balance_protection:
            ledger.balance_deal(
                -ledger.balance, t_ms, c.DEAL_TYPE_CORRECTION, "negative balance protection"
            )

    def _stops(self, t_ms: int) -> None:
        """Close the positions whose SL or TP the current quotes reach."""
        t_s = t_ms / 1000.0
        for p in list(self.ledger.positions):
            if (p.sl > 0 or p.tp > 0) and self.quotes.quoted(p.sym, t_s):
                bid, ask = self.quotes.quote(p.sym)
                px = bid if p.type == c.POSITION_TYPE_BUY else ask
                sgn = 1.0 if p.type == c.POSITION_TYPE_BUY else -1.0
                if p.sl > 0 and sgn * (px - p.sl) <= 0:
                    self._close(p, t_ms, c.DEAL_REASON_SL, f"[sl {p.sl}]")
                elif p.tp > 0 and sgn * (px - p.tp) >= 0:
                    self._close(p, t_ms, c.DEAL_REASON_TP, f"[tp {p.tp}]")

    def _stop_out_loop(self, i: int, t_ms: int) -> bool:
        """Close the worst position while the stop-out level holds; False when the worst one's
        symbol has no quote (nothing fills before its next tick, where the scan resumes)."""
        t_s = t_ms / 1000.0
        ledger = self.ledger
        while ledger.positions:
            _, equity, margin, _, level = self.state()
            if not self.stop_out_hit(equity, margin):
                break
            worst = min(ledger.positions, key=lambda p: (ledger.position_profit(p), p.ticket))
            if not self.quotes.quoted(worst.sym, t_s):
                self._blocked_until = self._next_tick_of(worst.sym, i)
                return False
            self._close(
                worst, t_ms, c.DEAL_REASON_SO, f"so: {level:.1f}%/{equity:.2f}/{margin:.2f}"
            )
            self.stop_outs += 1
        return True

    def _next_tick_of(self, k: int, i: int) -> int:
        """Merged index of symbol k's next quote after tick i (the market size if none)."""
        market = self.quotes.market
        j = int(market.pos[k, min(i, market.size - 1)])
        if j + 1 >= len(market.streams[k].time_msc):
            return market.size
        return int(np.searchsorted(market.pos[k], j + 1, side="left"))

    def _close(self, p: SimPosition, t_ms: int, reason: int, comment: str) -> None:
        side = c.ORDER_TYPE_SELL if p.type == c.POSITION_TYPE_BUY else c.ORDER_TYPE_BUY
        price = self.quotes.fill_price(p.sym, side, p.volume, t_ms / 1000.0)
        self.ledger.deal(k=p.sym, side=side, volume=p.volume, price=price, t_ms=t_ms,
                         reason=reason, magic=p.magic, comment=comment, position=p)
