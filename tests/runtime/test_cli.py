"""`lca check` on the simulated terminal, and the live scheduler's job settings."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from bridge.app import build_guard
from bridge.cli import main
from bridge.config import AppConfig, RunSettings
from bridge.driver import make_scheduler


def test_check_reports_the_account_and_what_the_broker_supports(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "configuration config.toml is valid" in out
    assert "hedging" in out
    assert "stop-out 50%" in out
    assert "GBPUSD" in out
    assert "10 levels" in out  # a book is published for GBPUSD
    assert "none (EA telemetry or spread proxy)" in out  # USDJPY has no depth


def test_check_names_a_bad_config(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    bad = tmp_path / "c.toml"
    bad.write_text("[run]\nmode = 'yolo'\n")
    assert main(["check", "--config", str(bad)]) == 2
    assert "[run] mode = 'yolo'" in capsys.readouterr().out


def test_live_jobs_never_stack_and_coalesce(tmp_path):
    config = AppConfig(run=RunSettings(journal=f"sqlite:///{tmp_path}/j.db", log_file=""))
    guard = build_guard(config)
    scheduler = make_scheduler(guard, scheduler=BackgroundScheduler(timezone="UTC"))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"fast_guard", "cycle", "recalibrate"}
    for job in jobs.values():
        assert job.max_instances == 1
        assert job.coalesce is True
        assert job.misfire_grace_time >= 1
    assert jobs["fast_guard"].trigger.interval.total_seconds() == 1.0
    assert jobs["cycle"].trigger.interval.total_seconds() == 300.0
    assert jobs["recalibrate"].trigger.interval.total_seconds() == 3600.0
