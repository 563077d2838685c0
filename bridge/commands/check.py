"""`lca check`: the configuration, the terminal connection, and what the broker supports."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bridge.config import AppConfig, ConfigError, load_config

_FILLING = {1: "FOK", 2: "IOC", 4: "BOC"}
_CALC = {0: "Forex", 1: "Futures", 2: "CFD", 3: "CFD index", 4: "CFD leverage",
         5: "Forex no leverage", 32: "Exchange stocks", 33: "Exchange futures"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="check the configuration, the terminal connection and "
                       "what the broker supports (depth, filling modes, margin mode, account)")
    p.add_argument("--config", type=Path, default=Path("config.toml"))
    p.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from bridge.terminal import Credentials, TerminalError, TerminalPort, open_module

    out = Console()
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        out.print(f"[red]✗ configuration[/]\n{escape(str(exc))}", highlight=False)
        return 2
    out.print(f"[green]✓[/] configuration {args.config} is valid")
    if config.news.calendar_file:  # the news rule's calendar file (docs/news.md)
        from bridge.news import NewsFileError, read_calendar_file

        try:
            events = read_calendar_file(config.news.calendar_file)
        except NewsFileError as exc:
            out.print(f"[red]✗ news calendar file[/]: {escape(str(exc))}", highlight=False)
            return 2
        out.print(f"[green]✓[/] news calendar file {escape(config.news.calendar_file)}: "
                  f"{len(events)} events (high or medium)", highlight=False)
    t = config.terminal
    try:
        credentials = Credentials.from_env(t.login_env, t.password_env, t.server_env)
        mt5 = open_module(t.kind, scenario=t.scenario, data_dir=t.data_dir or None,
                          host=t.host, port=t.port, allow_remote=t.allow_remote,
                          timeout_ms=t.timeout_ms)
        port = TerminalPort(mt5, credentials, path=t.path or None, timeout_ms=t.timeout_ms)
        port.connect(attempts=1)
        account = port.account()
        info = port.call("terminal_info")
        _report(out, config, port, account, info)
    except (TerminalError, ValueError) as exc:
        out.print(f"[red]✗ terminal ({t.kind})[/]: {escape(str(exc))}", highlight=False)
        return 1
    mt5.shutdown()
    return 0


def _report(out: Console, config: AppConfig, port: Any, account: Any, info: Any) -> None:
    """The account line and the symbols table (each row is a terminal call)."""
    t = config.terminal
    kind = {0: "demo", 1: "contest", 2: "REAL"}.get(account.trade_mode, str(account.trade_mode))
    margin = {0: "netting", 1: "exchange", 2: "hedging"}.get(account.margin_mode, "?")
    so_unit = "%" if account.margin_so_mode == 0 else f" {account.currency}"
    out.print(f"[green]✓[/] terminal {t.kind}: account {account.login} ({kind}, {margin}, "
              f"{account.currency}, 1:{account.leverage:g}), margin call "
              f"{account.margin_so_call:g}{so_unit}, stop-out {account.margin_so_so:g}{so_unit}")
    out.print(f"  Algo Trading {'on' if info.trade_allowed else '[red]off[/]'}; common folder "
              f"{info.commondata_path}")
    if account.trade_mode == 2 and config.run.mode.value == "enforce" and \
            not config.run.allow_real_account:
        out.print("  [yellow]REAL account: orders will be refused until run.allow_real_account "
                  "= true (observe mode until then)[/]")
    table = Table(title="symbols", header_style="bold")
    for col in ("symbol", "calc mode", "contract", "lots min/step/max", "filling", "depth"):
        table.add_column(col)
    names = list(dict.fromkeys([p.symbol for p in port.positions()] + list(t.watch)))
    for name in names[:30]:
        s = port.call("symbol_info", name)
        filling = "/".join(v for k, v in _FILLING.items() if int(s.filling_mode) & k) or "RETURN"
        depth = f"{int(s.ticks_bookdepth)} levels" if int(s.ticks_bookdepth) > 0 else \
            "none (EA telemetry or spread proxy)"
        table.add_row(name, _CALC.get(int(s.trade_calc_mode), str(s.trade_calc_mode)),
                      f"{float(s.trade_contract_size):g}",
                      f"{s.volume_min:g}/{s.volume_step:g}/{s.volume_max:g}", filling, depth)
    out.print(table)
