"""Fixtures for the executor tests: a recorded simulated terminal, a journal, a simulated wait."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bridge.executor import Executor
from bridge.journal import Journal
from bridge.terminal import TerminalPort
from controller import Action, Urgency
from tests.bridge.helpers import scenario_variant
from tests.kit import ScriptedTerminal, open_sim

GBP_TICKET = 50000001  # the flash-gbp-2016 book: GBPUSD 1.5 lots long (EURUSD, USDJPY 0.5 each)
PLAN_ID = "10000001-1475773200"


@dataclass
class Env:
    """One simulated terminal behind a recorder (the kit's scripted terminal), its journal and
    an executor on them."""

    sim: Any  # a SimTerminal; Any because its MT5-shaped answers are Optional
    mt5: ScriptedTerminal
    journal: Journal
    waits: list[float] = field(default_factory=list)

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.sim.advance(seconds)

    def now(self) -> float:
        return float(self.sim.now())

    def sleep(self, seconds: float) -> None:  # the executor's clock: a recorded simulated wait
        self.wait(seconds)

    def port(self) -> TerminalPort:
        return TerminalPort(self.mt5, server_clock=self.sim.scenario.clock)

    def executor(self, **kw: Any) -> Executor:
        return Executor(self.port(), self.journal, self, **kw)

    def action(self, *, volume: float = 0.5, k: int = 1, n: int = 1, ticket: int = GBP_TICKET,
               symbol: str = "GBPUSD", side: str = "sell", hedging: bool = True,
               not_before: float | None = None, plan_id: str = PLAN_ID) -> Action:
        return Action(plan_id=plan_id, ticket=ticket, symbol=symbol, side=side, volume=volume,
                      urgency=Urgency.FORCED,
                      not_before=self.sim.now() if not_before is None else not_before,
                      slice_index=k, slices=n, close_by_ticket=hedging, full_close=k == n,
                      reason="EffLev 2.9 above the forced limit 2.5")

    def position_volume(self, ticket: int = GBP_TICKET) -> float:
        found = self.sim.positions_get(ticket=ticket)
        assert found is not None
        return float(sum(p.volume for p in found))


@pytest.fixture(scope="session")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("scenarios")
    return {
        "netting": scenario_variant(d, "flash-netting", netting=True),
        "algo_off": scenario_variant(d, "flash-algo-off", algo_trading=False),
        "instant": scenario_variant(d, "flash-instant", gbp_instant=True),
    }


def _check_intent_first(env: Env) -> Callable[..., None]:
    """Installed before every order_send: its intent row is already committed, request equal."""

    sent = [0]

    def check(request: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        sent[0] += 1
        intents = env.journal.rows("intent")
        assert len(intents) == sent[0]
        assert intents[-1].payload["request"] == request

    return check


@pytest.fixture
def make_env(tmp_path: Path) -> Iterator[Callable[[str | Path], Env]]:
    journals: list[Journal] = []
    envs: list[Env] = []

    def make(source: str | Path = "flash-gbp-2016") -> Env:
        sim = open_sim(source)
        journal = Journal(f"sqlite:///{tmp_path / f'journal-{len(journals)}.db'}",
                          account=sim.scenario.account.login)
        journals.append(journal)
        env = Env(sim, ScriptedTerminal(sim), journal)
        env.mt5.before["order_send"] = _check_intent_first(env)
        envs.append(env)
        return env

    yield make
    for j in journals:
        j.close()
    for e in envs:
        assert e.mt5.hook_failures == []


@pytest.fixture
def env(make_env: Callable[[str | Path], Env]) -> Env:
    return make_env("flash-gbp-2016")
