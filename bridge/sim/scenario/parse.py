"""A scenario file's contents (TOML already read) validated into a `Scenario`: every key checked,
an unknown key or a bad value raises `ScenarioError` naming the key, the value and what is
allowed (bridge.sim.scenario.catalog finds and reads the file). The format is documented in
docs/scenarios.md.

Times are TOML datetimes or ISO strings with a zone (``2016-10-06T23:07:03Z``), or numbers of
seconds relative to the scenario's `crash_time` (relative to `start` when it has none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bridge.sim.errors import ScenarioError
from bridge.sim.replay.clock import DST_RULES, ServerClock
from bridge.sim.scenario.model import Scenario
from bridge.sim.scenario.tables import (
    Table,
    parse_time,
    read_account,
    read_broker,
    read_generator,
    read_symbol,
    sections,
)

__all__ = ["parse_scenario"]


def parse_scenario(
    raw: Mapping[str, Any],
    *,
    base: Path,
    data_dir: Path | None = None,
    seed: int | None = None,
    source: str = "",
) -> Scenario:
    """Validate a scenario already read from TOML (see `bridge.sim.scenario.load_scenario`)."""
    root = Table(raw, "")
    name = root.get("name", str)
    start = parse_time(root.get("start", (str, dt.datetime)), "start", None)
    end = parse_time(root.get("end", (str, dt.datetime)), "end", None)
    if not end > start:
        raise ScenarioError(f"end = {raw['end']!r} must be after start = {raw['start']!r}")
    crash_raw = root.get("crash_time", (str, dt.datetime), None)
    crash = None if crash_raw is None else parse_time(crash_raw, "crash_time", None)
    st = Table(root.get("server_time", dict, {}), "server_time")
    dst = st.get("dst", str, "us")
    if dst not in DST_RULES:
        raise ScenarioError(f"server_time.dst = {dst!r} is not allowed; use one of {DST_RULES}")
    clock = ServerClock(st.get("utc_offset_hours", float, 2.0), dst)
    st.done()
    account = read_account(root.get("account", dict, {}))
    broker = read_broker(root.get("broker", dict, {}))
    sym_raw = root.get("symbols", list)
    if not sym_raw:
        raise ScenarioError("symbols is empty; a scenario needs at least one [[symbols]] table")
    symbols = tuple(read_symbol(s, f"symbols[{i}]", account.currency)
                    for i, s in enumerate(sym_raw))
    known = {s.name for s in symbols}
    if len(known) != len(symbols):
        raise ScenarioError("symbols: two [[symbols]] tables have the same name")
    anchor = crash if crash is not None else start
    sec = sections(root, known, anchor, base, data_dir)
    if any(o.time <= start for o in sec["balance_ops"]) and "balance" in raw.get("account", {}):
        raise ScenarioError(
            "account.balance and [[balance_ops]] before start both set the starting balance: "
            "keep one (with balance_ops, the balance at start is their sum)")
    gen_raw = root.get("generator", dict, None)
    generator = None if gen_raw is None else read_generator(gen_raw, known)
    if generator is None:
        missing = known - {d.symbol for d in sec["data"]}
        if missing:
            raise ScenarioError(
                f"symbols {sorted(missing)} have no [[data]] and there is no [generator]"
            )
    term = Table(root.get("terminal", dict, {}), "terminal")
    trade_allowed = term.get("trade_allowed", bool, True)
    term.done()
    seed_file = root.get("seed", int, 0)
    seed_v = seed_file if seed is None else seed
    scenario = Scenario(
        name=name,
        description=root.get("description", str, ""),
        seed=seed_v,
        start=start,
        end=end,
        crash_time=crash,
        warmup_s=root.get("warmup_hours", float, 24.0) * 3600.0,
        clock=clock,
        account=account,
        broker=broker,
        symbols=symbols,
        data=tuple(sec["data"]),
        history=tuple(sec["history"]),
        generator=generator,
        overlays=tuple(sec["overlays"]),
        no_quotes=tuple(sec["no_quotes"]),
        faults=tuple(sec["faults"]),
        book=tuple(sec["book"]),
        balance_ops=tuple(sec["balance_ops"]),
        trade_allowed=trade_allowed,
        source=source,
    )
    root.done()
    _check_conversions(scenario)
    return scenario


def _check_conversions(s: Scenario) -> None:
    from bridge.sim.broker import Converter

    conv = Converter(s.symbols)
    for spec in s.symbols:
        for ccy, what in (
            (spec.currency_profit, "currency_profit"),
            (spec.currency_margin, "currency_margin"),
        ):
            try:
                conv.plan(ccy, s.account.currency)
            except ValueError as exc:
                raise ScenarioError(f"symbols[{spec.name}].{what} = {ccy!r}: {exc}") from exc
