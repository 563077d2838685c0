"""`lca snapshot` → `lca decide --snapshot FILE`: an exact round trip on the simulated terminal."""

from __future__ import annotations

import json
from pathlib import Path

from bridge.app import build_guard
from bridge.cli import main
from bridge.config import load_config
from controller import Settings, decision_to_dict, parse_snapshot


def _dump(config: Path, out: Path, *extra: str) -> dict:
    assert main(["snapshot", "--config", str(config), "--out", str(out), *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_decide_on_the_dumped_snapshot_equals_the_guards_live_decision(source_config, tmp_path,
                                                                        capsys):
    document = _dump(source_config, tmp_path / "snap.json")
    config = load_config(source_config)
    guard, _ = build_guard(config)
    guard.start()  # the same instant: the simulated terminal opens at the scenario's start
    live = decision_to_dict(guard._decide(guard.snapshot))
    guard.stop("test done")
    capsys.readouterr()
    assert main(["decide", "--snapshot", str(tmp_path / "snap.json"), "--config",
                 str(source_config), "--format", "json"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert from_file == live
    assert document["time"] == guard.snapshot.time
    assert len(document["positions"]) == 2
    assert document["market"]["GBPUSD"]["book"], "the published book is in the snapshot"
    history = document["market"]["GBPUSD"]["history"]
    assert {"ticks", "rates_m1", "rates_h1", "rates_h4", "rates_d1", "margin_rates"} <= set(history)
    assert len(history["rates_d1"]["time"]) >= 280  # 400 days of D1 bars, weekends have none


def test_the_parsed_snapshot_dumps_to_the_same_json(source_config, tmp_path):
    from controller.snapshot_document import snapshot_document

    path = tmp_path / "snap.json"
    _dump(source_config, path)
    text = path.read_text(encoding="utf-8")
    parsed = parse_snapshot(json.loads(text), Settings())
    again = snapshot_document(parsed.snapshot, parsed.histories, parsed.memory)
    assert json.dumps(again, indent=1) + "\n" == text


def test_the_snapshot_holds_no_password_or_server(source_config, tmp_path, monkeypatch):
    monkeypatch.setenv("LCA_MT5_PASSWORD", "s3cret-Known-Password")
    monkeypatch.setenv("LCA_MT5_SERVER", "Broker-Live-7")
    text = json.dumps(_dump(source_config, tmp_path / "snap.json"))
    for secret in ("s3cret-Known-Password", "Broker-Live-7", "LCA-Simulated", "password",
                   "server"):
        assert secret not in text
    hidden = _dump(source_config, tmp_path / "hidden.json", "--hide-login")
    assert hidden["account"]["login"] == 0


def test_snapshot_at_a_later_time_of_the_replay(source_config, tmp_path):
    document = _dump(source_config, tmp_path / "later.json", "--at", "2016-10-06T23:30:00Z")
    assert document["time"] == 1475796600.0


def test_snapshot_names_a_bad_at_time(source_config, tmp_path, capsys):
    assert main(["snapshot", "--config", str(source_config), "--out", str(tmp_path / "x.json"),
                 "--at", "yesterday"]) == 2
    assert "--at" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
