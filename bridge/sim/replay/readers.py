"""Readers for the market-data layouts in shared/data (PROVENANCE.md), all returning UTC times.

Layouts (detected from the file, or named with `fmt`):
- ``dukascopy_ticks``: CSV ``time_utc,bid,ask,bid_volume,ask_volume`` (optionally gzipped);
- ``bi5``: Dukascopy's raw LZMA hour file, records ``>IIIff`` = (ms offset, ask, bid, ask volume,
  bid volume) with integer prices ÷ `price_scale`; the hour comes from the path
  ``…/YYYY/MM/DD/HHh_ticks.bi5`` (months 0-based, as Dukascopy writes them);
- ``ohlc``: CSV bars with a time column ``time_utc`` / ``time_server`` / ``time_utcminus5`` and
  either ``open,high,low,close`` (bid) or ``bid_open…`` with or without ``ask_open…``, optional
  ``tick_volume`` / ``bid_volume`` / ``volume``;
- ``mt5_ticks`` / ``mt5_bars``: the MT5 export layouts, tab-separated ``<DATE> <TIME> <BID> <ASK>
  <LAST> <VOLUME> <FLAGS>`` (a blank side is unchanged: forward-filled) and ``<DATE> <TIME> <OPEN>
  <HIGH> <LOW> <CLOSE> <TICKVOL> <VOL> <SPREAD>`` (spread in points).

Time zones: ``time_utc`` is UTC, ``time_utcminus5`` a fixed UTC-5, ``time_server`` the broker's
server clock (a `ServerClock` is required); MT5 layouts carry no zone, so `time_zone` says it
(``"utc"``, ``"server"`` or ``"utc+H"`` / ``"utc-H"``; PROVENANCE: the converted files are UTC).
"""

from __future__ import annotations

import lzma
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from bridge.sim.replay.clock import ServerClock

__all__ = ["FORMATS", "Bars", "Ticks", "read_market_file"]

FORMATS = ("auto", "dukascopy_ticks", "bi5", "ohlc", "mt5_ticks", "mt5_bars")

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Ticks:
    """Quotes in time order: `time_msc` UTC epoch milliseconds, `bid` and `ask` prices."""

    time_msc: I64
    bid: F64
    ask: F64
    modelled: bool = False


@dataclass(frozen=True, eq=False)
class Bars:
    """Bid bars: `time` UTC epoch seconds of the bar open, `period` seconds, bid OHLC.

    `spread` is ask − bid per bar in price units when the source has the ask (or an MT5 spread
    column), else None; `tick_volume` the source's tick count or volume, else None.
    """

    time: I64
    period: int
    open: F64
    high: F64
    low: F64
    close: F64
    spread: F64 | None = None
    tick_volume: F64 | None = None


def _zone_offset_s(zone: str) -> int | None:
    """Fixed offset in seconds for 'utc' / 'utc+H' / 'utc-H'; None for 'server'."""
    z = zone.lower().replace(" ", "")
    if z == "server":
        return None
    if z == "utc":
        return 0
    m = re.fullmatch(r"utc([+-])(\d+(?:\.\d+)?)", z)
    if not m:
        raise ValueError(
            f"time_zone = {zone!r} is not understood; use 'utc', 'server', 'utc+H' or 'utc-H'"
        )
    sign = 1 if m.group(1) == "+" else -1
    return sign * round(float(m.group(2)) * 3600)


def _to_utc_ms(local_ms: I64, zone: str, clock: ServerClock | None, source: Path) -> I64:
    off = _zone_offset_s(zone)
    if off is not None:
        return local_ms - off * 1000
    if clock is None:
        raise ValueError(f"{source}: times are in server time; the scenario needs [server_time]")
    secs = local_ms // 1000
    return (clock.to_utc_array(secs) * 1000 + (local_ms - secs * 1000)).astype(np.int64)


def _parse_times(col: pd.Series) -> I64:
    """Naive wall-clock strings (ISO, with or without 'Z') → epoch ms of that wall clock."""
    s = col.astype(str).str.replace("Z", "", regex=False).str.replace("T", " ", regex=False)
    dt = pd.to_datetime(s, format="ISO8601")
    out: I64 = np.asarray(dt.to_numpy(dtype="datetime64[ms]").astype(np.int64), dtype=np.int64)
    return out


