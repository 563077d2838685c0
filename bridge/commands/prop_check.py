"""`lca check`, the prop lines: the preset in use, its source and age, and each override.

The overrides are the keys of the user's own `[prop]` table (read from the TOML again, so the
defaults never count as "written") that differ from the preset's figures.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from controller.prop_presets import PRESET_SOURCES, preset_age_warning, preset_overrides
from controller.settings import PropSettings

__all__ = ["prop_lines"]


def _written(path: Path) -> dict[str, object]:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("prop", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return dict(table) if isinstance(table, dict) else {}


def prop_lines(path: Path, prop: PropSettings, today: date) -> list[tuple[str, str]]:
    """(level, text) lines for `lca check`: level "ok", "note" or "warn". Empty without a
    preset. `today` is the calendar date the preset's verification is compared with."""
    if not prop.preset:
        return []
    source = PRESET_SOURCES[prop.preset]
    state = "on" if prop.enabled else "off (prop.enabled = false)"
    lines = [("ok", f"prop preset {prop.preset}: {source.firm} {source.program}, {state}; "
                    f"last verified {source.verified.isoformat()} against {source.urls[0]}")]
    lines += [("note", o.line()) for o in preset_overrides(prop.preset, _written(path))]
    warning = preset_age_warning(prop.preset, today)
    if warning is not None:
        lines.append(("warn", warning))
    return lines
