"""`TerminalError`: the one error a terminal call raises through `bridge.terminal.TerminalPort`:
the function, and the terminal's `last_error()` code and message (mt5-api.md §0.3)."""

from __future__ import annotations

from bridge.mt5 import constants as mt5c

__all__ = ["AUTH_FAILED", "CONNECTION_CODES", "TerminalError"]

CONNECTION_CODES = frozenset({mt5c.RES_E_INTERNAL_FAIL_SEND, mt5c.RES_E_INTERNAL_FAIL_RECEIVE,
                               mt5c.RES_E_INTERNAL_FAIL_INIT, mt5c.RES_E_INTERNAL_FAIL_CONNECT,
                               mt5c.RES_E_INTERNAL_FAIL_TIMEOUT})
AUTH_FAILED = mt5c.RES_E_AUTH_FAILED  # mt5-api.md §0.3: never retried


class TerminalError(RuntimeError):
    """A terminal call failed: `function`, and the terminal's `code` and `message`."""

    def __init__(self, function: str, code: int, message: str) -> None:
        self.function = function
        self.code = code
        self.message = message
        super().__init__(f"{function}() failed: {message} ({code})")

    @property
    def connection_lost(self) -> bool:
        """True for the IPC errors that a reconnect may cure."""
        return self.code in CONNECTION_CODES
