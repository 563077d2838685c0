"""The typed journal rows (bridge.journal_rows) read payloads as the readers did: a field every
lca version wrote is required (a KeyError names it), a field read with `.get` keeps its default,
and a row kind or slice status this lca does not know stays readable as its text."""

from __future__ import annotations

import pytest

from bridge.journal import Journal
from bridge.journal_kinds import JournalKind, SliceStatus
from bridge.journal_rows import (
    AlertRow,
    DecisionRow,
    IntentRow,
    PlanRow,
    ResultRow,
    RunRow,
    SliceRow,
    SnapshotRow,
    StateRow,
    StopRow,
    open_slices,
)

SLICE = {"ticket": 7, "symbol": "GBPUSD", "slice_index": 2, "slices": 3, "volume": 0.5,
         "status": "partial", "filled": 0.2, "remaining": 0.3, "retcode": 10010,
         "message": "partly filled"}


def test_a_slice_row_reads_every_field_with_its_status_typed():
    row = SliceRow.from_payload(SLICE)
    assert row == SliceRow(7, "GBPUSD", 2, 0.5, SliceStatus.PARTIAL, 0.2, 0.3, 3, 10010,
                           "partly filled")
    assert row.status is SliceStatus.PARTIAL
    assert row.key == (7, 2)
    assert not row.finished


@pytest.mark.parametrize("field", ["ticket", "symbol", "slice_index", "volume", "status",
                                   "filled", "remaining"])
def test_a_slice_row_without_a_field_every_version_wrote_names_it(field):
    with pytest.raises(KeyError, match=field):
        SliceRow.from_payload({k: v for k, v in SLICE.items() if k != field})


def test_a_slice_row_keeps_the_readers_defaults_and_an_unknown_status_as_text():
    bare = {k: v for k, v in SLICE.items() if k not in ("retcode", "message", "slices")}
    row = SliceRow.from_payload({**bare, "status": "rerouted"})
    assert (row.retcode, row.message, row.slices, row.status) == (None, "", 1, "rerouted")
    assert not row.finished


def test_open_slices_drops_only_the_done_and_gone_slices_of_the_plan():
    actions = [{"ticket": t, "slice_index": i, "symbol": "EURUSD", "side": "sell"}
               for t in (1, 2) for i in (1, 2)]
    plan = PlanRow.from_payload({"actions": actions, "target": 2.0, "binding_cap": "rule"})
    rows = [SliceRow.from_payload({**SLICE, "ticket": 1, "slice_index": 1, "status": "done"}),
            SliceRow.from_payload({**SLICE, "ticket": 2, "slice_index": 2, "status": "gone"}),
            SliceRow.from_payload({**SLICE, "ticket": 1, "slice_index": 2, "status": "failed"})]
    assert open_slices(plan, rows) == [actions[1], actions[2]]
    assert plan.symbols() == {1: ("EURUSD", "sell"), 2: ("EURUSD", "sell")}
    assert PlanRow.from_payload({"actions": [], "why": "target reached"}).actions == ()


def test_a_result_without_an_answer_takes_its_code_from_last_error():
    row = ResultRow.from_payload({"retcode": None, "error": [-10005, "IPC timeout"]})
    assert (row.code, row.error, row.volume) == (-10005, (-10005, "IPC timeout"), None)
    assert ResultRow.from_payload({"retcode": 10009, "volume": 0.1}).code == 10009


def test_an_intent_reads_its_request_volume_and_tolerates_older_rows():
    row = IntentRow.from_payload({"request": {"volume": 0.3}, "attempt": 2})
    assert (row.requested, row.attempt, row.slice_volume, row.held_before) == (0.3, 2, None,
                                                                                None)
    with pytest.raises(KeyError, match="request"):
        IntentRow.from_payload({"attempt": 1})


def test_a_decision_requires_its_four_headline_fields_and_defaults_the_rest():
    head = {"state": "REDUCING", "regime": "WAIT", "target_eff_lev": 1.5, "binding_cap": "prop"}
    row = DecisionRow.from_payload(head)
    assert (row.urgency, row.actions, row.reasons, row.warnings) == (None, None, None, None)
    for field in head:
        with pytest.raises(KeyError, match=field):
            DecisionRow.from_payload({k: v for k, v in head.items() if k != field})


def test_the_other_rows_keep_the_readers_defaults():
    assert SnapshotRow.from_payload({"eff_lev": 3.2}).figure("eff_lev") == 3.2
    assert SnapshotRow.from_payload({}).distances is None
    assert StateRow.from_payload({}) == StateRow(None, "", None)
    assert RunRow.from_payload({}).lease_timeout == 30.0
    assert StopRow.from_payload({}).reason == "end of the replay"
    assert AlertRow.from_payload({"channel": None}).result is None
    assert AlertRow.from_payload({"channel": "JSON #1", "result": "sent"}).result == "sent"


def test_rows_read_back_with_their_kind_typed_and_an_unknown_kind_as_text(tmp_path):
    journal = Journal(f"sqlite:///{tmp_path}/j.db")
    journal.append(JournalKind.SLICE, 1.0, SLICE)
    journal.append("state", 2.0, {"what": "mode"})  # a writer not converted yet
    journal.append("newer_kind", 3.0, {})
    kinds = [r.kind for r in journal.rows()]
    assert kinds == ["slice", "state", "newer_kind"]
    assert [type(k) for k in kinds] == [JournalKind, JournalKind, str]
    assert journal.last(JournalKind.STATE).payload == {"what": "mode"}
    assert len(journal.rows("slice")) == 1
    journal.close()
