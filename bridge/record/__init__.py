"""`lca record`: a terminal's bars, ticks, specs, account levels and book → a scenario folder.

The folder is a scenario of the simulated terminal (docs/scenarios.md "Record your terminal"):
`scenario.toml` plus data files in the layouts the replay already reads (bridge/sim/replay/
readers.py): ticks as `dukascopy_ticks` CSV (gzipped, one file per symbol and UTC day), M1 bars
and the D1/H4 history as `ohlc` CSV on the server clock, like ../shared/data/*/history.
"""

from __future__ import annotations

from bridge.record.recorder import RecordError, Recording, Window, record

__all__ = ["RecordError", "Recording", "Window", "record"]
