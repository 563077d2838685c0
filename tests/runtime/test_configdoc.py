"""docs/config.md is generated from the settings schema (bridge.commands.configdoc) and stays so:
every key of config.toml is documented with a description, and the committed file is exactly
what the schema generates."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel

from bridge.commands.configdoc import REGENERATE, config_markdown
from bridge.config import AppConfig

REPO = Path(__file__).resolve().parents[2]


def test_committed_config_doc_is_what_the_schema_generates() -> None:
    committed = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    assert committed == config_markdown(), f"docs/config.md is stale: run `{REGENERATE}`"


def _keys(model: type[BaseModel], prefix: str = "") -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.update(_keys(annotation, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = field.description
    return out


def test_every_settings_key_has_a_description() -> None:
    missing = [key for key, text in _keys(AppConfig).items() if not text]
    assert missing == []


def test_every_key_of_config_toml_is_in_the_config_doc() -> None:
    doc = config_markdown()
    data = tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8"))

    def walk(table: dict[str, object], title: str) -> None:
        for key, value in table.items():
            where = f"{title}.{key}" if title else key
            if isinstance(value, dict) and title != "safe_leverage.symbol_classes":
                walk(value, where)
                continue
            assert f"## `[{title}]`" in doc, title
            section = doc.split(f"## `[{title}]`", 1)[1].split("\n## ", 1)[0]
            assert f"| `{key}` |" in section, where

    walk(data, "")
