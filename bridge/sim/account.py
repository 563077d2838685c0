"""The simulated broker's book-keeping: positions, orders, deals, balance, and the per-tick risk
engine (revaluation, margin call, stop-out, SL/TP) over the market's merged timeline.

Account identities (shared/reference/mt5-api.md §4.4): equity = balance + credit + profit;
margin_free = equity − margin; margin_level = equity / margin × 100 (0 when margin = 0). Money is
rounded to the account's 2 decimals as MT5 shows it. Swaps and commissions are not modelled.

Stop-out (§4.5): when margin_level ≤ margin_so_so (percent mode; in money mode when equity, or free
margin, ≤ margin_so_so) the position with the largest loss is closed at market, with reason SO and a
comment ``so: <level>%/<equity>/<margin>``, and the check repeats, one position at a time. If that
position's symbol has no quote (a no-quote window or a halt), nothing fills until its next quote,
which is the gap price. With negative balance protection a negative balance left with no open
position is reset to zero by a correction deal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bridge.mt5 import constants as c
from bridge.mt5.records import TradeDeal, TradeOrder, TradePosition
from bridge.sim.broker import impact_vwap_offset, margin_per_lot, profit_factor
from bridge.sim.market import Market
from bridge.sim.scenario import AccountSpec, BrokerPolicy

__all__ = ["Account", "Position"]

F64 = npt.NDArray[np.float64]
CHUNK = 1 << 16
_EPS = 1e-9


@dataclass
class Position:
    ticket: int
    sym: int
    type: int
    volume: float
    price_open: float
    time_msc: int
    time_update_msc: int
    magic: int
    reason: int
    comment: str
    sl: float = 0.0
    tp: float = 0.0


@dataclass
class _Legs:
    """Per symbol: long and short volume (lots) and Σ volume × open price."""

    vl: float = 0.0
    al: float = 0.0
    vs: float = 0.0
    as_: float = 0.0


@dataclass(frozen=True)
class _Prepared:
    key: tuple[tuple[int, int, float, float, float, float], ...]
    rows: tuple[tuple[int, float, _Legs, str, str, float, bool], ...]
    need: tuple[int, ...]
    stops: tuple[tuple[int, bool, float, float], ...]


@dataclass
class Account:
    """Mutable account state of one SimTerminal. Times are server-clock ms in records."""

    spec: AccountSpec
    broker: BrokerPolicy
    market: Market
    to_server_ms: Callable[[int], int]
    balance: float = 0.0
    credit: float = 0.0
    positions: list[Position] = field(default_factory=list)
    deals: list[TradeDeal] = field(default_factory=list)
    orders: list[TradeOrder] = field(default_factory=list)
    cursor: int = 0
    next_order: int = 50_000_001
    next_deal: int = 40_000_001
    stop_outs: int = 0
    _blocked_until: int = -1
    _prep: _Prepared | None = None

    # ---------------------------------------------------------------- prices at the cursor
    def tick_index(self) -> int:
        """Index of the last played tick (the current quotes)."""
        return max(self.cursor - 1, 0)

    def quote(self, k: int, i: int | None = None) -> tuple[float, float]:
        i = self.tick_index() if i is None else i
        st = self.market.streams[k]
        j = int(self.market.pos[k, i])
        return float(st.bid[j]), float(st.ask[j])

    def _quotes(self, i: int) -> tuple[dict[int, float], dict[int, float]]:
        bid, ask = {}, {}
        for k in range(len(self.market.streams)):
            bid[k], ask[k] = self.quote(k, i)
        return bid, ask

    def margin_mult(self, k: int, i: int | None = None) -> float:
        i = self.tick_index() if i is None else i
        return float(self.market.streams[k].margin_mult[int(self.market.pos[k, i])])

    def sigma(self, k: int, i: int | None = None) -> float:
        i = self.tick_index() if i is None else i
        st = self.market.streams[k]
        return max(float(st.sigma[int(self.market.pos[k, i])]), st.spec.daily_volatility)

    # ---------------------------------------------------------------- money
    def convert(self, amount: float, src: str, side: str, i: int | None = None) -> float:
        """Convert to the account currency; side 'profit' (unfavourable), 'buy' or 'sell'."""
        i = self.tick_index() if i is None else i
        conv = self.market.converter
        bid, ask = {}, {}
        for k in conv.symbols_for(src, self.spec.currency):
            bid[k], ask[k] = self.quote(k, i)
        lo, hi = conv.rates(src, self.spec.currency, bid, ask)
        if side == "profit":
            return float(amount * (lo if amount >= 0 else hi))
        return float(amount * (hi if side == "buy" else lo))

    def position_profit(self, p: Position, i: int | None = None) -> float:
        spec = self.market.symbols[p.sym]
        bid, ask = self.quote(p.sym, i)
        move = (bid - p.price_open) if p.type == c.POSITION_TYPE_BUY else (p.price_open - ask)
        raw = move * profit_factor(spec) * p.volume
        return round(self.convert(raw, spec.currency_profit, "profit", i), 2)

    def legs(self) -> dict[int, _Legs]:
        out: dict[int, _Legs] = {}
        for p in self.positions:
            lg = out.setdefault(p.sym, _Legs())
            if p.type == c.POSITION_TYPE_BUY:
                lg.vl += p.volume
                lg.al += p.volume * p.price_open
            else:
                lg.vs += p.volume
                lg.as_ += p.volume * p.price_open
        return out

    def symbol_margin_ccy(self, k: int, lg: _Legs) -> tuple[float, str]:
        """Margin of a symbol's legs in its margin currency before the multiplier; and the side
        ('buy'/'sell') that sets the conversion rate."""
        spec = self.market.symbols[k]
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

    def margin(self, legs: dict[int, _Legs] | None = None, i: int | None = None) -> float:
        total = 0.0
        for k, lg in (self.legs() if legs is None else legs).items():
            m, side = self.symbol_margin_ccy(k, lg)
            if m > 0:
                spec = self.market.symbols[k]
                total += self.convert(m * self.margin_mult(k, i), spec.currency_margin, side, i)
        return round(total, 2)

    def state(self, i: int | None = None) -> tuple[float, float, float, float, float]:
        """(profit, equity, margin, margin_free, margin_level) at tick i (default: now)."""
        profit = round(sum(self.position_profit(p, i) for p in self.positions), 2)
        equity = round(self.balance + self.credit + profit, 2)
        margin = self.margin(None, i)
        level = equity / margin * 100.0 if margin > 0 else 0.0
        return profit, equity, margin, round(equity - margin, 2), level

    def stop_out_hit(self, equity: float, margin: float) -> bool:
        so = self.spec.margin_so_so
        if self.spec.margin_so_mode == c.ACCOUNT_STOPOUT_MODE_PERCENT:
            return margin > 0 and equity * 100.0 <= so * margin
        if self.spec.money_stop_out_on == "margin_free":
            return margin > 0 and equity - margin <= so
        return margin > 0 and equity <= so

    def margin_call(self) -> bool:
        _, equity, margin, _, level = self.state()
        if self.spec.margin_so_mode == c.ACCOUNT_STOPOUT_MODE_PERCENT:
            return margin > 0 and level <= self.spec.margin_so_call
        return margin > 0 and equity <= self.spec.margin_so_call

    # ---------------------------------------------------------------- quotes available?
    def quoted(self, k: int, t_s: float) -> bool:
        st = self.market.streams[k]
        if st.no_quotes and bool(st.no_quotes.contains(t_s)):
            return False
        if self.broker.weekend_close and weekend(t_s):
            return False
        j = int(self.market.pos[k, self.tick_index()])
        return bool(t_s - st.time_msc[j] / 1000.0 <= self.broker.quote_timeout_s)

    # ---------------------------------------------------------------- fills
    def fill_price(self, k: int, side: int, volume: float, t_s: float) -> float:
        """VWAP of a market order walking the square-root book (side: ORDER_TYPE_BUY/SELL)."""
        spec = self.market.symbols[k]
        st = self.market.streams[k]
        bid, ask = self.quote(k)
        d = max(float(st.depth.at(t_s)), 1e-4)
        off = impact_vwap_offset(
            volume,
            level_lots=spec.book_level_lots * d,
            coef=self.broker.impact_coefficient,
            sigma_d=self.sigma(k),
            price=ask if side == c.ORDER_TYPE_BUY else bid,
            daily_volume_lots=spec.daily_volume_lots * d,
        )
        px = ask + off if side == c.ORDER_TYPE_BUY else max(bid - off, spec.point)
        return round(px, spec.digits)

    def deal(
        self,
        *,
        k: int,
        side: int,
        volume: float,
        price: float,
        t_ms: int,
        reason: int,
        magic: int,
        comment: str,
        position: Position | None,
        type_filling: int = 0,
    ) -> tuple[int, int, Position | None]:
        """Book one market deal; returns (deal ticket, order ticket, the resulting position)."""
        spec = self.market.symbols[k]
        order = self.next_order
        self.next_order += 1
        server_ms = int(self.to_server_ms(t_ms))
        entry, profit, pos_id = c.DEAL_ENTRY_IN, 0.0, order
        if position is not None and position.type != side:
            closing = min(volume, position.volume)
            move = (
                (price - position.price_open)
                if position.type == c.POSITION_TYPE_BUY
                else (position.price_open - price)
            )
            profit = round(
                self.convert(move * profit_factor(spec) * closing, spec.currency_profit, "profit"),
                2,
            )
            pos_id = position.ticket
            position.volume = round(position.volume - closing, 8)
            position.time_update_msc = server_ms
            entry = c.DEAL_ENTRY_OUT
            rest = round(volume - closing, 8)
            if position.volume <= _EPS:
                self.positions.remove(position)
                if rest > _EPS:  # netting reversal: the same position id, the other side
                    entry = c.DEAL_ENTRY_INOUT
                    position.volume, position.type, position.price_open = rest, side, price
                    position.time_msc = server_ms
                    self.positions.append(position)
                else:
                    position = None
        elif position is not None:  # netting: add to the same side
            tot = position.volume + volume
            position.price_open = round(
                (position.price_open * position.volume + price * volume) / tot, spec.digits + 3
            )
            position.volume = round(tot, 8)
            position.time_update_msc = server_ms
            pos_id = position.ticket
        else:
            position = Position(
                order,
                k,
                side,
                round(volume, 8),
                price,
                server_ms,
                server_ms,
                magic,
                min(reason, c.POSITION_REASON_EXPERT),
                comment,
            )
            self.positions.append(position)
        self.balance = round(self.balance + profit, 2)
        ticket = self.next_deal
        self.next_deal += 1
        self.deals.append(
            TradeDeal(
                ticket,
                order,
                server_ms // 1000,
                server_ms,
                c.DEAL_TYPE_BUY if side == c.ORDER_TYPE_BUY else c.DEAL_TYPE_SELL,
                entry,
                magic,
                pos_id,
                reason,
                volume,
                price,
                0.0,
                0.0,
                profit,
                0.0,
                spec.name,
                comment,
                "",
            )
        )
        self.orders.append(
            TradeOrder(
                order,
                server_ms // 1000,
                server_ms,
                server_ms // 1000,
                server_ms,
                0,
                side,
                c.ORDER_TIME_GTC,
                type_filling,
                c.ORDER_STATE_FILLED,
                magic,
                pos_id,
                0,
                min(reason, c.ORDER_REASON_SO),
                volume,
                0.0,
                price,
                0.0,
                0.0,
                price,
                0.0,
                spec.name,
                comment,
                "",
            )
        )
        return ticket, order, position

    def balance_deal(self, amount: float, t_ms: int, kind: int, comment: str) -> None:
        server_ms = int(self.to_server_ms(t_ms))
        self.balance = round(self.balance + amount, 2)
        self.deals.append(
            TradeDeal(
                self.next_deal,
                0,
                server_ms // 1000,
                server_ms,
                kind,
                c.DEAL_ENTRY_IN,
                0,
                0,
                0,
                0.0,
                0.0,
                0.0,
                0.0,
                round(amount, 2),
                0.0,
                "",
                comment,
                "",
            )
        )
        self.next_deal += 1

    def position_record(self, p: Position) -> TradePosition:
        spec = self.market.symbols[p.sym]
        bid, ask = self.quote(p.sym)
        return TradePosition(
            p.ticket,
            p.time_msc // 1000,
            p.time_msc,
            p.time_update_msc // 1000,
            p.time_update_msc,
            p.type,
            p.magic,
            p.ticket,
            p.reason,
            p.volume,
            p.price_open,
            p.sl,
            p.tp,
            bid if p.type == c.POSITION_TYPE_BUY else ask,
            0.0,
            self.position_profit(p),
            spec.name,
            p.comment,
            "",
        )

    # ---------------------------------------------------------------- the per-tick engine
    def run_to(self, j: int) -> None:
        """Play merged ticks [cursor, j): revalue on every tick, act on stop-out and SL/TP."""
        while self.cursor < j:
            if not self.positions:
                self.cursor = j
                break
            i0 = max(self.cursor, self._blocked_until)
            if i0 >= j:
                self.cursor = j
                break
            hit = self._scan(i0, min(j, i0 + CHUNK))
            if hit < 0:
                self.cursor = min(j, i0 + CHUNK)
                continue
            self.cursor = hit + 1
            self.act(hit)

    def _prepared(self) -> _Prepared:
        """Per-symbol constants of the current positions (cached until the positions change)."""
        key = tuple((p.ticket, p.type, p.volume, p.price_open, p.sl, p.tp) for p in self.positions)
        if self._prep is not None and self._prep.key == key:
            return self._prep
        m = self.market
        conv = m.converter
        acc = self.spec.currency
        rows = []
        need: set[int] = set()
        for k, lg in self.legs().items():
            spec = m.symbols[k]
            mccy, side = self.symbol_margin_ccy(k, lg)
            rows.append(
                (
                    k,
                    profit_factor(spec),
                    lg,
                    spec.currency_profit,
                    spec.currency_margin,
                    mccy,
                    side == "buy",
                )
            )
            need.add(k)
            need.update(conv.symbols_for(spec.currency_profit, acc))
            need.update(conv.symbols_for(spec.currency_margin, acc))
        stops = tuple(
            (p.sym, p.type == c.POSITION_TYPE_BUY, p.sl, p.tp)
            for p in self.positions
            if p.sl > 0 or p.tp > 0
        )
        self._prep = _Prepared(key, tuple(rows), tuple(sorted(need)), stops)
        return self._prep

    def series(self, i0: int, i1: int) -> tuple[F64, F64, int]:
        """Equity and margin (account currency, unrounded) on ticks [i0, i1) with the current
        positions, and the offset of the first SL/TP trigger (i1 − i0 if none). Vectorised."""
        m = self.market
        conv = m.converter
        acc = self.spec.currency
        prep = self._prepared()
        n = i1 - i0
        pos = m.pos[:, i0:i1]
        bid: dict[int, F64] = {}
        ask: dict[int, F64] = {}
        for k in prep.need:
            idx = pos[k]
            st = m.streams[k]
            bid[k], ask[k] = st.bid[idx], st.ask[idx]
        equity = np.full(n, self.balance + self.credit)
        margin = np.zeros(n)
        for k, pf, lg, ccy_p, ccy_m, mccy, buy in prep.rows:
            lo, hi = conv.rates(ccy_p, acc, bid, ask)
            legs = []
            if lg.vl > _EPS:
                legs.append(pf * (lg.vl * bid[k] - lg.al))
            if lg.vs > _EPS:
                legs.append(pf * (lg.as_ - lg.vs * ask[k]))
            for raw in legs:  # each leg at its unfavourable rate (no conversion: rate 1)
                equity += raw if ccy_p == acc else raw * np.where(raw >= 0, lo, hi)
            if mccy > 0:
                mm = m.streams[k].margin_mult[pos[k]]
                if ccy_m == acc:
                    margin += mccy * mm
                else:
                    mlo, mhi = conv.rates(ccy_m, acc, bid, ask)
                    margin += (mccy * mm) * (mhi if buy else mlo)
        first = n
        for k, is_buy, sl, tp in prep.stops:
            px = bid[k] if is_buy else ask[k]
            sgn = 1.0 if is_buy else -1.0
            trig = np.zeros(n, dtype=bool)
            if sl > 0:
                trig |= sgn * (px - sl) <= 0
            if tp > 0:
                trig |= sgn * (px - tp) >= 0
            if trig.any():
                first = min(first, int(np.argmax(trig)))
        return equity, margin, first

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
        t_ms = int(self.market.time_msc[i])
        t_s = t_ms / 1000.0
        for p in list(self.positions):
            if (p.sl > 0 or p.tp > 0) and self.quoted(p.sym, t_s):
                bid, ask = self.quote(p.sym)
                px = bid if p.type == c.POSITION_TYPE_BUY else ask
                sgn = 1.0 if p.type == c.POSITION_TYPE_BUY else -1.0
                if p.sl > 0 and sgn * (px - p.sl) <= 0:
                    self._close(p, t_ms, c.DEAL_REASON_SL, f"[sl {p.sl}]")
                elif p.tp > 0 and sgn * (px - p.tp) >= 0:
                    self._close(p, t_ms, c.DEAL_REASON_TP, f"[tp {p.tp}]")
        while self.positions:
            _, equity, margin, _, level = self.state()
            if not self.stop_out_hit(equity, margin):
                break
            worst = min(self.positions, key=lambda p: (self.position_profit(p), p.ticket))
            if not self.quoted(worst.sym, t_s):
                nxt = self._next_tick_of(worst.sym, i)
                self._blocked_until = nxt
                return
            self._close(
                worst, t_ms, c.DEAL_REASON_SO, f"so: {level:.1f}%/{equity:.2f}/{margin:.2f}"
            )
            self.stop_outs += 1
        self._blocked_until = -1
        if not self.positions and self.balance < 0 and self.spec.negative_balance_protection:
            self.balance_deal(
                -self.balance, t_ms, c.DEAL_TYPE_CORRECTION, "negative balance protection"
            )

    def _next_tick_of(self, k: int, i: int) -> int:
        """Merged index of symbol k's next quote after tick i (the market size if none)."""
        j = int(self.market.pos[k, min(i, self.market.size - 1)])
        if j + 1 >= len(self.market.streams[k].time_msc):
            return self.market.size
        return int(np.searchsorted(self.market.pos[k], j + 1, side="left"))

    def _close(self, p: Position, t_ms: int, reason: int, comment: str) -> None:
        side = c.ORDER_TYPE_SELL if p.type == c.POSITION_TYPE_BUY else c.ORDER_TYPE_BUY
        price = self.fill_price(p.sym, side, p.volume, t_ms / 1000.0)
        self.deal(
            k=p.sym,
            side=side,
            volume=p.volume,
            price=price,
            t_ms=t_ms,
            reason=reason,
            magic=p.magic,
            comment=comment,
            position=p,
        )


def weekend(t_s: float) -> bool:
    """Fri 21:00 UTC – Sun 21:00 UTC, when FX does not trade."""
    day = (int(t_s // 86400) + 4) % 7
    hour = (t_s % 86400) / 3600
    return (day == 5 and hour >= 21) or day == 6 or (day == 0 and hour < 21)
