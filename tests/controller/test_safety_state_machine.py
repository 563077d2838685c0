"""Issue 10, the review's weak tests strengthened: the state machine with both sides.

A hedged prop book (long and short EURUSD tickets, a short GBPUSD) moves, the controller
decides, and a random prefix of its slices fills (the first failure stops the rest). Invariants:
no filled prefix of a partial plan raises any symbol's |net volume| above its value before the
decision (a close-all plan by at most one slice); REDUCING exactly
when there are actions, FROZEN and ACTIVE never with actions; in HALTED and INSOLVENT nothing
may be added."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from controller import Settings, TradingState, decide
from controller.memory import ControllerMemory
from controller.settings import PropSettings
from tests.controller.builders import T0, account, fx, pos, snapshot

PROP = Settings(prop=PropSettings(enabled=True, daily_loss_fraction=0.05,
                                  max_drawdown_fraction=0.10, initial_balance=100_000.0))
QUOTES = {"EURUSD": (1.0999, 1.1001), "GBPUSD": (1.2699, 1.2701)}
# ticket → (symbol, type): long and short EURUSD legs, a short GBPUSD
TICKETS = {1: ("EURUSD", 0), 2: ("EURUSD", 1), 3: ("EURUSD", 0), 4: ("GBPUSD", 1)}


class HedgedTradingStates(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.time = T0
        self.equity = 100_000.0
        self.volumes = {1: 6.0, 2: 7.0, 3: 3.0, 4: 4.0}
        self.memory = ControllerMemory()
        self.decision = None

    def _nets(self) -> dict[str, float]:
        net: dict[str, float] = {}
        for t, v in self.volumes.items():
            sym, kind = TICKETS[t]
            net[sym] = net.get(sym, 0.0) + (v if kind == 0 else -v)
        return net

    def _snapshot(self):
        positions = [pos(t, TICKETS[t][0], v, kind=TICKETS[t][1], price=1.1)
                     for t, v in self.volumes.items() if v > 1e-9]
        margin = sum(self.volumes.values()) * 110_000 / 30
        return snapshot(account(equity=self.equity, margin=margin, balance=100_000.0),
                        [fx("EURUSD"), fx("GBPUSD")], positions, QUOTES, time=self.time)

    @rule(change=st.floats(-0.04, 0.03), minutes=st.integers(1, 600),
          fills=st.lists(st.booleans(), min_size=40, max_size=40))
    def market_moves_guard_decides_some_slices_fill(self, change, minutes, fills):
        self.time += 60.0 * minutes
        self.equity += change * 100_000.0
        start = self._nets()
        d = decide(self._snapshot(), PROP, memory=self.memory)
        self.decision = d
        # a close-all plan (breach, insolvency) may open at most one slice of net on the way
        slack = max((a.volume for a in d.actions), default=0.0) \
            if d.state in (TradingState.HALTED, TradingState.INSOLVENT) else 0.0
        for k, a in enumerate(d.actions):
            assert a.side == ("sell" if TICKETS[a.ticket][1] == 0 else "buy")
            if not fills[k % len(fills)]:
                break  # a failed slice: the rest waits for the next cycle (a prefix filled)
            self.volumes[a.ticket] = round(self.volumes[a.ticket] - a.volume, 10)
            assert self.volumes[a.ticket] >= -1e-9
            for sym, net in self._nets().items():
                assert abs(net) <= abs(start[sym]) + slack + 1e-9, (sym, net, start[sym])
        self.memory = d.memory

    @invariant()
    def reducing_exactly_with_actions(self):
        d = self.decision
        if d is None:
            return
        if d.state in (TradingState.ACTIVE, TradingState.FROZEN):
            assert not d.actions
        if d.state is TradingState.REDUCING:
            assert d.actions
        if d.state is not TradingState.ACTIVE:
            assert not d.limits.new_exposure_allowed
            for row in d.limits.symbols:
                assert row.max_volume <= row.current_volume + 1e-9


TestHedgedTradingStates = HedgedTradingStates.TestCase
TestHedgedTradingStates.settings = settings(max_examples=60, stateful_step_count=20,
                                            deadline=None)
