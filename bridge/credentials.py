"""Terminal credentials: login, password and server from environment variables (never from a
file, never in a log or an output)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from bridge.terminal_errors import TerminalError

__all__ = ["Credentials"]


@dataclass(frozen=True)
class Credentials:
    """Login, password and server, read from environment variables (never from a file), and
    the names of those variables (for messages)."""

    login: int | None
    password: str | None
    server: str | None
    login_var: str = "LCA_MT5_LOGIN"
    password_var: str = "LCA_MT5_PASSWORD"
    server_var: str = "LCA_MT5_SERVER"

    @classmethod
    def from_env(cls, login_var: str, password_var: str, server_var: str) -> Credentials:
        raw = os.environ.get(login_var)
        login = None
        if raw:
            try:
                login = int(raw)
            except ValueError:
                raise ValueError(f"environment variable {login_var} must be the account "
                                 f"number (digits), not {raw!r}") from None
        password = os.environ.get(password_var) or None
        if login is not None and password is None:
            raise ValueError(f"environment variable {password_var} is not set: it holds the "
                             f"password of account {login} ({login_var}); set it, or unset "
                             f"{login_var} to use the account the terminal is logged into")
        return cls(login, password, os.environ.get(server_var) or None, login_var, password_var,
                   server_var)

    def refused(self, error: TerminalError) -> TerminalError:
        """The authorization failure, naming the variables to fix (never the password)."""
        account = f"account {self.login} ({self.login_var})" if self.login is not None else \
            f"the account the terminal is logged into ({self.login_var} is not set)"
        server = f" on server {self.server!r} ({self.server_var})" if self.server else ""
        return TerminalError(error.function, error.code, (
            f"{error.message}: the terminal refused {account}{server}. Check {self.login_var}, "
            f"{self.password_var} and {self.server_var}, then start lca again; it does not "
            "retry a refused login (a broker locks an account after repeated wrong passwords)"))

    def __repr__(self) -> str:  # never show the password
        return f"Credentials(login={self.login}, password=***, server={self.server!r})"
