"""Keys that moved to another table: a configuration that still writes them in their old place
keeps working (the values are taken) and `lca check` says where they now belong.

`server_utc_offset_hours` and `server_dst` describe the broker's trade-server clock, not the prop
firm: they moved from `[prop]` to `[terminal]` (issue 13), beside the rest of what the guard
needs to know about the terminal and its server.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

__all__ = ["SERVER_KEYS", "moved_server_keys"]

#: the server clock's keys, once under [prop], now under [terminal]
SERVER_KEYS = ("server_utc_offset_hours", "server_dst")


def _checked(key: str, value: object, terminal: type[BaseModel]) -> None:
    """A ValueError naming `[prop] key` when `value` is not a valid `[terminal] key`."""
    try:
        terminal.model_validate({key: value})
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ValueError(f"[prop] {key} = {value!r}: {message[:1].lower()}{message[1:]} (it now "
                         "belongs under [terminal])") from None


def moved_server_keys(data: object, terminal: type[BaseModel]) -> tuple[object, tuple[str, ...]]:
    """`data` (a parsed configuration) with the server clock's keys moved from `[prop]` to
    `[terminal]`, and one note per table saying so (none when nothing moved). Both tables
    writing the same key is a ValueError naming both; `data` itself is left as it is."""
    if not isinstance(data, dict) or not isinstance(data.get("prop"), dict):
        return data, ()
    found = [k for k in SERVER_KEYS if k in data["prop"]]
    if not found:
        return data, ()
    table = data.get("terminal")
    own: dict[str, Any] = dict(table) if isinstance(table, dict) else {}
    both = [k for k in found if k in own]
    if both:
        raise ValueError(f"[prop] {', '.join(both)} and [terminal] {', '.join(both)} are both "
                         "set: keep the [terminal] ones (the server clock's keys belong there "
                         "now) and remove them from [prop]")
    for key in found:
        _checked(key, data["prop"][key], terminal)
    prop = {k: v for k, v in data["prop"].items() if k not in found}
    moved = {**data, "prop": prop}
    if isinstance(table, dict) or table is None:
        moved["terminal"] = {**own, **{k: data["prop"][k] for k in found}}
    note = (f"[prop] {', '.join(found)}: the server clock's settings now belong under "
            "[terminal] (the values were taken; move the lines there)")
    return moved, (note,)
