"""bridge.mt5: the module's shape in one place. `Mt5Module` lists real MetaTrader5 names only,
the simulated terminal provides all of them, every function the live shell calls on a terminal
is listed, and the old import paths still answer."""

from __future__ import annotations

import re
from pathlib import Path

from bridge.mt5 import constants, records
from bridge.mt5.port import MT5_FUNCTIONS, Mt5Module
from tests.kit import MT5_FUNCTIONS as MODULE_FUNCTIONS
from tests.kit import open_sim

BRIDGE = Path(__file__).resolve().parents[2] / "bridge"
# the shell that talks to a terminal (the sim, the remote client and the stress runner, which
# drive a SimTerminal directly, are not part of it)
LIVE_MODULES = ("terminal.py", "executor.py", "executor_reads.py", "runtime/guard.py",
                "runtime/feed.py", "runtime/health.py", "runtime/plan_store.py", "warmup.py",
                "shadow.py", "prop_ledger.py", "permissions.py", "ealink/folder.py",
                "commands/check.py", "commands/ea.py")
_CALL = re.compile(r"""\b_?(?:call|read)\(\s*["']([a-z_]+)["']""")
_ATTR = re.compile(r"""\b(?:self\.mt5|port\.mt5|mt5|self\._t)\.([a-z_]+)\(""")


def test_the_protocol_lists_only_functions_and_constants_of_the_real_module() -> None:
    # the module's 32 functions (mt5-api.md; the stubs type only some of them)
    assert set(MT5_FUNCTIONS) <= MODULE_FUNCTIONS, set(MT5_FUNCTIONS) - MODULE_FUNCTIONS
    assert not getattr(Mt5Module, "__annotations__", {}), "constants come from bridge.mt5.constants"


def test_the_simulated_terminal_provides_the_whole_protocol() -> None:
    sim = open_sim("gbp-flash-2016")
    assert isinstance(sim, Mt5Module)
    for name in MT5_FUNCTIONS:
        assert callable(getattr(sim, name)), name


def test_every_function_the_live_shell_calls_on_a_terminal_is_in_the_protocol() -> None:
    used: dict[str, str] = {}
    for rel in LIVE_MODULES:
        text = (BRIDGE / rel).read_text(encoding="utf-8")
        for pattern in (_CALL, _ATTR):
            for name in pattern.findall(text):
                used.setdefault(name, rel)
    assert {"order_send", "history_deals_get", "account_info", "copy_rates_range"} <= set(used)
    missing = {name: rel for name, rel in used.items() if name not in MT5_FUNCTIONS}
    assert not missing, f"called on the terminal but not in Mt5Module: {missing}"


def test_the_old_sim_import_paths_re_export_the_moved_modules() -> None:
    from bridge.sim import constants as old_constants
    from bridge.sim import records as old_records

    assert old_constants.__all__ == constants.__all__
    assert all(getattr(old_constants, n) == getattr(constants, n) for n in constants.__all__)
    assert old_records.OrderSendResult is records.OrderSendResult
    assert old_records.RATES_DTYPE == records.RATES_DTYPE
