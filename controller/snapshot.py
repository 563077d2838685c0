"""Plain snapshot values: what the controller knows about an account at one instant.

Field names follow the MetaTrader5 namedtuples (`AccountInfo`, `SymbolInfo`, `TradePosition`,
`BookInfo`) so a snapshot can be dumped from a live terminal. Money is in the account currency,
volumes in lots, prices in the symbol's quote currency, times in UTC epoch seconds.

Values are checked when a `Snapshot` is built (directly or with `make_snapshot`): a NaN or
non-positive price, a negative volume or a position whose symbol has no spec raises
`SnapshotError` naming the field. Equity ≤ 0 is *not* an
error: it is the INSOLVENT state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from controller.prop_history import PropHistory
from controller.quick_init import quick_init
from controller.settings import SymbolClass
from controller.snapshot_checks import check_convertible, check_fields

__all__ = [
    "Account",
    "BookLevel",
    "Event",
    "MarketState",
    "Position",
    "Snapshot",
    "SymbolSpec",
    "guess_symbol_class",
    "make_snapshot",
]

ACCOUNT_MARGIN_MODE_RETAIL_NETTING = 0
ACCOUNT_MARGIN_MODE_RETAIL_HEDGING = 2
POSITION_TYPE_BUY = 0
POSITION_TYPE_SELL = 1
BOOK_TYPE_SELL = 1
BOOK_TYPE_BUY = 2
# SYMBOL_CALC_MODE_ FUTURES, CFD, CFDINDEX, CFDLEVERAGE, EXCH_FUTURES: valued by tick value
_TICK_VALUE_MODES = frozenset({1, 2, 3, 4, 33})


@quick_init
@dataclass(frozen=True, slots=True)
class Account:
    """The `AccountInfo` fields the model reads. Money in the account currency.

    `margin_so_call` / `margin_so_so` are percent of margin level when `margin_so_mode` is 0
    (MT5 `ACCOUNT_STOPOUT_MODE_PERCENT`), account currency when it is 1.
    """

    login: int
    currency: str
    balance: float
    equity: float
    margin: float
    margin_so_call: float
    margin_so_so: float
    margin_so_mode: int = 0
    margin_mode: int = ACCOUNT_MARGIN_MODE_RETAIL_HEDGING
    leverage: float = 100.0
    trade_mode: int = 0
    credit: float = 0.0
    profit: float = 0.0

    @property
    def hedging(self) -> bool:
        """True on a hedging account (close by ticket); False on netting (opposite deal)."""
        return self.margin_mode == ACCOUNT_MARGIN_MODE_RETAIL_HEDGING


@quick_init
@dataclass(frozen=True, slots=True)
class SymbolSpec:
    """The `SymbolInfo` fields the model reads. Volumes in lots."""

    name: str
    trade_contract_size: float
    volume_min: float
    volume_step: float
    volume_max: float
    currency_base: str
    currency_profit: str
    currency_margin: str
    trade_calc_mode: int = 0
    path: str = ""
    symbol_class: SymbolClass = SymbolClass.MAJOR_FX
    trade_tick_value: float = 0.0
    """Value of one tick of one lot in the account currency (0 = unknown)."""
    trade_tick_size: float = 0.0
    """Price step of one tick, price units (0 = unknown)."""

    def lot_value(self, mid: float, profit_rate: float) -> float:
        """Account-currency value of one lot at price `mid` (DESIGN §3.1 position value).

        Futures, CFD and index modes (calc modes 1, 2, 3, 4, 33): price × tick value / tick size,
        when the terminal gives both; otherwise, and for forex modes: contract size × price ×
        `profit_rate` (the account-currency value of one unit of the profit currency).
        """
        if self.trade_calc_mode in _TICK_VALUE_MODES and self.trade_tick_value > 0.0 \
                and self.trade_tick_size > 0.0:
            return mid * self.trade_tick_value / self.trade_tick_size
        return self.trade_contract_size * mid * profit_rate


@quick_init
@dataclass(frozen=True, slots=True)
class Position:
    """The `TradePosition` fields the model reads. `type` 0 = buy, 1 = sell; `volume` in lots."""

    ticket: int
    symbol: str
    type: int
    volume: float
    price_open: float
    price_current: float
    profit: float = 0.0
    swap: float = 0.0
    time: int = 0
    magic: int = 0

    @property
    def sign(self) -> int:
        """+1 for a long position, −1 for a short one."""
        return 1 if self.type == POSITION_TYPE_BUY else -1


@quick_init
@dataclass(frozen=True, slots=True)
class BookLevel:
    """One `BookInfo` row: `type` 1 = sell (ask side), 2 = buy (bid side); `volume` in lots."""

    type: int
    price: float
    volume: float


@quick_init
@dataclass(frozen=True, slots=True)
class MarketState:
    """Current market of one symbol.

    `book` is the broker's depth of market, or None where the broker publishes none. `bid_depth`
    / `ask_depth` (lots, top N levels) may come from the EA's telemetry instead. `margin_rate` is
    the required margin per unit notional (fraction) from `order_calc_margin`, when the bridge
    measured it. `slippage_ratio` is the observed slippage of recent reductions divided by the
    impact model's estimate (1 = as modelled), when there were any.
    """

    bid: float
    ask: float
    time: float = 0.0
    book: tuple[BookLevel, ...] | None = None
    bid_depth: float | None = None
    ask_depth: float | None = None
    margin_rate: float | None = None
    slippage_ratio: float | None = None

    @property
    def mid(self) -> float:
        """(bid + ask) / 2, in the symbol's quote currency."""
        return 0.5 * (self.bid + self.ask)

    @property
    def spread(self) -> float:
        """Ask − bid, in the symbol's quote currency."""
        return self.ask - self.bid


