"""`lca check`: the configuration, the terminal connection, and what the broker supports."""

from __future__ import annotations

import argparse
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from loguru import logger
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bridge.config import AppConfig, ConfigError, load_config
from bridge.mt5 import constants as mt5c

if TYPE_CHECKING:
    from bridge.mt5.records import AccountInfo, TerminalInfo
    from bridge.terminal import TerminalError, TerminalPort
    from controller import Account

_FILLING = {1: "FOK", 2: "IOC", 4: "BOC"}
_AUTH_FAILED, _NO_IPC, _IPC_TIMEOUT = (mt5c.RES_E_AUTH_FAILED, mt5c.RES_E_INTERNAL_FAIL_CONNECT,
                                      mt5c.RES_E_INTERNAL_FAIL_TIMEOUT)
_CALC = {0: "Forex", 1: "Futures", 2: "CFD", 3: "CFD index", 4: "CFD leverage",
         5: "Forex no leverage", 32: "Exchange stocks", 33: "Exchange futures"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="check the configuration, the terminal connection and "
                       "what the broker supports (depth, filling modes, margin mode, account)")
    p.add_argument("--config", type=Path, default=Path("config.toml"))
    p.set_defaults(func=_check)


@dataclass(frozen=True)
class Finding:
    """One line of `lca check`: what is right or wrong, in words, and for a failure the fix.
    `severity`: "ok", "warn" (shown, exit code unchanged) or "fail" (exit code 1)."""

    severity: str
    text: str
    fix: str = ""


def _print(out: Console, finding: Finding) -> None:
    mark = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}[finding.severity]
    out.print(f"{mark} {escape(finding.text)}", highlight=False)
    if finding.fix:
        out.print(f"  [bold]fix:[/] {escape(finding.fix)}", highlight=False)


def _check(args: argparse.Namespace) -> int:
    from bridge.compose import open_module
    from bridge.terminal import Credentials, TerminalError, TerminalPort

    out = Console()
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        out.print(f"[red]✗ configuration[/]\n{escape(str(exc))}", highlight=False)
        return 2
    out.print(f"[green]✓[/] configuration {args.config} is valid")
    for note in config.moved_keys:  # keys in their old table (bridge.config_moved)
        _print(out, Finding("warn", note))
    _print_prop(out, args.config, config)
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
    except (TerminalError, ValueError) as exc:
        text = exc.message if isinstance(exc, TerminalError) else str(exc)
        problem, _, fix = text.partition(". Fix: ")
        _print(out, Finding("fail", f"terminal ({t.kind}): {problem}", fix))
        return 1
    port = TerminalPort(mt5, credentials, path=t.path or None, timeout_ms=t.timeout_ms)
    logger.disable("bridge.terminal")  # the failure is said below, in words, once
    try:
        port.connect(attempts=1)
    except TerminalError as exc:
        _print(out, _not_connected(t.kind, exc))
        return 1
    finally:
        logger.enable("bridge.terminal")
    try:
        account = port.account()
    except TerminalError as exc:
        _print(out, Finding(
            "fail", f"the terminal runs but is logged into no account: account_info() failed "
            f"with last_error ({exc.code}, {exc.message!r})",
            "log into your account in the terminal (File > Login to Trade Account, 'Save "
            "account information' ticked) and wait until it shows quotes, then run lca check "
            "again"))
        with contextlib.suppress(Exception):
            mt5.shutdown()
        return 1
    try:
        info = port.call("terminal_info")
        _report(out, config, port, account, info)
        findings = terminal_findings(config, port.call("account_info"), info)
    except (TerminalError, ValueError) as exc:
        out.print(f"[red]✗ terminal ({t.kind})[/]: {escape(str(exc))}", highlight=False)
        return 1
    finally:
        with contextlib.suppress(Exception):  # a connection already gone
            mt5.shutdown()
    for finding in findings:
        _print(out, finding)
    return 1 if any(f.severity == "fail" for f in findings) else 0


def terminal_findings(config: AppConfig, account: AccountInfo,
                      info: TerminalInfo) -> list[Finding]:
    """What stops the guard from acting on a connected terminal, one small check each."""
    findings = [_algo_trading(config, info), _expert_trading(account)]
    ea = _ea_attached(config, info, time.time())  # shell: the wall clock is right here
    if ea is not None:
        findings.append(ea)
    return findings


def _not_connected(kind: str, exc: TerminalError) -> Finding:
    """initialize failed: the terminal's own last_error, and what to do about it."""
    where = "under Wine " if kind == "mt5linux" else ""
    said = f"initialize() failed with last_error ({exc.code}, {exc.message!r})"
    start = (f"start the terminal (terminal64.exe) {where}and log into your account (File > "
             "Login to Trade Account) with 'Save account information' ticked, then run lca "
             "check again; with several terminals installed set [terminal] path")
    if exc.code == _AUTH_FAILED:
        return Finding("fail", f"the terminal refused the login: {exc.message}",
                       "set the login, password and server variables right (see [terminal] "
                       "login_env, password_env, server_env), or unset them to use the "
                       "account the terminal is logged into")
    if exc.code in (_IPC_TIMEOUT, _NO_IPC):
        return Finding("fail", f"the terminal is not running or does not answer yet: {said}",
                       start + "; a terminal that is still starting needs a minute")
    return Finding("fail", f"the terminal is not running or not logged in: {said}", start)


