"""Load `config.toml` into the typed settings, with errors a user can act on.

Every problem names the key (as `[table] key`), the value found and what is allowed:

    config.toml: [rules] eff_lev_reduce_above = -1: must be greater than 0
    config.toml: [rules] eff_lev_reduce_abve: unknown key (allowed: eff_lev_forced_above, ...)
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from controller.settings import Settings

__all__ = ["ConfigError", "load_settings", "settings_from_dict"]


class ConfigError(ValueError):
    """The configuration cannot be used; the message lists every problem, one per line."""


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the key at `loc` (for the list of allowed keys)."""
    current: type[BaseModel] = model
    for part in loc[:-1]:
        if not isinstance(part, str) or part not in current.model_fields:
            return None
        annotation = current.model_fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            current = annotation
        else:
            return None
    return current


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) == 1:
        return parts[0]
    return f"[{'.'.join(parts[:-1])}] {parts[-1]}"


def _explain(model: type[BaseModel], error: Any) -> str:
    loc = tuple(error["loc"])
    where = _where(loc) if loc else "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        allowed = ", ".join(sorted(owner.model_fields)) if owner is not None else "see docs"
        return f"{where}: unknown key (allowed: {allowed})"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    message = message[0].lower() + message[1:] if message else message
    if kind == "missing":
        return f"{where}: required key is missing"
    return f"{where} = {error.get('input')!r}: {message}"


def settings_from_dict(data: dict[str, Any], source: str = "config") -> Settings:
    """Validate a parsed TOML document; raise ConfigError naming every bad key."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        lines = [f"{source}: {_explain(Settings, e)}" for e in exc.errors()]
        raise ConfigError("\n".join(lines)) from None


def load_settings(path: str | Path) -> Settings:
    """Read and validate a TOML configuration file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: configuration file not found (pass --config PATH)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return settings_from_dict(data, str(p))
