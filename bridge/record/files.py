"""Data files of a recording, in the layouts bridge/sim/replay/readers.py reads.

- ticks: `time_utc,bid,ask,bid_volume,ask_volume` (the `dukascopy_ticks` layout), gzipped, times
  ISO-8601 UTC to the millisecond, prices written exactly (Python's shortest repr);
- bars: `time_server,open,high,low,close,tick_volume` (the `ohlc` layout of the MT5-broker files
  in ../shared/data), bar open times on the broker's server clock, bid prices.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from bridge.servertime import ServerClock

__all__ = ["folder_bytes", "write_bars", "write_ticks"]


def write_ticks(path: Path, ticks: npt.NDArray[np.void], clock: ServerClock) -> int:
    """Write `copy_ticks_*` rows (server-clock `time_msc`) as UTC ticks; rows without a usable
    quote (bid ≤ 0 or ask < bid) are left out. Returns the number of ticks written."""
    keep = (ticks["bid"] > 0) & (ticks["ask"] >= ticks["bid"])
    ticks = ticks[keep]
    server_ms = ticks["time_msc"].astype(np.int64)
    utc_s = clock.to_utc_array(server_ms // 1000)
    utc_ms = utc_s * 1000 + server_ms % 1000
    stamps = np.datetime_as_string(utc_ms.astype("datetime64[ms]"), unit="ms")
    frame = pd.DataFrame({
        "time_utc": np.char.add(stamps.astype(str), "Z"),
        "bid": ticks["bid"].astype(np.float64),
        "ask": ticks["ask"].astype(np.float64),
        "bid_volume": np.zeros(len(ticks)),
        "ask_volume": np.zeros(len(ticks)),
    })
    frame.to_csv(path, index=False, compression={"method": "gzip", "mtime": 0})
    return len(frame)


def write_bars(path: Path, rates: npt.NDArray[np.void]) -> int:
    """Write `copy_rates_*` rows (bar open on the server clock, bid OHLC), gzipped when the name
    ends in .gz. Returns the count."""
    stamps = np.datetime_as_string(rates["time"].astype(np.int64).astype("datetime64[s]"),
                                   unit="s")
    frame = pd.DataFrame({
        "time_server": np.char.replace(stamps.astype(str), "T", " "),
        "open": rates["open"].astype(np.float64),
        "high": rates["high"].astype(np.float64),
        "low": rates["low"].astype(np.float64),
        "close": rates["close"].astype(np.float64),
        "tick_volume": rates["tick_volume"].astype(np.int64),
    })
    if path.name.endswith(".gz"):
        frame.to_csv(path, index=False, compression={"method": "gzip", "mtime": 0})
    else:
        frame.to_csv(path, index=False)
    return len(frame)


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under `folder`."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
