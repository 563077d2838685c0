"""The Linux path's install (issue 14 item 5): `uv sync --extra mt5linux` gives lca what it uses,
rpyc, and not the mt5linux package (its 1.1.1 module is a SyntaxError on Python 3.11, and lca
never imports it: bridge/mt5remote.py talks RPyC itself)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[ <>=!~;\[]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_mt5linux_extra_installs_rpyc_and_not_the_mt5linux_package():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = _requirement_names(project["optional-dependencies"]["mt5linux"])
    assert "rpyc" in names
    assert "mt5linux" not in names
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    assert "mt5linux" not in {p["name"] for p in lock["package"]}


def test_lca_never_imports_the_mt5linux_package():
    imports = [path for path in (REPO / "bridge").rglob("*.py")
               if re.search(r"^\s*(import|from)\s+mt5linux\b", path.read_text(), re.M)]
    assert imports == []
