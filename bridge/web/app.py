"""The dashboard's FastAPI application: pages, REST endpoints under /api/, /metrics.

Every request needs the token (`LCA_DASHBOARD_TOKEN`): an ``Authorization: Bearer <token>``
header (scripts, Prometheus), or the ``lca_token`` cookie the page gets when it is opened once
as ``/?token=<token>`` (the address bar is then cleared by a redirect). Without it: 401. The
token is compared in constant time and never logged. FastAPI's own OpenAPI page is `/docs`.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, Field

from bridge.web.control import ControlError, Controls

__all__ = ["Board", "ControlBody", "create_app"]

STATIC = Path(__file__).with_name("static")
COOKIE = "lca_token"
_PAGES = ("/", "/fleet")  # opened once with ?token=…: the cookie is set, the address cleared


class ControlBody(BaseModel):
    """A control request: who asks and why (both journaled); `confirm` = "FLATTEN" for a
    flatten, "LIFT" for lift_prop_lock; `mode` = observe | shadow | enforce for a mode switch."""

    who: str = Field(min_length=1, max_length=80)
    why: str = Field(min_length=1, max_length=400)
    mode: str | None = None
    confirm: str | None = None


def _token_of(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE, "") or request.query_params.get("token", "")


class Board(Protocol):
    """What the dashboard shows: `bridge.web.board.LiveBoard` (a running guard) or
    `bridge.web.journal_board.JournalBoard` (a journal). Each view is JSON data."""

    def fleet(self) -> list[dict[str, Any]]: ...
    def state(self) -> dict[str, Any]: ...
    def series(self) -> dict[str, Any]: ...
    def plan(self) -> list[dict[str, Any]]: ...
    def orders(self) -> list[dict[str, Any]]: ...
    def alerts(self) -> list[dict[str, Any]]: ...
    def controls(self) -> list[dict[str, Any]]: ...


def create_app(board: Board, token: str, *, registry: CollectorRegistry | None = None,
               controls: Controls | None = None, title: str = "lca") -> FastAPI:
    """The app over `board` (a LiveBoard or a JournalBoard); `controls` None = read-only."""
    if not token:
        raise ValueError("LCA_DASHBOARD_TOKEN is empty: set it to a long random string "
                         "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`)")
    app = FastAPI(title=f"{title} dashboard", version="1",
                  description="The guard's live state, plan, orders, alerts and control.")
    _auth(app, token)
    _pages(app)
    _reads(app, board, controls is None)
    _control(app, controls)
    _metrics(app, registry)
    return app


def _auth(app: FastAPI, token: str) -> None:
    @app.middleware("http")
    async def require_token(request: Request,
                            call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = _token_of(request)
        if not hmac.compare_digest(given.encode(), token.encode()):
            return JSONResponse({"detail": "token required: Authorization: Bearer <token>, "
                                 "or open /?token=<token> once"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        if request.url.path in _PAGES and "token" in request.query_params:
            response: Response = RedirectResponse(request.url.path, status_code=303)
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
            return response
        return await call_next(request)


def _pages(app: FastAPI) -> None:
    """The two pages and their static files."""
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/fleet", include_in_schema=False)
    def fleet_page() -> FileResponse:
        return FileResponse(STATIC / "fleet.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def _reads(app: FastAPI, board: Board, read_only: bool) -> None:
    """The read endpoints under /api/, each one of `board`'s views."""
    @app.get("/api/fleet", summary="every account of the journal: state, EffLev, MSI, "
             "distances to the stop-out and the prop limits, lease holder, snapshot age")
    def fleet() -> list[dict[str, Any]]:
        return list(board.fleet())

    @app.get("/api/state", summary="live state: EffLev, MU, MSI, LVI, bands, regime, state")
    def state() -> dict[str, Any]:
        return {**board.state(), "read_only": read_only}

    @app.get("/api/series", summary="equity, EffLev, MU, MSI, LVI since the guard started")
    def series() -> dict[str, Any]:
        return dict(board.series())

    @app.get("/api/plan", summary="the open plan with its slices")
    def plan() -> list[dict[str, Any]]:
        return list(board.plan())

    @app.get("/api/orders", summary="slice outcomes with retcodes, newest first")
    def orders() -> list[dict[str, Any]]:
        return list(board.orders())

    @app.get("/api/warnings", summary="the warnings of the current decision")
    def warnings() -> list[dict[str, Any]]:
        return list(board.state().get("warnings", []))

    @app.get("/api/alerts", summary="alerts with their delivery results, newest first")
    def alerts() -> list[dict[str, Any]]:
        return list(board.alerts())

    @app.get("/api/controls", summary="control actions with who and why, newest first")
    def control_log() -> list[dict[str, Any]]:
        return list(board.controls())


def _control(app: FastAPI, controls: Controls | None) -> None:
    @app.post("/api/control/{action}",
              summary="pause, resume, mode, flatten or lift_prop_lock (journaled)")
    def control(action: str, body: ControlBody, request: Request) -> dict[str, Any]:
        if controls is None:
            raise HTTPException(403, "read-only: `lca serve` shows a journal; control runs "
                                "with `lca run --dashboard`")
        if action == "flatten" and body.confirm != "FLATTEN":
            raise HTTPException(400, 'flatten closes every position: send confirm = "FLATTEN"')
        if action == "lift_prop_lock" and body.confirm != "LIFT":
            raise HTTPException(400, 'lift_prop_lock allows new trades again: send confirm = '
                                '"LIFT"')
        origin = request.client.host if request.client else "?"
        try:
            row = controls.request(action, body.who, body.why, origin, mode=body.mode)
        except ControlError as exc:
            raise HTTPException(400, str(exc)) from exc
        if row.get("ok") is False:
            raise HTTPException(409, row["result"])
        return row


def _metrics(app: FastAPI, registry: CollectorRegistry | None) -> None:
    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        if registry is None:
            return Response("", media_type=CONTENT_TYPE_LATEST)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
