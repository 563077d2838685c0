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
    guard = build_guard(config)
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


def test_the_snapshot_carries_the_eas_depth_where_the_broker_publishes_no_book(source_config,
                                                                             tmp_path):
    """With the EA link on, the running guard reads the EA's depth telemetry for a symbol
    without a book (EURUSD here); the snapshot carries it as bid_depth / ask_depth."""
    from bridge.ealink import TELEMETRY_FILE, EaTelemetry, SymbolTelemetry, format_telemetry

    common = tmp_path / "common"
    link = common / "Files" / "lca"
    link.mkdir(parents=True)
    now = 1475791200  # the source's start, UTC
    line = SymbolTelemetry(symbol="EURUSD", time_utc=now, bid=1.115, ask=1.1151,
                           spread_min=0.0001, spread_mean=0.0001, spread_max=0.0001,
                           bid_depth=12.5, ask_depth=9.5, levels=5, tick_count=3,
                           tick_volume=0)
    telemetry = EaTelemetry(sequence=1, written_utc=now, failsafe=False, limits_sequence=1,
                            heartbeat_utc=now, trade_allowed=True, symbols={"EURUSD": line})
    (link / TELEMETRY_FILE).write_text(format_telemetry(telemetry), encoding="ascii",
                                       newline="")
    config = tmp_path / "ea.toml"
    config.write_text(source_config.read_text(encoding="utf-8") + "[ea]\nenabled = true\n"
                      f'common_folder = "{common.as_posix()}"\n', encoding="utf-8")
    document = _dump(config, tmp_path / "snap.json")
    assert document["market"]["EURUSD"]["bid_depth"] == 12.5
    assert document["market"]["EURUSD"]["ask_depth"] == 9.5
    assert "bid_depth" not in document["market"]["GBPUSD"]  # the broker's book is used there
