"""The market at the replay cursor: the quotes every part of the simulated broker reads.

`MarketCursor.cursor` counts the merged ticks played (the next tick to play); the current quotes
are those of tick `cursor − 1`. Prices in quote units, money converted to the account currency
at the rate the broker would use (`convert`), fills at the volume-weighted price of a market
order walking the square-root book (`fill_price`, bridge.sim.broker).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.mt5 import constants as c
from bridge.sim.broker import impact_vwap_offset
from bridge.sim.market import Market
from bridge.sim.scenario import BrokerPolicy

__all__ = ["MarketCursor", "weekend"]


@dataclass
class MarketCursor:
    """The replay position in `market` and the quotes there; `currency` is the account's."""

    market: Market
    currency: str
    broker: BrokerPolicy
    cursor: int = 0
    _frame_i: int = field(default=-1, repr=False)
    _frame_of: tuple[Market, str] | None = field(default=None, repr=False)
    _quotes: dict[int, tuple[float, float]] = field(default_factory=dict, repr=False)
    _rates: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)

    def tick_index(self) -> int:
        """Index of the last played tick (the current quotes)."""
        return max(self.cursor - 1, 0)

    def _at(self, i: int) -> None:
        """Keep the quotes and conversion rates of tick i only: each depends on that tick of
        the read-only market arrays alone (and the account currency), so what is kept for
        (i, market, currency) cannot be stale; another tick, market or currency clears it."""
        of = self._frame_of
        if i != self._frame_i or of is None or of[0] is not self.market or of[1] != self.currency:
            self._frame_i = i
            self._frame_of = (self.market, self.currency)
            self._quotes.clear()
            self._rates.clear()

    def quote(self, k: int, i: int | None = None) -> tuple[float, float]:
        """(bid, ask) of symbol k at merged tick i (default: now)."""
        i = self.tick_index() if i is None else i
        self._at(i)
        q = self._quotes.get(k)
        if q is None:
            st = self.market.streams[k]
            j = int(self.market.pos[k, i])
            q = float(st.bid[j]), float(st.ask[j])
            self._quotes[k] = q
        return q

    def quotes_at(self, ks: tuple[int, ...], i: int) -> dict[int, tuple[float, float]]:
        """`quote(k, i)` of each symbol k in `ks` (kept alike for the other reads of tick i)."""
        self._at(i)
        kept = self._quotes
        out: dict[int, tuple[float, float]] = {}
        for k in ks:
            q = kept.get(k)
            if q is None:
                st = self.market.streams[k]
                j = int(self.market.pos[k, i])
                q = kept[k] = float(st.bid[j]), float(st.ask[j])
            out[k] = q
        return out

    def margin_mult(self, k: int, i: int | None = None) -> float:
        """The replay's margin multiplier of symbol k at tick i (1 = the normal rate)."""
        i = self.tick_index() if i is None else i
        return float(self.market.streams[k].margin_mult[int(self.market.pos[k, i])])

    def sigma(self, k: int, i: int | None = None) -> float:
        """Daily volatility (fraction) of symbol k at tick i, floored at its normal volatility."""
        i = self.tick_index() if i is None else i
        st = self.market.streams[k]
        return max(float(st.sigma[int(self.market.pos[k, i])]), st.spec.daily_volatility)

    def convert(self, amount: float, src: str, side: str, i: int | None = None) -> float:
        """Convert to the account currency; side 'profit' (unfavourable), 'buy' or 'sell'."""
        i = self.tick_index() if i is None else i
        self._at(i)
        rates = self._rates.get(src)
        if rates is None:
            rates = self.market.converter.quote_rates(src, self.currency,
                                                      lambda k: self.quote(k, i))
            self._rates[src] = rates
        lo, hi = rates
        if side == "profit":
            return float(amount * (lo if amount >= 0 else hi))
        return float(amount * (hi if side == "buy" else lo))

    def quoted(self, k: int, t_s: float) -> bool:
        """Whether symbol k can trade at UTC time t_s: not in a no-quote window or the weekend
        close, and quoted within the broker's `quote_timeout_s`."""
        st = self.market.streams[k]
        if st.no_quotes and st.no_quotes.covers(t_s):
            return False
        if self.broker.weekend_close and weekend(t_s):
            return False
        j = int(self.market.pos[k, self.tick_index()])
        return t_s - int(st.time_msc[j]) / 1000.0 <= self.broker.quote_timeout_s

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


def weekend(t_s: float) -> bool:
    """Fri 21:00 UTC – Sun 21:00 UTC, when FX does not trade."""
    day = (int(t_s // 86400) + 4) % 7
    hour = (t_s % 86400) / 3600
    return (day == 5 and hour >= 21) or day == 6 or (day == 0 and hour < 21)
