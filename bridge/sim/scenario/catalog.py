"""The scenarios lca knows by name and how a name or a path becomes a `Scenario`: the generated
built-ins (`bridge/sim/scenarios/<name>.toml`, no data needed), the real-data windows
(`data/<name>`, reading ../shared/data), a scenario TOML path or a recorded scenario folder.
Old names still work (bridge.sim.names)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from bridge.sim.errors import ScenarioError
from bridge.sim.scenario.model import BUILTIN_DIR, Scenario
from bridge.sim.scenario.parse import parse_scenario

__all__ = ["builtin_scenarios", "data_scenarios", "load_scenario"]


def builtin_scenarios() -> tuple[str, ...]:
    """Names of the generated scenarios shipped in bridge/sim/scenarios (no data needed)."""
    return tuple(sorted(p.stem for p in BUILTIN_DIR.glob("*.toml")))


def data_scenarios() -> tuple[str, ...]:
    """Names of the shipped real-data windows (`data/<name>`); they read ../shared/data files,
    found through `data_dir` or LCA_SHARED_DATA."""
    return tuple(sorted(f"data/{p.stem}" for p in (BUILTIN_DIR / "data").glob("*.toml")))


def load_scenario(
    name_or_path: str | Path, *, data_dir: str | Path | None = None, seed: int | None = None
) -> Scenario:
    """Read and validate a scenario: a built-in name or a TOML path.

    `data_dir` resolves relative `[[data]].path` entries (default: the environment variable
    LCA_SHARED_DATA, else the scenario file's folder; a file only beside the scenario, such as
    a recording's, is read from there); `seed` overrides the file's seed. Built-in
    names: `builtin_scenarios()` (generated) and `data_scenarios()` (real windows, need data)."""
    if data_dir is None and os.environ.get("LCA_SHARED_DATA"):
        data_dir = os.environ["LCA_SHARED_DATA"]
    from bridge.sim.names import canonical, folder_scenario

    p = Path(name_or_path)
    if p.is_dir():
        p = folder_scenario(p)
    elif not p.suffix and not p.exists():
        p = BUILTIN_DIR / f"{canonical(str(name_or_path))}.toml"
        if not p.is_file():
            raise ScenarioError(
                f"scenario {str(name_or_path)!r} is neither a file nor a built-in; built-ins: "
                f"{', '.join(builtin_scenarios())}; real windows (need --data-dir): "
                f"{', '.join(data_scenarios())}; or a path to a scenario .toml file"
            )
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: not valid TOML: {exc}") from exc
    except FileNotFoundError:
        raise ScenarioError(f"scenario file {p} not found; give a scenario .toml file, a "
                            "recorded scenario folder or a built-in name "
                            f"({', '.join(builtin_scenarios())})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"scenario file {p} cannot be read: {exc}") from None
    try:
        return parse_scenario(
            raw,
            base=p.parent,
            data_dir=None if data_dir is None else Path(data_dir),
            seed=seed,
            source=str(p),
        )
    except ScenarioError as exc:  # a problem inside the file: say which file
        raise ScenarioError(f"{p}: {exc}") from None
