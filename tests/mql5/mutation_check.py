"""Mutation check: inject realistic bugs into a copy of the EA; the scenarios must catch each.

Each mutant is one exact text replacement in one file of mql5/ (it must match exactly once, so a
refactor of the EA cannot silently turn a mutant into a no-op). A mutant is caught when at least
one scenario fails; a mutant that no longer compiles counts as NOT caught (it would prove nothing).

    uv run python tests/mql5/mutation_check.py          # prints "caught K of N", exit 0 iff K == N
    uv run python tests/mql5/mutation_check.py -k gmt   # only the mutants whose name contains "gmt"
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

__all__ = ["MUTANTS", "Mutant", "apply_mutant", "check_mutant", "main"]


@dataclass(frozen=True)
class Mutant:
    """A bug: in ``file``, ``old`` (found exactly once) becomes ``new``."""

    name: str
    file: str
    old: str
    new: str


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "close volume rounded down to the step",
        "LgEnforce.mqh",
        "double steps = MathCeil(lots / step - 1e-7);",
        "double steps = MathFloor(lots / step + 1e-7);",
    ),
    Mutant(
        "heartbeat compared with TimeCurrent (server time) instead of TimeGMT",
        "LiquidityGuard.mq5",
        "long now = (long)TimeGMT();\n   long age",
        "long now = (long)TimeCurrent();\n   long age",
    ),
    Mutant(
        "torn or edited limits file accepted (hash not compared)",
        "LgLimits.mqh",
        "if(end_hash != hash)",
        "if(end_hash < 0)",
    ),
    Mutant(
        "telemetry written in place, not through a .tmp file and a move",
        "LgTelemetry.mqh",
        'string tmp_path = folder + "\\\\telemetry.tmp";',
        'string tmp_path = folder + "\\\\telemetry.txt";',
    ),
    Mutant(
        "reacts only to its own trades (TRADE_TRANSACTION_REQUEST)",
        "LiquidityGuard.mq5",
        "if(trans.type == TRADE_TRANSACTION_DEAL_ADD || trans.type == TRADE_TRANSACTION_POSITION)",
        "if(trans.type == TRADE_TRANSACTION_REQUEST)",
    ),
    Mutant(
        "no fail-safe once a limits file was read (heartbeat age ignored)",
        "LiquidityGuard.mq5",
        "bool fresh = g_lim_ok && age <= InpHeartbeatTimeoutSec && age >= -InpHeartbeatTimeoutSec;",
        "bool fresh = g_lim_ok;",
    ),
    Mutant(
        "limits file opened without FILE_ANSI (read as two-byte text)",
        "LgLimits.mqh",
        "FILE_READ | FILE_TXT | FILE_ANSI | FILE_COMMON",
        "FILE_READ | FILE_TXT | FILE_COMMON",
    ),
    Mutant(
        "limits file opened exclusively (no share flags)",
        "LgLimits.mqh",
        "FILE_COMMON | FILE_SHARE_READ | FILE_SHARE_WRITE);",
        "FILE_COMMON);",
    ),
    Mutant(
        "oldest position cut first instead of the newest",
        "LgEnforce.mqh",
        "while(j >= 0 && (positions[order[j]].time_msc < positions[key].time_msc",
        "while(j >= 0 && (positions[order[j]].time_msc > positions[key].time_msc",
    ),
    Mutant(
        "lca's caps may loosen the EA's own hard cap",
        "LgEnforce.mqh",
        "if(InpMaxLotsPerSymbol > 0.0 && (cap < 0.0 || InpMaxLotsPerSymbol < cap))",
        "if(InpMaxLotsPerSymbol > 0.0 && cap < 0.0)",
    ),
    Mutant(
        "prop lock does not block new positions",
        "LiquidityGuard.mq5",
        "(g_lim_prop_lock || !g_lim_new_exposure)",
        "(!g_lim_new_exposure)",
    ),
    Mutant(
        "lca's 'no new exposure' is ignored",
        "LiquidityGuard.mq5",
        "(g_lim_prop_lock || !g_lim_new_exposure)",
        "g_lim_prop_lock",
    ),
    Mutant(
        "a remainder below the minimum volume is left open",
        "LgEnforce.mqh",
        "if(v >= position_volume - 1e-9 || position_volume - v < vmin - 1e-9)",
        "if(v >= position_volume - 1e-9)",
    ),
    Mutant(
        "after a close, the same pass goes on with stale positions",
        "LiquidityGuard.mq5",
        "   if(LgCutSymbolCaps() > 0)\n      return;\n",
        "   LgCutSymbolCaps();\n",
    ),
    Mutant(
        "a close above the symbol's maximum volume is sent whole (and refused)",
        "LgEnforce.mqh",
        "   if(vmax > 0.0 && v > vmax)\n      v = vmax;\n",
        "",
    ),
    Mutant(
        "a refused close is resent on every timer tick (request flood)",
        "LiquidityGuard.mq5",
        "if(!LgTradingAllowed() || (long)TimeGMT() < g_retry_after)",
        "if(!LgTradingAllowed())",
    ),
    Mutant(
        "the one-guard-per-terminal claim is not released on removal",
        "LiquidityGuard.mq5",
        "   if(GlobalVariableCheck(LG_GV_GUARD) && "
        "GlobalVariableGet(LG_GV_GUARD) == LgChartToken())\n"
        "      GlobalVariableDel(LG_GV_GUARD);\n",
        "",
    ),
    Mutant(
        "a close answered 10008 (placed) counts as failed and is not tracked",
        "LgSend.mqh",
        "if(sent && result.retcode == TRADE_RETCODE_PLACED)",
        "if(sent && result.retcode == TRADE_RETCODE_PLACED && false)",
    ),
    Mutant(
        "own orders still pending are not looked for before a resend",
        "LgSend.mqh",
        "ulong order = LgOwnOrderPending();",
        "ulong order = 0;",
    ),
    Mutant(
        "closes in flight do not stop the next pass",
        "LiquidityGuard.mq5",
        "   if(LgCloseInFlight())\n      return;\n",
        "",
    ),
    Mutant(
        "10030 (invalid filling) is not retried with the next filling mode",
        "LgSend.mqh",
        "if(result.retcode != TRADE_RETCODE_INVALID_FILL)\n         break;",
        "break;",
    ),
    Mutant(
        "notional without tick value left in the symbol's profit currency",
        "LgValue.mqh",
        "return price * SymbolInfoDouble(symbol, SYMBOL_TRADE_CONTRACT_SIZE) * rate;",
        "return price * SymbolInfoDouble(symbol, SYMBOL_TRADE_CONTRACT_SIZE);",
    ),
    Mutant(
        "a limits file whose sequence goes backwards is applied",
        "LgLimits.mqh",
        "if(g_lim_ok && sequence < g_lim_sequence)",
        "if(g_lim_ok && sequence < 0)",
    ),
    Mutant(
        "no enforcement on start-up (only on later events)",
        "LiquidityGuard.mq5",
        "   LgEnsureSymbols();\n   LgEnforce();\n   if(!EventSetMillisecondTimer",
        "   LgEnsureSymbols();\n   if(!EventSetMillisecondTimer",
    ),
    Mutant(
        "push sequence not remembered across a restart (no global variable read)",
        "LgNotify.mqh",
        "g_ntf_done = (long)GlobalVariableGet(LG_GV_NOTIFY);",
        "g_ntf_done = 0;",
    ),
    Mutant(
        "MT5's push rate limit ignored (one push per message, at once)",
        "LgNotify.mqh",
        "if(kept >= LG_NOTIFY_PER_MINUTE || (kept > 0 && g_ntf_sent_at[kept - 1] >= now))",
        "if(kept < 0)",
    ),
    Mutant(
        "a failed push retried for ever (pending kept after a settings error)",
        "LgNotify.mqh",
        "if(err == ERR_NOTIFICATION_TOO_FREQUENT)",
        "if(err != 0)",
    ),
    Mutant(
        "the EA's fail-safe entry not pushed",
        "LiquidityGuard.mq5",
        "if(g_started && g_lim_ok)\n         LgNotifyQueue(",
        "if(false)\n         LgNotifyQueue(",
    ),
    Mutant(
        "calendar times written as server time (offset to UTC ignored)",
        "LgCalendar.mqh",
        "found[count].time_utc = (long)values[i].time - offset;",
        "found[count].time_utc = (long)values[i].time;",
    ),
    Mutant(
        "server offset not rounded to 15 minutes (TimeTradeServer's jitter kept)",
        "LgCalendar.mqh",
        "return (long)MathRound((double)raw / 900.0) * 900;",
        "return raw;",
    ),
    Mutant(
        "low-importance calendar events listed",
        "LgCalendar.mqh",
        "if(ev.importance != CALENDAR_IMPORTANCE_HIGH"
        " && ev.importance != CALENDAR_IMPORTANCE_MODERATE)",
        "if(ev.importance == CALENDAR_IMPORTANCE_NONE)",
    ),
    Mutant(
        "calendar events of every currency listed, not only the book's",
        "LgCalendar.mqh",
        "|| !LgCalWanted(country.currency, currencies))",
        ")",
    ),
    Mutant(
        "calendar read on every timer tick",
        "LgCalendar.mqh",
        "now - g_cal_tried < InpCalendarRefreshSec",
        "now - g_cal_tried < 0",
    ),
)


def apply_mutant(mutant: Mutant, source: Path, target: Path) -> None:
    """Copy the EA sources from ``source`` to ``target`` with ``mutant`` applied."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.suffix in (".mq5", ".mqh"):
            shutil.copyfile(path, target / path.name)
    victim = target / mutant.file
    text = victim.read_text(encoding="utf-8")
    count = text.count(mutant.old)
    if count != 1:
        raise ValueError(
            f"mutant {mutant.name!r}: its text occurs {count} times in {mutant.file} "
            "(expected exactly once): update the mutant to the current EA source"
        )
    victim.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")


