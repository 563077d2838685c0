"""Opening the journal for a reading command (`lca status`, `lca fleet status`)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bridge.config import ConfigError, load_config
from bridge.journal import Journal, JournalError

__all__ = ["open_for_reading"]


def open_for_reading(config: Path, url: str | None, err: Console) -> Journal | int:
    """The journal of `--journal URL`, else of the config's `[run] journal`, read-only; or the
    exit code after a message on `err` (1: no journal yet, 2: a configuration or journal error)."""
    password_env = "LCA_JOURNAL_PASSWORD"
    try:
        if config.exists():
            run = load_config(config).run
            url = run.journal if url is None else url
            password_env = run.journal_password_env
    except ConfigError as exc:
        if url is None:  # the journal was to come from this config
            err.print(f"[red]configuration error[/]\n{escape(str(exc))}", highlight=False)
            return 2
    url = url or "sqlite:///runs/journal.db"
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        err.print(f"no journal at {escape(url)}: run `uv run lca run` first")
        return 1
    try:
        return Journal(url, password_env=password_env, writable=False)
    except JournalError as exc:
        err.print(f"[red]journal error:[/] {escape(str(exc))}", highlight=False)
        return 2