@quick_init
@dataclass(frozen=True, slots=True)
class Event:
    """A scheduled event (DESIGN §3.5): caps of symbols in `currencies` are multiplied by
    `cap_factor` from `lead_minutes` before `time` until `after_minutes` after it."""

    time: float
    currencies: tuple[str, ...]
    cap_factor: float
    lead_minutes: float = 1440.0
    after_minutes: float = 60.0
    label: str = ""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One instant of an account, checked when it is built.

    Build it directly or with `make_snapshot` (the same thing with iterables accepted): every
    field is checked on construction and a bad one raises `SnapshotError` naming it
    (``market.EURUSD.bid``), so a snapshot that exists is one the model can use. `positions` and
    `events` are stored as tuples, `symbols` and `market` as copies.

    `rates` is computed, never passed: it maps a currency to its value in the account currency
    (1 unit of it = rate units of the account currency), derived from the quotes of the symbols in
    `market` (`conversion_rates`). A position whose profit currency no quote converts is refused.
    """

    time: float
    account: Account
    symbols: Mapping[str, SymbolSpec]
    positions: tuple[Position, ...]
    market: Mapping[str, MarketState]
    events: tuple[Event, ...] = ()
    rates: Mapping[str, float] = field(init=False, default_factory=dict)
    prop_history: PropHistory | None = None
    """The prop figures the terminal's deal history gives (controller.prop_history), if read."""

    def __post_init__(self) -> None:
        """Take copies of the mappings and sequences, check every field (`SnapshotError` names the
        first bad one) and compute the currency conversion rates."""
        object.__setattr__(self, "symbols", dict(self.symbols))
        object.__setattr__(self, "market", dict(self.market))
        object.__setattr__(self, "positions", tuple(self.positions))
        object.__setattr__(self, "events", tuple(self.events))
        object.__setattr__(self, "rates", _checked_rates(self))


_MAJORS = frozenset({"USD", "EUR", "JPY", "GBP", "CAD", "CHF"})
_CRYPTO = ("BTC", "ETH", "LTC", "XRP", "SOL", "ADA", "DOGE", "BCH")
_INDEX_WORDS = ("US30", "US500", "SPX", "NAS", "USTEC", "GER", "DE40", "DAX", "UK100", "FTSE",
                "JP225", "NIKKEI", "FRA40", "EU50", "STOXX", "AUS200", "HK50")
_COMMODITY_WORDS = ("XAG", "XPT", "XPD", "OIL", "WTI", "BRENT", "NGAS", "COPPER", "USOIL",
                    "UKOIL")


def guess_symbol_class(name: str, path: str, base: str, profit: str, calc_mode: int) -> SymbolClass:
    """The ESMA class of a symbol from its name, path and currencies.

    Forex calculation modes (0, 5) with both currencies among USD, EUR, JPY, GBP, CAD, CHF are
    major pairs; other forex pairs are minor. Gold, index, commodity and crypto names are
    recognised by common broker spellings; everything else counts as an equity (the strictest
    class but crypto). Override in `[safe_leverage.symbol_classes]`.
    """
    upper = f"{path}\\{name}".upper()
    if "XAU" in upper or "GOLD" in upper:
        return SymbolClass.GOLD
    if any(word in upper for word in _CRYPTO) or "CRYPTO" in upper:
        return SymbolClass.CRYPTO
    if any(word in upper for word in _COMMODITY_WORDS):
        return SymbolClass.OTHER_COMMODITY
    if any(word in upper for word in _INDEX_WORDS) or "INDIC" in upper or "INDEX" in upper:
        return SymbolClass.MAJOR_INDEX
    if calc_mode in (0, 5) or "FOREX" in upper:
        if base in _MAJORS and profit in _MAJORS:
            return SymbolClass.MAJOR_FX
        return SymbolClass.MINOR_FX
    return SymbolClass.EQUITY


def conversion_rates(account_currency: str, symbols: Iterable[SymbolSpec],
                     market: Mapping[str, MarketState]) -> dict[str, float]:
    """Value of one unit of each reachable currency in the account currency.

    Direct pairs (XXX/ACC) multiply by the mid, inverse pairs (ACC/XXX) divide; currencies reached
    only through a third currency are converted through it (one hop is enough for FX books).
    """
    rates: dict[str, float] = {account_currency: 1.0}
    pairs = [(s.currency_base, s.currency_profit, market[s.name].mid)
             for s in symbols if s.name in market and s.currency_base and s.currency_profit]
    for _ in range(3):  # direct, then one and two hops through known currencies
        grew = False
        for base, quote, mid in pairs:
            if base not in rates and quote in rates:
                rates[base] = mid * rates[quote]
                grew = True
            elif quote not in rates and base in rates:
                rates[quote] = rates[base] / mid
                grew = True
        if not grew:
            break
    return rates


def _checked_rates(snap: Snapshot) -> dict[str, float]:
    """Check every field of `snap` and return its currency conversion table."""
    check_fields(snap)
    rates = conversion_rates(snap.account.currency, snap.symbols.values(), snap.market)
    check_convertible(snap, rates)
    return rates


def make_snapshot(
    time: float,
    account: Account,
    symbols: Mapping[str, SymbolSpec],
    positions: Iterable[Position],
    market: Mapping[str, MarketState],
    events: Iterable[Event] = (),
) -> Snapshot:
    """Build a `Snapshot` from any iterables: every field is checked, the rates computed."""
    return Snapshot(time=time, account=account, symbols=symbols, positions=tuple(positions),
                    market=market, events=tuple(events))
