"""Record a connected terminal into a scenario folder, a UTC day at a time (bridge/record)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bridge.mt5 import constants as mt5c
from bridge.mt5.records import AccountInfo, SymbolInfo, TradePosition
from bridge.record.files import folder_bytes, write_bars, write_ticks
from bridge.record.margin import measured_margin_rates
from bridge.record.scenario_file import DataFile, ScenarioText, scenario_text
from bridge.terminal import TerminalError, TerminalPort

__all__ = ["HISTORY_DAYS", "RecordError", "Recording", "Window", "record"]

DAY = 86_400
HISTORY_DAYS = {"D1": 400, "H4": 180}
"""Days of bars recorded before the first tick, per timeframe (as ../shared/data/*/history)."""


class RecordError(ValueError):
    """Something the user can fix (a symbol the terminal does not know, a folder in use)."""


@dataclass(frozen=True)
class Window:
    """The replay window (UTC epoch seconds) and the ticks recorded before it for the warm-up."""

    start: float
    end: float
    warmup_hours: float

    @property
    def first(self) -> float:
        """The first instant recorded: `start` − the warm-up."""
        return self.start - self.warmup_hours * 3600.0


@dataclass(frozen=True)
class Recording:
    """What was written: the scenario file, ticks and M1 bars per symbol, the folder's bytes."""

    scenario: Path
    ticks: dict[str, int]
    m1_bars: dict[str, int]
    history_bars: dict[str, int]
    bytes: int


def _days(window: Window) -> list[tuple[float, float]]:
    """The UTC days the recording spans, each cut to [first, end]."""
    day = math.floor(window.first / DAY) * DAY
    out = []
    while day < window.end:
        out.append((max(day, window.first), min(day + DAY, window.end)))
        day += DAY
    return out


def _date(t: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d")


def _symbols(port: TerminalPort, wanted: Sequence[str], account: AccountInfo,
             positions: Sequence[TradePosition]) -> tuple[list[str], list[str]]:
    """The symbols to record: the wanted ones, the held ones, and the pairs that convert their
    profit and margin currencies to the account currency; with a note for each one added."""
    names = list(dict.fromkeys([*wanted, *(str(p.symbol) for p in positions)]))
    notes = [f"{n}: held, recorded too" for n in names if n not in wanted]
    infos = {}
    for name in names:
        try:
            infos[name] = port.call("symbol_info", name)
        except TerminalError:
            raise RecordError(f"symbol {name!r}: the terminal does not know it (check the "
                              "name in its Market Watch, e.g. a broker suffix such as "
                              "EURUSD.m)") from None
    currencies = {str(getattr(i, k)) for i in infos.values()
                  for k in ("currency_profit", "currency_margin")}
    for extra in port.conversion_symbols(str(account.currency), sorted(currencies)):
        if extra not in names:
            names.append(extra)
            notes.append(f"{extra}: converts a currency to {account.currency}, recorded too")
    return names, notes


def _rows(port: TerminalPort, function: str, *args: object) -> npt.NDArray[np.void]:
    """`copy_ticks_range` / `copy_rates_range` rows; a terminal that answers None for a range
    without data (anything but a lost connection) gives no rows, a lost connection raises."""
    try:
        rows: npt.NDArray[np.void] = port.call(function, *args)
    except TerminalError as exc:
        if exc.connection_lost:
            raise
        return np.zeros(0, dtype=[("time", "<i8"), ("time_msc", "<i8"), ("bid", "<f8"),
                                  ("ask", "<f8")])
    return rows


def _median_spread(spreads: list[npt.NDArray[np.float64]], point: float) -> float | None:
    joined = np.concatenate(spreads) if spreads else np.zeros(0)
    if not len(joined) or point <= 0:
        return None
    return float(round(float(np.median(joined)) / point, 1))


@dataclass
class _Tally:
    """What the days recorded so far wrote, per symbol (filled day by day)."""

    names: list[str]
    files: list[DataFile] = field(default_factory=list)
    ticks: dict[str, int] = field(default_factory=dict)
    m1: dict[str, int] = field(default_factory=dict)
    spreads: dict[str, list[npt.NDArray[np.float64]]] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)
    """server s of each symbol's first tick (or M1 bar) recorded"""

    def __post_init__(self) -> None:
        self.ticks = dict.fromkeys(self.names, 0)
        self.m1 = dict.fromkeys(self.names, 0)
        self.spreads = {n: [] for n in self.names}


def _record_day(port: TerminalPort, out: Path, name: str, day: tuple[float, float], last: bool,
                tally: _Tally) -> str:
    """One symbol's ticks of one UTC day `day` (and its M1 bars: the replay expands them into
    ticks on a day without ticks) into `out`; what was written, for the progress line. The
    day's end belongs to the next day unless it is the `last`."""
    clock = port.clock
    a, b = day
    sa, sb = int(clock.to_server(a)), int(clock.to_server(b))
    rows = _rows(port, "copy_ticks_range", name, sa, sb, mt5c.COPY_TICKS_ALL)
    rows = rows[(rows["time_msc"] < sb * 1000) | last]  # the next day has its boundary
    n = 0
    if len(rows):
        rel = f"{name}_ticks_lca-record_{_date(a)}_UTC.csv.gz"
        n = write_ticks(out / rel, rows, clock)
        if n:
            tally.files.append(DataFile("data", name, rel, "dukascopy_ticks"))
            tally.first.setdefault(name, int(rows["time_msc"][0]) // 1000)
            tally.spreads[name].append(rows["ask"] - rows["bid"])
        else:
            (out / rel).unlink()
    bars = _rows(port, "copy_rates_range", name, mt5c.TIMEFRAME_M1, sa, sb)
    bars = bars[(bars["time"] < sb) | last]
    if len(bars):
        rel = f"{name}_M1_lca-record_{_date(a)}_servertime.csv.gz"
        tally.m1[name] += write_bars(out / rel, bars)
        if not n:  # no ticks this day: the replay expands the M1 bars into ticks
            tally.files.append(DataFile("data", name, rel, "ohlc"))
            tally.first.setdefault(name, int(bars["time"][0]))
    tally.ticks[name] += n
    return (f"{name} {n:,} ticks" if n else
            f"{name} {len(bars):,} M1 bars" if len(bars) else f"{name} nothing")


def record(port: TerminalPort, window: Window, wanted: Sequence[str], out: Path, *,
           source: str, progress: Callable[[str], None] = lambda _: None) -> Recording:
    """Record `wanted` (plus the held and conversion symbols) over `window` into `out`."""
    if (out / "scenario.toml").exists():
        raise RecordError(f"{out} already holds a recording (scenario.toml): choose another "
                          "--out or remove it")
    account: AccountInfo = port.call("account_info")
    positions: list[TradePosition] = list(port.call("positions_get"))
    names, notes = _symbols(port, wanted, account, positions)
    for note in notes:
        progress(note)
    (out / "history").mkdir(parents=True, exist_ok=True)
    tally = _Tally(names)
    infos: dict[str, SymbolInfo] = {n: port.call("symbol_info", n) for n in names}
    days = _days(window)
    for k, day in enumerate(days, 1):
        said = [_record_day(port, out, name, day, k == len(days), tally) for name in names]
        progress(f"day {k}/{len(days)} {_date(day[0])}: {' · '.join(said)} "
                 f"({folder_bytes(out) / 1e6:.1f} MB)")
    missing = [n for n in names if n not in tally.first]
    if missing:
        raise RecordError(f"the terminal served no ticks and no M1 bars of {', '.join(missing)} "
                          f"between {_date(window.first)} and {_date(window.end)}: open its "
                          "chart once (a terminal downloads history on demand) or choose "
                          "another window")
    history = _history(port, tally.first, out, tally.files)
    sc = ScenarioText(
        name=f"recording-{_date(window.start)}",
        description=f"Recorded from the {source} terminal: {', '.join(names)}, "
                    f"{_date(window.start)} to {_date(window.end)} (UTC).",
        start=window.start, end=window.end, warmup_hours=window.warmup_hours, clock=port.clock,
        account=account, symbols=[infos[n] for n in names],
        spread_points={n: s for n in names
                       if (s := _median_spread(tally.spreads[n], float(infos[n].point)))
                       is not None},
        book_level_lots=_book_levels(port, names), files=tally.files,
        positions=[p for p in positions if str(p.symbol) in names],
        header=["Recorded by `lca record` (docs/scenarios.md \"Record your terminal\").",
                "Replay: uv run lca run --scenario <this file>"])
    path = out / "scenario.toml"
    path.write_text(scenario_text(sc), encoding="utf-8")
    sc.margin_rate = measured_margin_rates(port, path, names)
    if sc.margin_rate:
        progress("margin rate measured (order_calc_margin): " + ", ".join(
            f"{n} {r:g}" for n, r in sc.margin_rate.items()))
        path.write_text(scenario_text(sc), encoding="utf-8")
    return Recording(path, tally.ticks, tally.m1, history, folder_bytes(out))


def _history(port: TerminalPort, first: dict[str, int], out: Path,
             files: list[DataFile]) -> dict[str, int]:
    """D1 and H4 bars before each symbol's first recorded tick (`first`: server s) → history/
    and [[history]]: the replay serves them before its ticks, as the terminal did."""
    counts = dict.fromkeys(first, 0)
    for name, t0 in first.items():
        for tf, days in HISTORY_DAYS.items():
            since = (t0 - days * DAY) // DAY * DAY  # whole server days: a replay resamples
            rates = _rows(port, "copy_rates_range", name,  # D1 from H4 where both are
                          getattr(mt5c, f"TIMEFRAME_{tf}"), since, t0)
            rates = rates[rates["time"] < t0]
            if not len(rates):
                continue
            a, b = int(rates["time"][0]), int(rates["time"][-1])
            rel = f"history/{name}_{tf}_lca-record_{_date(a)}_to_{_date(b)}_servertime.csv"
            counts[name] += write_bars(out / rel, rates)
            files.append(DataFile("history", name, rel, "ohlc"))
    return counts


def _book_levels(port: TerminalPort, names: Sequence[str]) -> dict[str, float]:
    """The median lots per level of each symbol's book now (where the broker publishes one)."""
    out: dict[str, float] = {}
    for name in names:
        try:
            if not port.mt5.market_book_add(name):
                continue
            rows = port.mt5.market_book_get(name) or ()
            port.mt5.market_book_release(name)
        except (AttributeError, TerminalError):
            continue
        lots = [float(r.volume_dbl) for r in rows if float(r.volume_dbl) > 0]
        if lots:
            out[name] = float(np.median(lots))
    return out
