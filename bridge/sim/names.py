"""Scenario names: one scheme for every command, event-year (`gbp-flash-2016`, `snb-2015`,
`jpy-flash-2019`, `covid-2020`), and the old names kept as aliases.

`lca run` used to say `flash-gbp-2016` where `lca stress` said `gbp-flash-2016`; a config written
before the rename still works: `canonical(name)` gives the new name and `rename_note(name)` the
one line a command prints ("scenario 'flash-gbp-2016' renamed to 'gbp-flash-2016'").
"""

from __future__ import annotations

__all__ = ["ALIASES", "canonical", "rename_note"]

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