def _detect(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".bi5"):
        return "bi5"
    head = (
        pd.read_csv(path, nrows=0, sep=None, engine="python")
        if not name.endswith(".gz")
        else pd.read_csv(path, nrows=0)
    )
    cols = [str(c).strip().lower() for c in head.columns]
    if cols and cols[0].startswith("<date>"):
        return "mt5_ticks" if any("<bid>" in c for c in cols) else "mt5_bars"
    if "bid" in cols and "ask" in cols:
        return "dukascopy_ticks"
    return "ohlc"


def read_market_file(
    path: str | Path,
    *,
    fmt: str = "auto",
    time_zone: str = "auto",
    clock: ServerClock | None = None,
    price_scale: float = 1e5,
) -> Ticks | Bars:
    """Read one market-data file into UTC `Ticks` or `Bars` (see the module docstring).

    `price_scale` divides the integer prices of a .bi5 file (1e5 for 5-digit FX, 1e3 for JPY pairs).
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"market data file not found: {p}")
    if fmt not in FORMATS:
        raise ValueError(f"format = {fmt!r} is not a known layout; use one of {FORMATS}")
    kind = _detect(p) if fmt == "auto" else fmt
    if kind == "bi5":
        return _read_bi5(p, price_scale)
    if kind in ("mt5_ticks", "mt5_bars"):
        return _read_mt5(p, kind, "utc" if time_zone == "auto" else time_zone, clock)
    df = pd.read_csv(p)
    df.columns = [str(c).strip().lower() for c in df.columns]
    tcol = next((c for c in df.columns if c.startswith("time")), None)
    if tcol is None:
        raise ValueError(f"{p}: no time column (time_utc, time_server or time_utcminus5)")
    if time_zone == "auto":
        time_zone = {"time_utc": "utc", "time_server": "server", "time_utcminus5": "utc-5"}.get(
            tcol, "utc"
        )
    t_ms = _to_utc_ms(_parse_times(df[tcol]), time_zone, clock, p)
    if kind == "dukascopy_ticks":
        return _finish_ticks(t_ms, df["bid"].to_numpy(float), df["ask"].to_numpy(float), p)
    return _ohlc_from_frame(df, t_ms, p)


def _check_order(t: I64, source: Path, what: str, strict: bool) -> None:
    """Times must increase (strictly for bars; ticks may share a millisecond): a file out of
    order or with repeated bars is refused, naming the first bad row (1 = the first data row)."""
    d = np.diff(t)
    bad = np.flatnonzero(d <= 0) if strict else np.flatnonzero(d < 0)
    if len(bad):
        i = int(bad[0]) + 1
        kind = "repeats" if d[i - 1] == 0 else "goes back from"
        raise ValueError(f"{source}: {what} time {kind} the row before at data row {i + 1} "
                         f"(t = {int(t[i])}): sort the file by time and drop duplicate rows")


def _finish_ticks(t_ms: I64, bid: F64, ask: F64, source: Path) -> Ticks:
    _check_order(t_ms, source, "tick", strict=False)
    bad = ~(np.isfinite(bid) & np.isfinite(ask) & (bid > 0) & (ask > 0))
    if bad.any():
        raise ValueError(f"{source}: {int(bad.sum())} ticks with a missing or non-positive price "
                         f"(first at data row {int(np.flatnonzero(bad)[0]) + 1}): is the file "
                         "truncated?")
    return Ticks(t_ms.astype(np.int64), bid.astype(np.float64), ask.astype(np.float64))


def _period(t_s: I64, source: Path) -> int:
    if len(t_s) < 2:
        raise ValueError(f"{source}: need at least two bars to infer the bar period")
    d = np.diff(t_s)
    d = d[d > 0]
    return int(d.min()) if len(d) else 60


def _ohlc_from_frame(df: pd.DataFrame, t_ms: I64, source: Path) -> Bars:
    pre = "bid_" if "bid_open" in df.columns else ""
    need = [pre + k for k in ("open", "high", "low", "close")]
    missing = [k for k in need if k not in df.columns]
    if missing:
        raise ValueError(f"{source}: missing bar columns {missing}")
    o, h, lo, c = (df[k].to_numpy(float) for k in need)
    for name, col in zip(need, (o, h, lo, c), strict=True):
        bad = ~(np.isfinite(col) & (col > 0))
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            raise ValueError(f"{source}: column {name} is missing or not a positive price at "
                             f"data row {row}: is the file truncated?")
    _check_order(t_ms // 1000, source, "bar", strict=True)
    spread = None
    if "ask_open" in df.columns and "ask_close" in df.columns:
        s = 0.5 * ((df["ask_open"].to_numpy(float) - o) + (df["ask_close"].to_numpy(float) - c))
        spread = np.maximum(s, 0.0)
    vol_col = next((k for k in ("tick_volume", "bid_volume", "volume") if k in df.columns), None)
    vol = df[vol_col].to_numpy(float) if vol_col else None
    t_s = t_ms // 1000
    order = np.argsort(t_s, kind="stable")
    return Bars(
        time=t_s[order].astype(np.int64),
        period=_period(t_s[order], source),
        open=o[order],
        high=h[order],
        low=lo[order],
        close=c[order],
        spread=None if spread is None else spread[order],
        tick_volume=None if vol is None else vol[order],
    )


def _decimals(values: pd.Series) -> int:
    s = values.dropna().astype(str).head(500)
    return max((len(x.split(".")[1]) if "." in x else 0) for x in s) if len(s) else 5


def _read_mt5(path: Path, kind: str, zone: str, clock: ServerClock | None) -> Ticks | Bars:
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    df.columns = [c.strip().strip("<>").lower() for c in df.columns]
    stamp = df["date"].str.replace(".", "-", regex=False) + " " + df["time"]
    t_ms = _to_utc_ms(_parse_times(stamp), zone, clock, path)
    if kind == "mt5_ticks":
        bid = pd.to_numeric(df["bid"].replace("", np.nan)).ffill().bfill()
        ask = pd.to_numeric(df["ask"].replace("", np.nan)).ffill().bfill()
        return _finish_ticks(t_ms, bid.to_numpy(float), ask.to_numpy(float), path)
    frame = pd.DataFrame({k: pd.to_numeric(df[k]) for k in ("open", "high", "low", "close")})
    bars = _ohlc_from_frame(frame, t_ms, path)
    point = 10.0 ** -_decimals(df["open"])
    spread = pd.to_numeric(df["spread"]).to_numpy(float) * point if "spread" in df else None
    vol = pd.to_numeric(df["tickvol"]).to_numpy(float) if "tickvol" in df else None
    return Bars(bars.time, bars.period, bars.open, bars.high, bars.low, bars.close, spread, vol)


_BI5_PATH = re.compile(r"(\d{4})[/\\](\d{2})[/\\](\d{2})[/\\](\d{2})h_ticks\.bi5$")
_BI5_RECORD = struct.Struct(">IIIff")


def _read_bi5(path: Path, price_scale: float) -> Ticks:
    m = _BI5_PATH.search(path.as_posix())
    if not m:
        raise ValueError(
            f"{path}: a .bi5 path must end in YYYY/MM/DD/HHh_ticks.bi5 (month 0-based)"
        )
    y, mo, d, h = (int(g) for g in m.groups())
    hour_ms = int(pd.Timestamp(year=y, month=mo + 1, day=d, hour=h).value // 1_000_000)
    raw = path.read_bytes()
    data = lzma.decompress(raw) if raw else b""
    rec = np.frombuffer(
        data,
        dtype=np.dtype(
            [("ms", ">u4"), ("ask", ">u4"), ("bid", ">u4"), ("askv", ">f4"), ("bidv", ">f4")]
        ),
    )
    t = hour_ms + rec["ms"].astype(np.int64)
    return _finish_ticks(t, rec["bid"] / price_scale, rec["ask"] / price_scale, path)
