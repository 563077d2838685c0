"""Issue 17 §2: ten simulated accounts, ten guard processes, one PostgreSQL journal, run at the
same time through the sterling flash crash (23:07 UTC, in a one-hour window around it): each
account's rows are its own and consistent, and each account's result equals its solo run on a
private SQLite journal. Then `lca fleet status` and `lca status --account` read them back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bridge.journal import Journal
from tests.reliability.postgres import PgServer

REPO = Path(__file__).resolve().parents[2]
ACCOUNTS = 10
VARIANTS = 3  # account i trades the book on a balance of 10 000 + 1 000 × (i mod 3) USD
LOGIN0 = 30_000_000


def _scenario(folder: Path, login: int, variant: int) -> Path:
    text = (REPO / "bridge/sim/scenarios/gbp-flash-2016.toml").read_text(encoding="utf-8")
    text = text.replace("start = 2016-10-06T17:00:00Z", "start = 2016-10-06T22:40:00Z")
    text = text.replace("end = 2016-10-07T05:00:00Z", "end = 2016-10-06T23:40:00Z")
    text = text.replace("[account]\n", f"[account]\nlogin = {login}\n")
    text = text.replace("balance = 10000.0", f"balance = {10_000.0 + 1_000.0 * variant}")
    assert f"login = {login}" in text
    assert "22:40:00Z" in text
    path = folder / f"scenario-{login}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _config(folder: Path, name: str, scenario: Path, journal: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'[terminal]\nkind = "sim"\nscenario = "{scenario}"\n[run]\n'
                    f'journal = "{journal}"\nlog_file = ""\ncompare_unguarded = false\n',
                    encoding="utf-8")
    return path


def _start(config: Path, summary: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bridge.cli", "run", "--config", str(config),
                             "--quiet", "--summary-json", str(summary)], cwd=config.parent,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        _, err = p.communicate(timeout=900)
        assert p.returncode == 0, err[-3000:]


@pytest.fixture(scope="module")
def fleet(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("fleet")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
           "LCA_JOURNAL_PASSWORD": pg_server.password}  # never in the URL or the config
    url = pg_server.url(pg_server.create_database())
    solo = [_start(_config(folder, f"solo{v}", _scenario(folder, LOGIN0 + 900 + v, v),
                           f"sqlite:///{folder}/solo{v}.db"), folder / f"solo{v}.json", env)
            for v in range(VARIANTS)]
    _finish(solo)
    wall = time.perf_counter()
    procs = [_start(_config(folder, f"acct{i}", _scenario(folder, LOGIN0 + i, i % VARIANTS),
                            url), folder / f"acct{i}.json", env) for i in range(ACCOUNTS)]
    _finish(procs)
    wall = time.perf_counter() - wall
    print(f"\n{ACCOUNTS} guards on one PostgreSQL: {wall:.1f} s wall")
    return {"folder": folder, "url": url, "env": env, "wall": wall, "password": pg_server.password}


def _summary(folder: Path, name: str) -> dict[str, Any]:
    return dict(json.loads((folder / f"{name}.json").read_text(encoding="utf-8")))


def test_every_account_ends_as_its_solo_run(fleet: dict[str, Any]) -> None:
    folder = fleet["folder"]
    for i in range(ACCOUNTS):
        got, solo = _summary(folder, f"acct{i}"), _summary(folder, f"solo{i % VARIANTS}")
        assert got["guarded"]["orders"] > 0
        assert got == solo, f"account {LOGIN0 + i}"


def test_each_account_has_its_own_consistent_rows(fleet: dict[str, Any]) -> None:
    os.environ["LCA_JOURNAL_PASSWORD"] = fleet["password"]
    try:
        j = Journal(fleet["url"], writable=False)
    finally:
        del os.environ["LCA_JOURNAL_PASSWORD"]
    seen = j.accounts()
    assert sorted((a.login, a.server) for a in seen) == [(LOGIN0 + i, "sim")
                                                         for i in range(ACCOUNTS)]
    for i in range(ACCOUNTS):
        login = LOGIN0 + i
        j.use_account(login, "sim")
        rows = j.rows()
        assert {(r.account, r.server) for r in rows} == {(login, "sim")}
        assert rows[0].kind == "run"
        assert rows[0].payload["login"] == login
        assert [r.kind for r in rows[-2:]] == ["end", "stop"]  # the replay's end, a clean stop
        assert [r.id for r in rows] == sorted(r.id for r in rows)
        for r in rows:  # plan ids carry the run and the login: "R<run>-<login>-<time>"
            if r.plan_id is not None:
                assert r.plan_id.startswith(f"R{rows[0].id}-{login}-"), r.plan_id
        intents = [r for r in rows if r.kind == "intent"]
        results = [r for r in rows if r.kind == "result"]
        orders = _summary(fleet["folder"], f"acct{i}")["guarded"]["orders"]
        assert len(intents) == len(results) == orders
        for intent, result in zip(intents, results, strict=True):  # each answered, in order
            assert intent.id < result.id
            assert (intent.plan_id, intent.ticket) == (result.plan_id, result.ticket)
    j.close()


def _lca(fleet: dict[str, Any], *args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bridge.cli", *args, "--journal", fleet["url"]],
                          cwd=fleet["folder"], env={**fleet["env"], "COLUMNS": str(columns)},
                          capture_output=True, text=True, timeout=300, check=False)


def test_fleet_status_lists_every_account_on_80_and_160_columns(fleet: dict[str, Any]) -> None:
    for columns in (80, 160):
        proc = _lca(fleet, "fleet", "status", columns=columns)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert all(len(line) <= columns for line in lines), proc.stdout
        assert fleet["password"] not in proc.stdout + proc.stderr
        for i in range(ACCOUNTS):
            if columns == 160:  # one line per account
                assert sum(f"{LOGIN0 + i}@sim" in line for line in lines) == 1, proc.stdout
            else:  # the login on one line, its server under it
                at = next(n for n, line in enumerate(lines) if f" {LOGIN0 + i} " in line)
                assert lines[at + 1].lstrip().startswith("@sim"), proc.stdout
    data = json.loads(_lca(fleet, "fleet", "status", "--json").stdout)
    assert len(data) == ACCOUNTS
    for a in data:
        assert a["state"]
        assert a["eff_lev"] is not None
        assert a["msi"] is not None
        assert a["stop_out_loss"] > 0.0
        assert a["holder"] is None  # every guard stopped cleanly and released its lease


def test_status_shows_the_account_asked_for(fleet: dict[str, Any]) -> None:
    proc = _lca(fleet, "status", "--json", "--account", f"{LOGIN0 + 4}@sim")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["account"] == LOGIN0 + 4
    proc = _lca(fleet, "status", "--account", "123")
    assert proc.returncode == 2
    assert "no account 123 in the journal" in proc.stderr
