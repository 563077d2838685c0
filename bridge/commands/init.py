"""`lca init`: write a commented config.toml for a profile and a terminal kind.

The file is generated from the settings schema (the same models docs/config.md is generated
from), so it lists every key: the few the chosen profile and terminal need are written, every
other key is a comment showing the value in force and what it means. Removing the `# ` in front
of a key writes it. For a prop-firm preset only `[prop] enabled` and `preset` are written: the
preset sets its own keys, and its values are shown commented (a key you write overrides it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import tomllib
from enum import Enum
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape

from bridge.config import AppConfig, ConfigError, settings_from_dict
from controller.prop_settings import PROP_PRESETS

__all__ = ["config_text", "profile_choices"]

TERMINALS = ("sim", "mt5", "mt5linux")
_COLUMN = 34  # where the description starts, as in the shipped config.toml
_WIDTH = 100

_TERMINAL_NOTES = {
    "sim": "the built-in simulated terminal: replays a scenario, sends nothing anywhere",
    "mt5": "Windows: the MetaTrader5 package talks to the terminal on this machine",
    "mt5linux": "Linux/macOS: the terminal under Wine, through its RPyC server on loopback "
                "(docs/linux.md)",
}


def profile_choices() -> list[str]:
    """seed, retail, then every prop-firm preset."""
    return ["seed", "retail", *sorted(PROP_PRESETS)]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="write a commented config.toml for a profile (seed, retail "
                       "or a prop-firm preset) and a terminal kind (sim, mt5, mt5linux)")
    p.add_argument("--profile", choices=profile_choices(), default=None,
                   help="seed (appetite 1), retail (appetite 5, books of 10-30:1) or a "
                   "prop-firm preset; asked on a terminal when missing, else seed")
    p.add_argument("--terminal", choices=TERMINALS, default=None,
                   help="sim (simulated), mt5 (Windows) or mt5linux (Wine); asked on a "
                   "terminal when missing, else sim")
    p.add_argument("--out", type=Path, default=Path("config.toml"),
                   help="the file to write (default: config.toml)")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(func=_init)


def _choose(what: str, flag: str, choices: list[str] | tuple[str, ...], default: str,
            out: Console) -> str:
    """Ask on a terminal; without one take the default and say so."""
    if not sys.stdin.isatty():
        out.print(f"no {flag} given and no terminal to ask: {flag} {default}", highlight=False)
        return default
    prompt = f"{what} ({', '.join(choices)}) [{default}]: "
    for _ in range(5):
        try:
            answer = input(prompt).strip()
        except EOFError:
            return default
        if not answer:
            return default
        if answer in choices:
            return answer
        out.print(f"{answer!r} is not one of {', '.join(choices)}", highlight=False)
    return default


def _init(args: argparse.Namespace) -> int:
    out = Console(soft_wrap=True)
    target: Path = args.out
    if target.exists() and not args.force:
        out.print(f"[red]✗[/] {escape(str(target))} exists: lca init never overwrites a "
                  "configuration. Pass --force to replace it, or --out OTHER.toml",
                  highlight=False)
        return 2
    profile = args.profile or _choose("profile", "--profile", profile_choices(), "seed", out)
    kind = args.terminal or _choose("terminal kind", "--terminal", TERMINALS, "sim", out)
    text = config_text(profile, kind)
    try:
        settings_from_dict(tomllib.loads(text), str(target))
    except (ConfigError, tomllib.TOMLDecodeError) as exc:  # a schema change init missed
        out.print(f"[red]✗ lca init made a file that does not load[/]: {escape(str(exc))}",
                  highlight=False)
        return 1
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        out.print(f"[red]✗[/] cannot write {escape(str(target))}: {exc.strerror or exc}",
                  highlight=False)
        return 2
    out.print(f"[green]✓[/] wrote {escape(str(target))}: profile {profile}, terminal {kind}. "
              f"Next: [bold]lca check --config {escape(str(target))}[/]", highlight=False)
    if kind == "mt5linux":
        out.print("  the terminal under Wine and its RPyC server: docs/linux.md")
    return 0


# -- the text ---------------------------------------------------------------------------------

def _value(value: object) -> str:
    """A value as TOML (floats exactly, by repr); `(unset)` for None (no TOML for it)."""
    if value is None:
        return "(unset)"
    if isinstance(value, Enum):
        return _value(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(_key(k))} = {_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def _key(k: object) -> str:
    return str(k.value) if isinstance(k, Enum) else str(k)


def _line(statement: str, note: str) -> list[str]:
    """`statement` with `note` from column 34, wrapped on comment lines under it."""
    if not note:
        return [statement]
    first = statement.ljust(_COLUMN - 1) + " "
    wrapped = textwrap.wrap(note, width=max(_WIDTH - _COLUMN - 2, 30))
    lines = [f"{first}# {wrapped[0]}"]
    lines += ["#".ljust(_COLUMN) + f"# {w}" for w in wrapped[1:]]
    return lines


def _active(profile: str, kind: str) -> dict[str, dict[str, object]]:
    """The keys the file writes: the profile, the terminal kind and, for a preset, [prop]."""
    risk = profile if profile in ("seed", "retail") else "seed"
    active: dict[str, dict[str, object]] = {"risk": {"profile": risk}, "terminal": {"kind": kind}}
    if kind == "mt5linux":
        active["terminal"].update(host="localhost", port=18812)
    if profile in PROP_PRESETS:
        active["prop"] = {"enabled": True, "preset": profile}
    return active


def _notes(table: str, name: str, profile: str, field_note: str) -> str:
    if table == "prop" and profile in PROP_PRESETS and name in PROP_PRESETS[profile]:
        return f"set by preset {profile}; write the key to override it. " + \
            field_note[:1].upper() + field_note[1:]
    return field_note


def _table(lines: list[str], title: str, model: type[BaseModel], value: BaseModel,
           written: dict[str, object], profile: str) -> None:
    doc = " ".join((model.__doc__ or "").split())
    lines += ["", f"[{title}]"] + [f"# {w}" for w in textwrap.wrap(doc, _WIDTH - 2)]
    nested: list[tuple[str, type[BaseModel], BaseModel]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        current = getattr(value, name)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested.append((f"{title}.{name}", annotation, current))
            continue
        note = field.description or ""
        if isinstance(current, tuple) and current and isinstance(current[0], BaseModel):
            lines += _line(f"# {name}: {len(current)} tables by default", "docs/config.md "
                           f"lists them; [[{title}.{name}]] tables you write replace them all")
            continue
        if title == "terminal" and name == "kind":
            note = _TERMINAL_NOTES[str(current)]
        else:
            note = _notes(title.split(".")[0], name, profile, note)
        statement = f"{name} = {_value(current)}"
        lines += _line(statement if name in written else f"# {statement}", note)
    for sub_title, sub_model, sub_value in nested:
        _table(lines, sub_title, sub_model, sub_value, {}, profile)


def config_text(profile: str, kind: str) -> str:
    """The whole file for `profile` (seed, retail or a prop preset) and terminal `kind`."""
    if profile not in profile_choices():
        raise ValueError(f"profile {profile!r} is unknown (allowed: "
                         f"{', '.join(profile_choices())})")
    if kind not in TERMINALS:
        raise ValueError(f"terminal kind {kind!r} is unknown (allowed: {', '.join(TERMINALS)})")
    active = _active(profile, kind)
    config = settings_from_dict(active, "lca init")  # the values in force, shown in comments
    lines = [
        f"# lca configuration, written by: lca init --profile {profile} --terminal {kind}",
        "# A line `key = value` is written; a line `# key = value` shows the value in force",
        "# (the default, or the profile's or preset's): remove the `# ` to write it.",
        "# Units: fractions are plain numbers (0.5 = 50 %), leverage is a multiple of equity,",
        "# MSI = equity / margin, times in minutes unless the name says otherwise.",
        "# Every key: docs/config.md. Check the file: lca check --config THIS_FILE.",
        "# Credentials are never written here: the terminal's login, password and server are",
        "# read from the environment variables named in [terminal] (for a service, its env file",
        "# with mode 600: docs/service.md).",
    ]
    for name, field in AppConfig.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            _table(lines, name, annotation, getattr(config, name), active.get(name, {}),
                   profile)
    return "\n".join(lines) + "\n"
