"""Fixtures of the demo-account acceptance run: one connection to the terminal for the session,
refused on a REAL account."""

from __future__ import annotations

import pytest

from tests.terminal import live


@pytest.fixture(scope="session")
def config():
    if not live.wanted():
        pytest.skip(live.SKIP_REASON)
    try:
        return live.load()
    except ValueError as exc:  # ConfigError: the message names the key
        pytest.exit(f"LCA_TERMINAL_CONFIG={live.config_path()}: {exc}", returncode=2)


@pytest.fixture(scope="session")
def mt5(config):
    """The module-shaped terminal, initialized, on a demo or contest account."""
    from bridge.compose import open_module
    from bridge.terminal import Credentials, TerminalError, TerminalPort

    t = config.terminal
    try:
        module = open_module(t.kind, scenario=t.scenario, data_dir=t.data_dir or None,
                             host=t.host, port=t.port, allow_remote=t.allow_remote,
                             timeout_ms=t.timeout_ms)
        port = TerminalPort(module, Credentials.from_env(t.login_env, t.password_env,
                                                         t.server_env),
                            path=t.path or None, timeout_ms=t.timeout_ms)
        port.connect(attempts=1)
        account = port.call("account_info")
    except (TerminalError, ValueError) as exc:
        pytest.exit(f"no terminal to accept ({t.kind}): {exc}; `uv run lca check --config "
                    f"{live.config_path()}` says what is wrong", returncode=2)
    try:
        live.refuse_real_account(account)
    except live.RealAccountRefused as exc:
        pytest.exit(str(exc), returncode=3)
    yield module
    module.shutdown()


@pytest.fixture(scope="session")
def symbol(mt5):
    name = live.symbol()
    mt5.symbol_select(name, True)
    if mt5.symbol_info(name) is None:
        pytest.exit(f"symbol {name!r} is not in this terminal ({mt5.last_error()}): set "
                    "LCA_TERMINAL_SYMBOL to the broker's name of it (e.g. EURUSD.m)",
                    returncode=2)
    return name
