"""Before each send the executor reads back the slice's own attempts (`SliceJournal.attempts`):
its `intent` and `result` rows, an intent with no result after it read as an "unknown" result.
A plan of hundreds of slices (a large book cut in a crash, a trader's own sweep) must not make
every send read and decode the whole plan's rows again: that made a plan's sends quadratic in
its length (covid-2020 at appetite 8: 901 orders, 543 k rows decoded, 7 ms a send).

Pinned on SQLite and PostgreSQL (`journal_url`): the attempts are exactly what the plan's rows
say, and only the slice's own rows are decoded, whatever the plan's length."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from bridge.journal import Journal, JournalRow
from bridge.journal_kinds import JournalKind
from bridge.slice_journal import SliceJournal
from controller import Action
from controller.decision_types import Side, Urgency

PLAN = "R1-10000001-1700000000"
TICKETS = 150  # positions in the plan, two slices each


def _action(ticket: int, slice_index: int, plan_id: str = PLAN) -> Action:
    return Action(plan_id, ticket, "EURUSD", Side.SELL, 0.5, Urgency.NORMAL, 0.0, slice_index, 2,
                  True, False, "test")


def _reference(journal: Journal, action: Action) -> list[JournalRow]:
    """The slice's intent and result rows as the executor first read them: every row of the
    plan, filtered here."""
    return [r for r in journal.rows(plan_id=action.plan_id)
            if r.kind in (JournalKind.INTENT, JournalKind.RESULT) and r.ticket == action.ticket
            and r.payload.get("slice_index") == action.slice_index]


def _plan(journal: Journal) -> SliceJournal:
    """A plan of TICKETS positions × 2 slices, each slice sent (intent, result, slice rows);
    ticket 7's second slice sent twice (a requote, then a fill); ticket 9's second slice's last
    send has no answer (the process died); another plan's rows on ticket 7 too."""
    slices = SliceJournal(journal, lambda: 1_700_000_100.0)
    for ticket in range(1, TICKETS + 1):
        for index in (1, 2):
            a = _action(ticket, index)
            sends = 2 if (ticket, index) == (7, 2) else 1
            for attempt in range(1, sends + 1):
                slices.intent(a, {"slice_index": index, "attempt": attempt,
                                  "request": {"volume": 0.5, "position": ticket},
                                  "held_before": 1.0, "position": ticket, "slice_volume": 0.5})
                if (ticket, index) == (9, 2):
                    continue
                filled = 0.0 if attempt < sends else 0.5
                slices.result(a, {"attempt": attempt, "retcode": 10009, "filled": filled,
                                  "conclusion": "filled" if filled else "requote"})
            if (ticket, index) != (9, 2):
                slices.outcome(a, "done", 0.5, 0.0, 10009, "")
    other = _action(7, 2, plan_id="R1-10000001-1700000900")
    slices.intent(other, {"slice_index": 2, "attempt": 1, "request": {"volume": 0.5}})
    return slices


@pytest.fixture
def journal(journal_url: str) -> Iterator[Journal]:
    j = Journal(journal_url, 10000001)
    yield j
    j.close()


def test_a_slices_attempts_are_what_its_plans_rows_say(journal: Journal) -> None:
    slices = _plan(journal)
    for ticket, index in [(1, 1), (7, 1), (7, 2), (9, 1), (9, 2), (TICKETS, 2), (TICKETS + 1, 1)]:
        action = _action(ticket, index)
        rows, attempts = _reference(journal, action), slices.attempts(action)
        results = [r.payload for r in rows if r.kind == JournalKind.RESULT]
        died = bool(rows) and rows[-1].kind == JournalKind.INTENT  # no answer after it
        assert attempts[:len(results)] == results
        assert len(attempts) == len(results) + died
        if died:
            assert (attempts[-1]["conclusion"], attempts[-1]["attempt"]) == \
                ("unknown", rows[-1].payload["attempt"])
    assert [r["conclusion"] for r in slices.attempts(_action(7, 2))] == ["requote", "filled"]
    assert [r["conclusion"] for r in slices.attempts(_action(9, 2))] == ["unknown"]
    assert slices.attempts(_action(TICKETS + 1, 1)) == []
    assert [r["conclusion"] for r in
            slices.attempts(_action(7, 2, plan_id="R1-10000001-1700000900"))] == ["unknown"]


def test_a_slices_attempts_decode_only_its_own_rows(journal: Journal,
                                                    decoded: Counter[str]) -> None:
    slices = _plan(journal)
    decoded.clear()
    assert [r["conclusion"] for r in slices.attempts(_action(100, 2))] == ["filled"]
    # the slice's intent and result: not its ticket's other slice, nor the plan's 900 rows
    assert decoded == Counter({"intent": 1, "result": 1})
    decoded.clear()
    assert len(slices.attempts(_action(7, 2))) == 2
    # a slice sent twice: its two intents and two results, not its ticket's other slice
    assert decoded == Counter({"intent": 2, "result": 2})
