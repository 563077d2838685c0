"""A scenario file's contents (TOML already read) validated into a `Scenario`: every key checked
by the file's pydantic models (bridge.sim.scenario.schema), then what needs the whole file
(bridge.sim.scenario.tables); an unknown key or a bad value raises `ScenarioError` naming the key,
the value and what is allowed (bridge.sim.scenario.catalog finds and reads the file). The format
is documented in docs/scenarios.md.

Times are TOML datetimes or ISO strings with a zone (``2016-10-06T23:07:03Z``), or numbers of
seconds relative to the scenario's `crash_time` (relative to `start` when it has none).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from bridge.sim.errors import ScenarioError
from bridge.sim.replay.clock import ServerClock
from bridge.sim.scenario import tables as t
from bridge.sim.scenario.checks import explain
from bridge.sim.scenario.model import Scenario
from bridge.sim.scenario.schema import ScenarioFile

__all__ = ["parse_scenario"]


def _validated(raw: Mapping[str, object]) -> ScenarioFile:
    """The file's tables, each key checked on its own (the first problem as a ScenarioError)."""
    try:
        return ScenarioFile.model_validate(dict(raw))
    except ValidationError as exc:
        raise ScenarioError(explain(ScenarioFile, exc.errors()[0])) from None


def parse_scenario(
    raw: Mapping[str, object],
    *,
    base: Path,
    data_dir: Path | None = None,
    seed: int | None = None,
    source: str = "",
) -> Scenario:
    """Validate a scenario already read from TOML (see `bridge.sim.scenario.load_scenario`)."""
    file = _validated(raw)
    start = t.parse_time(file.start, "start", None)
    end = t.parse_time(file.end, "end", None)
    if not end > start:
        raise ScenarioError(f"end = {file.end!r} must be after start = {file.start!r}")
    crash = None if file.crash_time is None else t.parse_time(file.crash_time, "crash_time", None)
    account = t.read_account(file.account)
    if not file.symbols:
        raise ScenarioError("symbols is empty; a scenario needs at least one [[symbols]] table")
    symbols = tuple(t.read_symbol(s, f"symbols[{i}]", account.currency)
                    for i, s in enumerate(file.symbols))
    known = {s.name for s in symbols}
    if len(known) != len(symbols):
        raise ScenarioError("symbols: two [[symbols]] tables have the same name")
    anchor = crash if crash is not None else start
    balance_ops = t.read_balance_ops(file.balance_ops, known, anchor)
    if any(o.time <= start for o in balance_ops) and "balance" in file.account.model_fields_set:
        raise ScenarioError(
            "account.balance and [[balance_ops]] before start both set the starting balance: "
            "keep one (with balance_ops, the balance at start is their sum)")
    generator = None if file.generator is None else t.read_generator(file.generator, known)
    data = t.data_sources(file.data, "data", known, base, data_dir)
    if generator is None:
        missing = known - {d.symbol for d in data}
        if missing:
            raise ScenarioError(
                f"symbols {sorted(missing)} have no [[data]] and there is no [generator]"
            )
    scenario = Scenario(
        name=file.name,
        description=file.description,
        seed=file.seed if seed is None else seed,
        start=start,
        end=end,
        crash_time=crash,
        warmup_s=file.warmup_hours * 3600.0,
        clock=ServerClock(file.server_time.utc_offset_hours, file.server_time.dst),
        account=account,
        broker=t.read_broker(file.broker),
        symbols=symbols,
        data=tuple(data),
        history=tuple(t.data_sources(file.history, "history", known, base, data_dir)),
        generator=generator,
        overlays=tuple(t.read_overlays(file.overlays, known, anchor)),
        no_quotes=tuple(t.read_no_quotes(file.no_quotes, known, anchor)),
        faults=tuple(t.read_faults(file.faults, anchor)),
        book=tuple(t.read_book(file.book, known)),
        balance_ops=tuple(balance_ops),
        trade_allowed=file.terminal.trade_allowed,
        source=source,
    )
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
