"""The EA's telemetry under a running guard: a bad value never blinds the guard.

Telemetry is read field by field (issue 11, item 3): a negative or non-finite depth, a quote stamp
in the future or ancient, discards that one symbol's telemetry with one warning and the symbol
falls back to the proxy depth; the snapshot is never rejected, so the guard keeps deciding, keeps
publishing its limits and keeps the heartbeat the EA's fail-safe watches. A telemetry file
stamped in the future is stale (it is not fresh forever). The guard runs on the simulated
terminal with the EA link on; the telemetry file is written as the EA writes it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from loguru import logger

from bridge.app import build_guard
from bridge.config import EaSettings
from bridge.ealink import (
    LIMITS_FILE,
    TELEMETRY_FILE,
    EaLink,
    EaTelemetry,
    SymbolTelemetry,
    format_telemetry,
    parse_limits,
)
from bridge.sim import SimTerminal
from tests.reliability.harness import FIGURES, config

SYMBOL = "USDJPY"  # the simulated broker publishes no book for it: EA depth applies


def _ea_guard(tmp_path: Path) -> tuple[Any, SimTerminal, EaLink]:
    cfg = config(tmp_path).model_copy(update={"ea": EaSettings(enabled=True)})
    sim = SimTerminal.from_scenario("flash-gbp-2016")
    (tmp_path / "ea").mkdir()
    link = EaLink(tmp_path / "ea")
    guard = build_guard(cfg, module=sim)
    guard.ea_link = link
    guard.start()
    guard.cycle()
    guard.fast_guard()  # writes the limits file
    return guard, sim, link


def _line(name: str, quote_utc: int, bid_depth: float, ask_depth: float,
          levels: int = 5) -> SymbolTelemetry:
    return SymbolTelemetry(symbol=name, time_utc=quote_utc, bid=1.25, ask=1.2502,
                           spread_min=0.0002, spread_mean=0.0002, spread_max=0.0002,
                           bid_depth=bid_depth, ask_depth=ask_depth, levels=levels,
                           tick_count=3, tick_volume=0)


def _write(folder: Path, written_utc: int, *lines: SymbolTelemetry, sequence: int = 1,
           raw: dict[str, str] | None = None) -> None:
    telemetry = EaTelemetry(sequence=sequence, written_utc=written_utc, failsafe=False,
                            limits_sequence=1, heartbeat_utc=written_utc, trade_allowed=True,
                            symbols={s.symbol: s for s in lines})
    text = format_telemetry(telemetry)
    for good, bad in (raw or {}).items():  # a value the EA's own formatter would never write
        text = _reseal(text.replace(good, bad))
    (folder / TELEMETRY_FILE).write_text(text, encoding="ascii", newline="")


def _reseal(text: str) -> str:
    from bridge.ealink import hash31

    lines = text.split("\r\n")[:-1]
    body = lines[:-1]
    seq = lines[-1].split("=")[1].split(";")[0]
    return "".join(line + "\r\n" for line in [*body, f"end={seq};{hash31(body)}"])


def _heartbeat(tmp_path: Path) -> int:
    text = (tmp_path / "ea" / LIMITS_FILE).read_text(encoding="ascii")
    return parse_limits(text).heartbeat_utc


def _corrupt_rows(guard: Any) -> list[str]:
    return [str(r.payload) for r in guard.journal.rows("state")
            if "corrupt" in str(r.payload)]


@pytest.fixture
def warnings_seen() -> Any:
    seen: list[str] = []
    sink = logger.add(lambda m: seen.append(str(m)), level="WARNING", format="{message}")
    yield seen
    logger.remove(sink)


@pytest.mark.parametrize(
    ("what", "bid_depth", "raw"),
    [
        ("negative", -3.0, None),
        ("not a number", 12.0, {";12.00;9.00;": ";nan;9.00;"}),
        ("infinite", 12.0, {";12.00;9.00;": ";inf;9.00;"}),
        ("far too large", 12.0, {";12.00;9.00;": ";" + "9" * 30 + ";9.00;"}),
    ],
)
def test_one_bad_depth_value_discards_that_symbol_and_the_guard_keeps_heartbeating(
        tmp_path: Path, warnings_seen: list[str], what: str, bid_depth: float,
        raw: dict[str, str] | None) -> None:
    guard, sim, _link = _ea_guard(tmp_path)
    start = _heartbeat(tmp_path)
    sent = len(guard.journal.rows("slice"))
    beats = []
    for step in range(8):
        sim.advance(15.0)
        now = int(guard.now())
        _write(tmp_path / "ea", now, _line(SYMBOL, now, bid_depth, 9.0), sequence=step + 1,
               raw=raw)
        guard.fast_guard()
        FIGURES["telemetry: files with a bad value read by a running guard"] += 1
        beats.append(_heartbeat(tmp_path))
        market = guard.snapshot.market[SYMBOL]
        assert market.bid_depth is None or (math.isfinite(market.bid_depth)
                                            and market.bid_depth >= 0.0), what
        assert abs(guard.snapshot.time - guard.now()) < 1.0  # the snapshot is today's
    assert _corrupt_rows(guard) == []
    assert len(guard.journal.rows("slice")) > sent  # the plan's slices kept going out
    assert beats == sorted(beats)
    assert beats[-1] > start
    assert len(set(beats)) == len(beats)
    assert beats[-1] >= int(guard.now()) - 1  # the heartbeat is fresh for the EA
    about = [w for w in warnings_seen if SYMBOL in w and "telemetry" in w]
    assert len(about) == 1, about  # one warning, not one per read
    FIGURES["telemetry: snapshots rejected"] += len(_corrupt_rows(guard))
    FIGURES["telemetry: heartbeats missed"] += len(beats) - len(set(beats))
    FIGURES["telemetry: warnings per bad symbol"] = max(
        FIGURES["telemetry: warnings per bad symbol"], len(about))


def test_a_good_symbol_beside_a_bad_one_keeps_its_telemetry_depth(tmp_path: Path) -> None:
    # one unreadable value on another symbol's line costs only that symbol
    guard, sim, _link = _ea_guard(tmp_path)
    sim.advance(15.0)
    now = int(guard.now())
    _write(tmp_path / "ea", now, _line("GBPUSD", now, 7.77, 9.0), _line(SYMBOL, now, 12.5, 9.5),
           raw={";7.77;": ";nan;"})
    guard.fast_guard()
    assert guard.snapshot.market[SYMBOL].bid_depth == 12.5
    assert guard.snapshot.market[SYMBOL].ask_depth == 9.5


def test_a_telemetry_file_stamped_in_the_future_is_stale(tmp_path: Path) -> None:
    guard, sim, _link = _ea_guard(tmp_path)
    sim.advance(15.0)
    now = int(guard.now())
    _write(tmp_path / "ea", now + 3600, _line(SYMBOL, now + 3600, 12.5, 9.5))
    for _ in range(3):
        guard.fast_guard()
        assert guard.snapshot.market[SYMBOL].bid_depth != 12.5  # never "fresh forever"
        sim.advance(15.0)


@pytest.mark.parametrize("offset", [3600, -10 * 86_400, None])
def test_a_symbol_quote_stamp_in_the_future_or_ancient_is_discarded(
        tmp_path: Path, offset: int | None) -> None:
    guard, sim, _link = _ea_guard(tmp_path)
    sim.advance(15.0)
    now = int(guard.now())
    quote_utc = 0 if offset is None else now + offset  # 0 = the EA never saw a quote
    _write(tmp_path / "ea", now, _line(SYMBOL, quote_utc, 12.5, 9.5))
    guard.fast_guard()
    assert guard.snapshot.market[SYMBOL].bid_depth != 12.5
    assert _corrupt_rows(guard) == []


def test_a_fresh_good_telemetry_file_gives_book_depth(tmp_path: Path) -> None:
    # the control: without a bad value the telemetry depth is used
    guard, sim, _link = _ea_guard(tmp_path)
    sim.advance(15.0)
    now = int(guard.now())
    _write(tmp_path / "ea", now, _line(SYMBOL, now, 12.5, 9.5))
    guard.fast_guard()
    assert guard.snapshot.market[SYMBOL].bid_depth == 12.5
