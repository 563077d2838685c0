"""Build small scenario files with flat, known quotes for exact-number tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bridge.sim import SimTerminal

START = "2019-02-05T10:00:00Z"
END = "2019-02-05T14:00:00Z"


def flat_terminal(
    tmp_path: Path,
    quotes: dict[str, tuple[float, float]],
    *,
    account: str = "",
    symbols_extra: dict[str, str] | None = None,
    extra: str = "",
    book: str = "",
    moves: dict[str, list[tuple[str, float, float]]] | None = None,
) -> Any:
    """A terminal whose symbols quote (bid, ask) every 10 s from 08:00 to 14:00 UTC on a Tuesday.

    `moves[symbol]` adds later quotes (ISO time, bid, ask) after which the price stays there."""
    tables = []
    for name, (bid, ask) in quotes.items():
        f = tmp_path / f"{name}.csv"
        rows = ["time_utc,bid,ask,bid_volume,ask_volume"]
        later = sorted((moves or {}).get(name, []))
        for h in range(8, 14):
            for m in range(60):
                for s in range(0, 60, 10):
                    stamp = f"2019-02-05T{h:02d}:{m:02d}:{s:02d}.000Z"
                    b, a = bid, ask
                    for t, mb, ma in later:
                        if stamp >= t:
                            b, a = mb, ma
                    rows.append(f"{stamp},{b},{a},1,1")
        f.write_text("\n".join(rows) + "\n")
        digits = 3 if name.endswith("JPY") else 5
        tables.append(
            f'[[symbols]]\nname = "{name}"\ndigits = {digits}\nbook_depth = 5\n'
            f"{(symbols_extra or {}).get(name, '')}\n"
            f'[[data]]\nsymbol = "{name}"\npath = "{f.name}"\n'
        )
    text = (
        f'name = "flat"\nseed = 1\nstart = {START}\nend = {END}\nwarmup_hours = 2\n'
        f"{extra}\n[account]\n{account}\n[broker]\nweekend_close = false\n"
        + "\n".join(tables)
        + book
    )
    path = tmp_path / "flat.toml"
    path.write_text(text)
    mt5: Any = SimTerminal.from_scenario(path)
    assert mt5.initialize()
    return mt5
