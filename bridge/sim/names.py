"""Scenario names: one scheme for every command, event-year (`gbp-flash-2016`, `snb-2015`,
`jpy-flash-2019`, `covid-2020`), and the old names kept as aliases.

`lca run` used to say `flash-gbp-2016` where `lca stress` said `gbp-flash-2016`; a config written
before the rename still works: `canonical(name)` gives the new name and `rename_note(name)` the
one line a command prints ("scenario 'flash-gbp-2016' renamed to 'gbp-flash-2016'").
"""

from __future__ import annotations

from pathlib import Path

from bridge.sim.errors import ScenarioError

__all__ = ["ALIASES", "canonical", "folder_scenario", "rename_note"]

#: old name → new name (a `data/` prefix is kept: `data/flash-gbp-2016` → `data/gbp-flash-2016`)
ALIASES: dict[str, str] = {
    "flash-gbp-2016": "gbp-flash-2016",
    "flash-jpy-2019": "jpy-flash-2019",
}


def _split(name: str) -> tuple[str, str]:
    prefix, sep, rest = name.rpartition("/")
    return (prefix + sep, rest) if prefix == "data" else ("", name)


def canonical(name: str) -> str:
    """The current spelling of a scenario name (the name itself when it is not an old one); a
    stress window-preset name keeps its preset (`flash-gbp-2016-esma` → `gbp-flash-2016-esma`)."""
    prefix, rest = _split(name)
    for old, new in ALIASES.items():
        if rest == old or rest.startswith(f"{old}-"):
            return prefix + new + rest.removeprefix(old)
    return name


def rename_note(name: str) -> str | None:
    """The one line to print when `name` is an old spelling, else None."""
    new = canonical(name)
    if new == name:
        return None
    return f"scenario {name!r} renamed to {new!r} (the old name still works)"


def folder_scenario(folder: Path) -> Path:
    """The scenario file of a scenario folder (a recording): its `scenario.toml`, else its only
    `.toml` file; ScenarioError naming the folder otherwise."""
    if (folder / "scenario.toml").is_file():
        return folder / "scenario.toml"
    found = sorted(folder.glob("*.toml"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise ScenarioError(f"scenario folder {folder} has no scenario .toml file; give the "
                            "scenario file itself (--scenario FILE.toml)")
    raise ScenarioError(f"scenario folder {folder} has {len(found)} .toml files "
                        f"({', '.join(f.name for f in found)}); give one of them "
                        "(--scenario FOLDER/FILE.toml)")
