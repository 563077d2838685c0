"""docs/config.md, generated from the settings schema (controller/settings.py, bridge/config.py):
every key of config.toml with its default, its allowed values or range, and its description.

    uv run python -m bridge.commands.configdoc > docs/config.md

tests/runtime/test_configdoc.py fails when the committed docs/config.md differs from this output.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from enum import Enum

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bridge.config import AppConfig
from controller.settings import ThinHours

__all__ = ["config_markdown"]

REGENERATE = "uv run python -m bridge.commands.configdoc > docs/config.md"

_HEADER = f"""# Configuration keys

<!-- Generated from the settings schema by `{REGENERATE}`: do not edit by hand
(tests/runtime/test_configdoc.py fails when this file and the schema differ). -->

Every key of `config.toml` is optional: a missing key takes the default below. Units: fractions
are plain numbers (0.5 = 50 %), leverage is a multiple of equity (EffLev 2.0 = position value
twice the equity), MSI = equity / margin (MT5 margin level / 100), times in minutes unless the
name says otherwise. An unknown key or a value outside its range is refused with a message that
names the key (`lca check` validates a file). `[risk]` comes first: its appetite scales the
defaults of the keys marked "scaled by risk.appetite" that the file does not write
(docs/stress.md "Risk appetite"); the defaults shown are those of the seed profile.
"""


def _toml(value: object) -> str:
    """A value as it is written in TOML."""
    if value is None:
        return "unset"
    if isinstance(value, Enum):
        return json.dumps(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ", ".join(f"{json.dumps(_key(k))} = {_toml(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, tuple | list):
        if value and isinstance(value[0], BaseModel):
            return f"{len(value)} windows (below)"
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _key(k: object) -> str:
    return str(k.value) if isinstance(k, Enum) else str(k)


def _bounds(metadata: list[object]) -> str:
    low = high = ""
    for m in metadata:
        if isinstance(m, Gt):
            low = f"> {_toml(m.gt)}"
        elif isinstance(m, Ge):
            low = f"≥ {_toml(m.ge)}"
        elif isinstance(m, Lt):
            high = f"< {_toml(m.lt)}"
        elif isinstance(m, Le):
            high = f"≤ {_toml(m.le)}"
    return ", ".join(x for x in (low, high) if x)


def _allowed(annotation: object, metadata: list[object]) -> str:
    """The type and range of a field, in words."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        meta = [m for e in extra for m in (e.metadata if isinstance(e, FieldInfo) else [e])]
        return _allowed(inner, [*metadata, *meta])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(_allowed(a, metadata) for a in args) + ", or unset"
    if origin is tuple:
        return "list of " + _allowed(typing.get_args(annotation)[0], []) + "s"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"table: {_allowed(key, [])} → {_allowed(value, [])}"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " | ".join(json.dumps(m.value) for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    words: dict[object, str] = {bool: "true | false", int: "whole number", float: "number",
                                str: "text"}
    word = words.get(annotation, str(annotation))
    bounds = _bounds(metadata)
    return f"{word} {bounds}" if bounds else word


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _scaled(table: str, key: str) -> str:
    from controller.appetite import SCALED

    return " (scaled by risk.appetite)" if key in SCALED.get(table, ()) else ""


def _table(lines: list[str], title: str, model: type[BaseModel], value: BaseModel | None) -> None:
    """One `[title]` section: the model's docstring and a row per key; nested tables after."""
    doc = " ".join((model.__doc__ or "").split())
    lines += ["", f"## `[{title}]`", "", doc, "", "| key | default | allowed | description |",
              "|---|---|---|---|"]
    nested: list[tuple[str, type[BaseModel], BaseModel | None]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested.append((f"{title}.{name}", annotation, getattr(value, name, None)))
            continue
        default = getattr(value, name) if value is not None else field.default
        shown = "required" if value is None and field.is_required() else _toml(default)
        row = (f"`{name}`", f"`{shown}`" if shown != "required" else shown,
               _allowed(annotation, list(field.metadata)),
               (field.description or "") + _scaled(title.split(".")[0], name))
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    for sub_title, sub_model, sub_value in nested:
        _table(lines, sub_title, sub_model, sub_value)


def config_markdown() -> str:
    """The text of docs/config.md, from the schema and the defaults of `AppConfig()`."""
    config = AppConfig()
    lines = [_HEADER.rstrip("\n")]
    for name, field in AppConfig.model_fields.items():
        annotation = field.annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            continue  # every top-level key is a table today
        _table(lines, name, annotation, getattr(config, name))
        if name == "extras":  # an array of tables: each window's keys
            _table(lines, "extras.thin_hours[]", ThinHours, None)
            lines += ["", "Default windows: " + "; ".join(
                f"{w.label} {w.start_utc}–{w.end_utc} UTC, factor {w.factor:g}, spread_multiple "
                f"{w.spread_multiple:g}" for w in config.extras.thin_hours) + "."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(config_markdown())