def check_mutant(mutant: Mutant, work: Path) -> tuple[bool, str]:
    """Build and run the scenarios against ``mutant``; return (caught, what caught it)."""
    src = work / "mql5"
    apply_mutant(mutant, harness.MQL5_DIR, src)
    try:
        binary = harness.build(src, sanitize=False, build_root=work / "build")
    except harness.BuildError as exc:
        return False, f"does not compile, so it proves nothing: {str(exc)[:300]}"
    failed = [
        name
        for name in harness.scenario_names()
        if harness.run_scenario(binary, name, work / "run" / name).returncode != 0
    ]
    if failed:
        return True, f"{len(failed)} scenario(s), e.g. {failed[0]}"
    return False, "every scenario still passes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only mutants whose name contains this text")
    args = parser.parse_args(argv)
    if harness.gxx() is None:
        print("g++ not found: install it (apt-get install g++)")
        return 2
    mutants = [m for m in MUTANTS if args.k.lower() in m.name.lower()]
    with tempfile.TemporaryDirectory(prefix="lca-mutants-") as tmp:
        def one(item: tuple[int, Mutant]) -> tuple[Mutant, bool, str]:
            i, m = item
            caught, why = check_mutant(m, Path(tmp) / f"m{i}")
            return m, caught, why

        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            results = list(pool.map(one, enumerate(mutants)))
    for m, caught, why in results:
        print(f"{'CAUGHT' if caught else 'MISSED'}  {m.name}: {why}")
    k = sum(caught for _, caught, _ in results)
    print(f"caught {k} of {len(results)}")
    return 0 if results and k == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
