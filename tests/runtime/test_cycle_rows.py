"""The fast cycle's shortcuts write and read exactly what the long way did (issue 18 item 3):
a decision's three rows built part by part equal the parts of `decision_to_dict`, written in one
transaction in their order; the server offset of one instant without numpy equals the array
lookup; the permission check reads the snapshot's account record instead of a second
`account_info()`."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

from bridge.journal import Journal
from bridge.journal_kinds import JournalKind
from bridge.runtime.records import decision_rows, plain, snapshot_summary
from bridge.servertime import DstRule, ServerClock, _boundaries
from controller import decision_to_dict
from tests.kit import ScriptedTerminal, drive, sim_config, sim_guard


def test_decision_rows_are_the_snapshot_decision_and_memory_rows_of_decision_to_dict(
        tmp_path: Path) -> None:
    guard, sim = sim_guard(sim_config(tmp_path))
    guard.start()
    guard.cycle()
    drive(guard, sim, 5)
    assert guard.decision is not None
    assert guard.decision.actions  # a plan: limits and actions
    d = guard.decision
    whole = decision_to_dict(d)
    rows = decision_rows(d)
    assert [r[0] for r in rows] == [JournalKind.SNAPSHOT, JournalKind.DECISION,
                                    JournalKind.MEMORY]
    assert rows[0][2] == snapshot_summary(d)
    assert json.dumps(rows[1][2]["limits"]) == json.dumps(whole["limits"])
    assert json.dumps(rows[2][2]) == json.dumps(whole["memory"])
    assert rows[1][3] == d.actions[0].plan_id
    assert json.dumps(plain(d.metrics)) == json.dumps(whole["metrics"])  # infinities as null


def test_a_journaled_decision_is_its_three_rows_in_order_with_the_payloads_of_decision_to_dict(
        tmp_path: Path) -> None:
    guard, _ = sim_guard(sim_config(tmp_path))
    guard.start()
    guard.cycle()
    d = guard.decision
    assert d is not None
    tail = [r for r in guard.journal.rows() if r.kind in (
        JournalKind.SNAPSHOT, JournalKind.DECISION, JournalKind.MEMORY)][-3:]
    assert [r.kind for r in tail] == ["snapshot", "decision", "memory"]
    assert [r.id - tail[0].id for r in tail] == [0, 1, 2]
    whole = json.loads(json.dumps(decision_to_dict(d)))
    assert tail[1].payload["limits"] == whole["limits"]
    assert tail[2].payload == whole["memory"]


def test_append_many_writes_every_row_in_order_after_the_rows_before(tmp_path: Path) -> None:
    journal = Journal(f"sqlite:///{tmp_path}/j.db", account=7, server="s")
    first = journal.append(JournalKind.RUN, 1.0, {"mode": "observe"})
    journal.append_many([(JournalKind.SNAPSHOT, 2.0, {"equity": 1.0}, None, None),
                         (JournalKind.DECISION, 2.0, {"x": float("inf")}, "P1", 5),
                         (JournalKind.MEMORY, 2.0, {"state": "active"}, None, None)])
    journal.append_many([])
    rows = journal.rows()
    assert [r.id for r in rows] == [first, first + 1, first + 2, first + 3]
    assert [r.kind for r in rows] == ["run", "snapshot", "decision", "memory"]
    assert (rows[2].payload, rows[2].plan_id, rows[2].ticket) == ({"x": None}, "P1", 5)
    assert {(r.account, r.server) for r in rows} == {(7, "s")}
    journal.close()


def test_the_offset_of_one_instant_equals_the_array_lookup_at_every_boundary() -> None:
    rng = random.Random(18)
    for rule in DstRule:
        clock = ServerClock(2.0, rule)
        edges = [float(b) + e for b in _boundaries(DstRule.US) for e in (-1.0, 0.0, 0.5)]
        edges += [float(b) for b in _boundaries(DstRule.EU)]
        instants = edges + [rng.uniform(6e8, 4.1e9) for _ in range(2000)] + [-1e12, 1e12]
        for t in instants:
            # the array lookup (offset_seconds of one float instant is offset_at itself)
            assert clock.offset_at(t) == int(clock.offset_seconds(np.asarray([t]))[0]), (rule, t)
            assert clock.to_server(t) == t + float(clock.offset_seconds(np.asarray([t]))[0])
            guess = t - round(2.0 * 3600) - 3600
            assert clock.to_utc(t) == t - float(clock.offset_seconds(np.asarray([guess]))[0])


def test_the_permission_check_reads_the_snapshots_account_not_a_second_account_info(
        tmp_path: Path) -> None:
    _, sim = sim_guard(sim_config(tmp_path))
    scripted = ScriptedTerminal(sim)
    guard, _ = sim_guard(sim_config(tmp_path), scripted)
    guard.start()
    guard.cycle()
    sim.advance(10.0)
    before = sum(1 for c in scripted.calls if c.name == "account_info")
    guard.fast_guard()
    after = sum(1 for c in scripted.calls if c.name == "account_info")
    assert after - before == 1  # the snapshot's read; the permission check used its record
    assert guard.permissions.ok == {"algo_trading": True, "expert": True}
