"""The operator's web surface: a dashboard with control, REST under /api/, /metrics.

`attach_dashboard(guard, ...)` adds the live board, the control queue and the metrics to the
guard's observers and starts the server beside it (`lca run --dashboard`); `lca serve` serves a
journal read-only (bridge.web.journal_board).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridge.metrics import MetricsObserver
from bridge.web.app import create_app
from bridge.web.board import LiveBoard
from bridge.web.control import Controls
from bridge.web.server import DEFAULT_BIND, DashboardServer, check_bind, parse_bind

if TYPE_CHECKING:
    from bridge.observe import GuardView

__all__ = ["DEFAULT_BIND", "ENV_TOKEN", "Dashboard", "attach_dashboard", "token_from_env"]

ENV_TOKEN = "LCA_DASHBOARD_TOKEN"


def token_from_env(environ: Mapping[str, str]) -> str:
    """The dashboard token, or a ValueError naming the variable."""
    token = environ.get(ENV_TOKEN, "")
    if len(token) < 16:
        raise ValueError(f"{ENV_TOKEN} must hold a token of at least 16 characters (e.g. "
                         "`python -c 'import secrets; print(secrets.token_urlsafe())'`)")
    return token


@dataclass
class Dashboard:
    """A running dashboard: its server, port and the observers it added."""

    server: DashboardServer
    port: int
    board: LiveBoard
    metrics: MetricsObserver
    controls: Controls

    def close(self) -> None:
        self.server.stop()


def attach_dashboard(guard: GuardView, environ: Mapping[str, str], bind: str = DEFAULT_BIND,
                     public_reason: str = "") -> Dashboard:
    """Add the board, controls and metrics to `guard.observers`; serve them on `bind`."""
    token = token_from_env(environ)
    host, port = parse_bind(bind)
    check_bind(host, public_reason)
    board, metrics, controls = LiveBoard(), MetricsObserver(), Controls()
    guard.observers.extend([board, metrics, controls])
    app = create_app(board, token, registry=metrics.registry, controls=controls)
    server = DashboardServer(app, host, port)
    return Dashboard(server, server.start(), board, metrics, controls)
