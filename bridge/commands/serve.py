"""`lca serve`: the dashboard over a journal, read-only (while a guard runs, or after)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bridge.config import ConfigError, load_config


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve", help="serve a journal read-only on the web dashboard",
        description="Serve the dashboard over a journal, read-only (no control). The token "
        "comes from LCA_DASHBOARD_TOKEN; open http://HOST:PORT/?token=... once.")
    p.add_argument("--config", type=Path, default=Path("config.toml"))
    p.add_argument("--journal", help="SQLAlchemy URL of the journal (default: run.journal)")
    p.add_argument("--bind", default="127.0.0.1:8787", help="HOST:PORT (loopback by default)")
    p.add_argument("--public-reason", default="",
                   help="why a non-loopback bind is wanted (required for one)")
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from bridge.journal import Journal
    from bridge.web import token_from_env
    from bridge.web.app import create_app
    from bridge.web.journal_board import JournalBoard
    from bridge.web.server import DashboardServer, check_bind, parse_bind

    err = Console(stderr=True)
    try:
        url = args.journal or (load_config(args.config).run.journal if args.config.exists()
                               else "sqlite:///runs/journal.db")
        token = token_from_env(os.environ)
        host, port = parse_bind(args.bind)
        check_bind(host, args.public_reason)
    except (ConfigError, ValueError) as exc:
        err.print(f"[red]cannot serve:[/] {escape(str(exc))}", highlight=False)
        return 2
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        err.print(f"no journal at {url}: run `uv run lca run` first")
        return 1
    journal = Journal(url)
    server = DashboardServer(create_app(JournalBoard(journal), token), host, port)
    try:
        bound = server.start()
        err.print(f"dashboard (read-only) on http://{host}:{bound}/ — open it once with "
                  "?token=<LCA_DASHBOARD_TOKEN>; Ctrl-C stops")
        server.thread.join()
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        err.print(f"[red]cannot serve:[/] {escape(str(exc))}", highlight=False)
        return 2
    finally:
        server.stop()
        journal.close()
    return 0