def _algo_trading(config: AppConfig, info: TerminalInfo) -> Finding:
    if info.trade_allowed:
        return Finding("ok", "Algo Trading is on in the terminal")
    enforce = config.run.mode.value == "enforce"
    return Finding("fail" if enforce else "warn",
                   "Algo Trading is off in the terminal: the guard and the EA can close "
                   "nothing (every order comes back 10027, AutoTrading disabled by client)",
                   "press the Algo Trading button on the terminal's toolbar (it turns green), "
                   "or tick Tools > Options > Expert Advisors > Allow algorithmic trading")


def _expert_trading(account: AccountInfo) -> Finding:
    login = getattr(account, "login", "?")
    if not getattr(account, "trade_allowed", True):
        return Finding("fail", f"trading is disabled for account {login} (a read-only "
                       "investor login, or the broker disabled it)",
                       "log in with the master password, or ask the broker")
    if not getattr(account, "trade_expert", True):
        return Finding("fail", f"trading by experts is disabled for account {login}: the "
                       "trade server refuses every order an Expert Advisor or a script sends, "
                       "the guard's included",
                       "the broker sets this per account: ask the broker to allow expert "
                       "(algorithmic) trading on it, or use an account that allows it")
    return Finding("ok", f"trading by experts is allowed for account {login}")


def _ea_attached(config: AppConfig, info: TerminalInfo, now: float) -> Finding | None:
    """The guard EA's telemetry in the common folder, when the EA link is on."""
    from bridge.ealink import EaLinkError
    from bridge.ealink.folder import resolve_link_folder
    from bridge.ealink.reader import TelemetryReader

    enabled = config.ea.enabled
    if not (config.terminal.kind != "sim" if enabled is None else enabled):
        return None
    attach = ("lca ea install, then drag LiquidityGuard onto one chart with Algo Trading "
              "allowed (docs/ea.md)")
    try:
        folder = resolve_link_folder(None, config.ea.common_folder or info.commondata_path)
        telemetry = TelemetryReader(folder).read()
    except FileNotFoundError:
        path = folder / "telemetry.txt"
        return Finding("fail", f"the guard EA is not attached: no telemetry at {path}", attach)
    except (EaLinkError, OSError) as exc:
        return Finding("fail", f"the guard EA's telemetry cannot be read: {exc}", attach)
    age = now - telemetry.written_utc
    limit = max(config.ea.telemetry_max_age_seconds, 3 * config.ea.heartbeat_seconds)
    if age > limit:
        return Finding("fail", f"the guard EA is not running: its telemetry is {age:.0f} s old "
                       f"(more than {limit:g} s)", "check that its chart is open, the EA is "
                       "still on it (a smiling face top right) and the terminal runs; " + attach)
    state = "in FAIL-SAFE (no fresh limits from lca)" if telemetry.failsafe else "running"
    return Finding("ok", f"the guard EA is attached and {state}: telemetry {age:.0f} s old")


def _print_prop(out: Console, path: Path, config: AppConfig) -> None:
    """The prop preset, its age and the user's overrides (bridge.commands.prop_check)."""
    from datetime import UTC, datetime

    from bridge.commands.prop_check import prop_lines

    marks = {"ok": "[green]✓[/]", "note": " ", "warn": "[yellow]![/]"}
    for level, text in prop_lines(path, config.prop, datetime.now(UTC).date()):
        out.print(f"{marks[level]} {escape(text)}", highlight=False)


def _report(out: Console, config: AppConfig, port: TerminalPort, account: Account,
            info: TerminalInfo) -> None:
    """The account line and the symbols table (each row is a terminal call)."""
    t = config.terminal
    kind = {mt5c.ACCOUNT_TRADE_MODE_DEMO: "demo", mt5c.ACCOUNT_TRADE_MODE_CONTEST: "contest",
            mt5c.ACCOUNT_TRADE_MODE_REAL: "REAL"}.get(account.trade_mode, str(account.trade_mode))
    margin = {mt5c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING: "netting",
              mt5c.ACCOUNT_MARGIN_MODE_EXCHANGE: "exchange",
              mt5c.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING: "hedging"}.get(account.margin_mode, "?")
    so_unit = "%" if account.margin_so_mode == mt5c.ACCOUNT_STOPOUT_MODE_PERCENT else \
        f" {account.currency}"
    out.print(f"[green]✓[/] terminal {t.kind}: account {account.login} ({kind}, {margin}, "
              f"{account.currency}, 1:{account.leverage:g}), margin call "
              f"{account.margin_so_call:g}{so_unit}, stop-out {account.margin_so_so:g}{so_unit}")
    out.print(f"  common folder {escape(str(info.commondata_path))}", highlight=False)
    if account.trade_mode == mt5c.ACCOUNT_TRADE_MODE_REAL and \
            config.run.mode.value == "enforce" and not config.run.allow_real_account:
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
