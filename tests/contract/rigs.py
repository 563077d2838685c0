"""The terminals the port contract runs on, each as a `Rig`: what `TerminalPort` wraps, the
server clock and the now to read it with, a symbol it has, the right credentials.

- `sim_rig`: the simulated terminal (behind the kit's scripted terminal, so a test can break it);
- `remote_rig`: the mt5linux path, `bridge.mt5remote.RemoteMT5` talking to an RPyC classic
  server on 127.0.0.1 (in this process, in a thread) whose `MetaTrader5` is the simulated
  terminal (scripted too: the script lives on the server side, behind the wire);
- `live_rig`: the real `MetaTrader5` module (or mt5linux to a real terminal) of the configuration
  tests/terminal/live.py names, on a DEMO account; only with LCA_TERMINAL=1.

The simulated rigs use flash-gbp-2016 with a password on its account (`PASSWORD`), so a wrong
one is refused as a broker refuses it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.servertime import ServerClock
from bridge.sim import SimTerminal
from bridge.sim.scenario import BUILTIN_DIR
from bridge.terminal import Credentials, TerminalPort
from tests.kit import ScriptedTerminal

__all__ = ["LOGIN", "PASSWORD", "SERVED", "Rig", "live_rig", "remote_rig", "sim_rig"]

LOGIN = 10000001
SERVER = "LCA-Simulated"
PASSWORD = "Contract-Pa55"
SERVED: dict[int, ScriptedTerminal] = {}
"""The scripted terminals the in-process RPyC servers hand out, by key (see `remote_rig`)."""


@dataclass
class Rig:
    """One terminal under the contract. `script` is the scripted simulated terminal behind it
    (None for a real terminal); `trades`: the cases that send a real order may run (never on a
    real terminal: tests/terminal does that, on its own position); `quote_age`: how old (s) its
    last quote may be (None: a live market may be closed)."""

    kind: str
    module: Any
    clock: ServerClock
    now: Callable[[], float]
    symbol: str
    credentials: Credentials
    script: ScriptedTerminal | None = None
    trades: bool = True
    quote_age: float | None = 60.0

    def port(self, credentials: Credentials | None = None) -> TerminalPort:
        """A port on this terminal (not connected), the right credentials unless given."""
        return TerminalPort(self.module, credentials or self.credentials,
                            server_clock=self.clock, sleep=lambda s: None)

    def connected(self) -> TerminalPort:
        port = self.port()
        port.connect(attempts=1)
        return port


def _scenario(folder: Path) -> Path:
    text = (BUILTIN_DIR / "gbp-flash-2016.toml").read_text(encoding="utf-8")
    path = folder / "contract.toml"
    path.write_text(text.replace("[account]\n", f'[account]\npassword = "{PASSWORD}"\n', 1),
                    encoding="utf-8")
    return path


def _credentials() -> Credentials:
    return Credentials(LOGIN, PASSWORD, SERVER)


def _scripted(folder: Path) -> ScriptedTerminal:
    sim = SimTerminal.from_scenario(str(_scenario(folder)))
    sim.advance(120.0)  # two minutes in: quotes, bars and a deal history to read
    return ScriptedTerminal(sim)


def sim_rig(folder: Path) -> Rig:
    script = _scripted(folder)
    return Rig("sim", script, script.sim.scenario.clock, script.sim.now, "GBPUSD",
               _credentials(), script)


@contextmanager
def remote_rig(folder: Path) -> Iterator[Rig]:
    import rpyc
    from rpyc.utils.server import ThreadedServer

    from bridge.mt5remote import RemoteMT5

    script = _scripted(folder)
    key = id(script)
    SERVED[key] = script
    server = ThreadedServer(rpyc.SlaveService, hostname="127.0.0.1", port=0,
                            protocol_config={"allow_all_attrs": True})
    thread = threading.Thread(target=server.start, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not server.active and time.monotonic() < deadline:
        time.sleep(0.01)
    client = RemoteMT5("127.0.0.1", server.port, setup=(
        f"from tests.contract.rigs import SERVED\n_lca_mt5 = SERVED[{key}]"))
    try:
        yield Rig("mt5linux", client, script.sim.scenario.clock, script.sim.now, "GBPUSD",
                  _credentials(), script)
    finally:
        client.close()
        server.close()
        thread.join(timeout=5)
        del SERVED[key]


@contextmanager
def live_rig() -> Iterator[Rig]:
    """The configured real terminal; refused on a REAL account (tests/terminal/live.py). Its
    clock is `[prop] server_utc_offset_hours` / `server_dst` and the wall clock, as `lca run`
    reads a live terminal; `kind = "sim"` (to try the run itself) reads the scenario's clock and
    the simulated now, as `lca run` does."""
    from bridge.compose import open_module
    from tests.terminal import live

    config = live.load()
    t = config.terminal
    module = open_module(t.kind, scenario=t.scenario, data_dir=t.data_dir or None, host=t.host,
                         port=t.port, allow_remote=t.allow_remote, timeout_ms=t.timeout_ms)
    credentials = Credentials.from_env(t.login_env, t.password_env, t.server_env)
    simulated = t.kind == "sim"
    clock = module.scenario.clock if simulated else ServerClock(
        config.terminal.server_utc_offset_hours, config.terminal.server_dst)
    rig = Rig(f"live-{t.kind}", module, clock, module.now if simulated else time.time,
              live.symbol(), credentials, trades=False, quote_age=None)
    live.refuse_real_account(rig.connected().call("account_info"))
    try:
        yield rig
    finally:
        module.shutdown()
