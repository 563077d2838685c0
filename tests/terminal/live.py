"""The live terminal of the acceptance run: which one, the refusals, and the guard's config.

`LCA_TERMINAL=1` turns the run on; `LCA_TERMINAL_CONFIG` names the configuration whose
`[terminal]` is used (default: config.toml; `kind = "mt5"` on Windows, `"mt5linux"` under Wine,
`"sim"` to try the run itself on the simulated terminal); `LCA_TERMINAL_SYMBOL` the symbol of the
one position (default EURUSD; a broker's own name such as EURUSD.m or EURUSDm works too).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bridge.config import AppConfig, load_config, settings_from_dict
from bridge.mt5 import constants as mt5c

__all__ = ["MAGIC", "SKIP_REASON", "OpenPositionsRefused", "RealAccountRefused",
           "acceptance_config", "refuse_open_positions", "refuse_real_account", "wanted"]

SKIP_REASON = ("the demo-account acceptance run needs a terminal logged into a DEMO account: "
               "LCA_TERMINAL=1 uv run pytest -m terminal (docs/acceptance.md)")
MAGIC = 770_199  # the test's own position; the guard's orders carry run.magic (770077)


class RealAccountRefused(RuntimeError):
    """The terminal is logged into a REAL account: the run opens and closes a position."""


class OpenPositionsRefused(RuntimeError):
    """The demo account holds positions: the guard acts on the whole account."""


def wanted() -> bool:
    return bool(os.environ.get("LCA_TERMINAL"))


def config_path() -> Path:
    return Path(os.environ.get("LCA_TERMINAL_CONFIG") or "config.toml")


def symbol() -> str:
    return os.environ.get("LCA_TERMINAL_SYMBOL") or "EURUSD"


def load() -> AppConfig:
    return load_config(config_path())


def refuse_real_account(account: Any) -> None:
    """Raise `RealAccountRefused` unless `account_info().trade_mode` is demo or contest."""
    if int(account.trade_mode) == mt5c.ACCOUNT_TRADE_MODE_REAL:
        raise RealAccountRefused(
            f"account {account.login} is a REAL account (trade_mode {account.trade_mode}): the "
            "acceptance run opens a position and lets the guard close it, so it runs only on a "
            "demo or contest account. Log the terminal into a demo account and run it again.")


def refuse_open_positions(positions: Any) -> None:
    """Raise `OpenPositionsRefused` when the account holds any position: the guard, in enforce
    mode with thresholds that cut everything, would close them too."""
    if positions:
        names = ", ".join(sorted({str(p.symbol) for p in positions}))
        raise OpenPositionsRefused(
            f"the demo account holds {len(positions)} position(s) ({names}): the guard test cuts "
            "every position of the account, so it runs only on a demo account with none open. "
            "Close them, or use another demo account.")


def acceptance_config(base: AppConfig, folder: Path) -> AppConfig:
    """`base`'s terminal, in enforce mode, with thresholds that make the guard cut any position
    (EffLev above 0.001 is a forced reduction back to 0.0005: a min-lot position is closed
    whole), its journal and log in `folder`, a short warm-up, the EA link and prop rules off."""
    data = base.model_dump(mode="json")
    data["prop"]["enabled"] = False  # kept for its server clock (offset, DST); no prop rules
    data["run"].update(mode="enforce", journal=f"sqlite:///{folder / 'journal.db'}",
                       log_file=str(folder / "lca.log"), warmup_hours=1.0,
                       allow_real_account=False)
    data["risk"] = {"profile": "seed"}
    data["rules"].update(eff_lev_reduce_above=0.001, eff_lev_forced_above=0.001,
                         eff_lev_target=0.0005)
    data["ea"]["enabled"] = False
    return settings_from_dict(data, "the acceptance run's configuration")
