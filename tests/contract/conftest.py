"""`rig`: every terminal the port contract runs on (tests/contract/rigs.py): the simulated
terminal, the mt5linux client on loopback, and (marked `terminal`, only with LCA_TERMINAL=1)
the real terminal of tests/terminal's configuration."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.contract.rigs import Rig, live_rig, remote_rig, sim_rig
from tests.terminal import live

KINDS = ["sim", "mt5linux",
         pytest.param("live", marks=[pytest.mark.terminal,
                                     pytest.mark.skipif(not live.wanted(),
                                                        reason=live.SKIP_REASON)])]


def open_rig(kind: str, folder: Path) -> Generator[Rig, None, None]:
    if kind == "sim":
        yield sim_rig(folder)
    elif kind == "mt5linux":
        pytest.importorskip("rpyc", reason="rpyc (the mt5linux transport) is a dev dependency")
        with remote_rig(folder) as rig:
            yield rig
    else:
        with live_rig() as rig:
            yield rig


@pytest.fixture(params=KINDS)
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    yield from open_rig(request.param, tmp_path)
