"""`lca stress --executor dask://…`: the runs go to a Dask distributed cluster (a LocalCluster on
loopback here) and the summary is the one the local processes give, figure for figure."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from bridge.cli import main
from bridge.sim.scenario import load_scenario
from bridge.stress import WINDOWS, RunSpec
from bridge.stress.compare import comparable, differences
from bridge.stress.compare import main as compare_main
from bridge.stress.executors import ExecutorError, ExecutorSpec, parse_executor
from bridge.stress.suite import run_all, summarise

distributed = pytest.importorskip("distributed", reason="Dask distributed: uv sync --extra dask")


@pytest.fixture(scope="module")
def cluster() -> Any:
    """Two single-threaded worker processes and a scheduler, all on 127.0.0.1."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=50) as c:
        yield c


def _specs(shared_data: Path) -> list[RunSpec]:
    calm = load_scenario(WINDOWS["calm-2019"].path, data_dir=shared_data)
    end = calm.start + 3600.0
    return [RunSpec("calm-2019", "offshore", p, str(shared_data), end=end)
            for p in ("none", "full", "static-5")]


def test_a_sweep_on_a_dask_cluster_gives_the_local_summary(shared_data: Path, cluster: Any):
    specs = _specs(shared_data)
    t0 = time.perf_counter()
    local = run_all(specs, jobs=1)
    local_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    remote = run_all(specs, jobs=1, executor=parse_executor(
        cluster.scheduler_address.replace("tcp://", "dask://")))
    remote_s = time.perf_counter() - t0
    a = comparable(summarise(local, str(shared_data), {}))
    b = comparable(summarise(remote, str(shared_data), {}))
    assert list(differences(a, b)) == []
    assert a == b
    assert len(remote) == len(specs)
    print(f"{len(specs)} runs: local (1 process) {local_s:.1f} s, LocalCluster (2 workers) "
          f"{remote_s:.1f} s")


def test_the_command_runs_on_the_cluster_and_says_so(shared_data: Path, cluster: Any,
                                                     tmp_path: Path, capsys):
    address = cluster.scheduler_address.replace("tcp://", "dask://")
    code = main(["stress", "--data-dir", str(shared_data), "--scenario", "calm-2019-short-esma",
                 "--no-plots", "--out", str(tmp_path / "o"),
                 "--executor", address, *_only_static()])
    out = capsys.readouterr().out
    assert code == 0, out
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert summary["timing"]["executor"] == f"Dask cluster at {cluster.scheduler_address}"
    assert "Dask cluster at" in " ".join(out.split())


def _only_static() -> list[str]:
    return ["--policy", "static-5"]


def test_executor_flag_is_checked():
    assert parse_executor("local") == ExecutorSpec("local")
    assert parse_executor("dask://127.0.0.1:8786") == ExecutorSpec("dask", "tcp://127.0.0.1:8786")
    for bad in ("dask://", "dask://host", "dask://host:0", "spark://h:1", "host:8786"):
        with pytest.raises(ExecutorError, match="dask://HOST:PORT"):
            parse_executor(bad)


def test_no_scheduler_is_a_sentence_not_a_traceback(shared_data: Path, tmp_path: Path, capsys):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["stress", "--data-dir", str(shared_data), "--scenario", "calm-2019-short-esma",
                 "--no-plots", "--out", str(tmp_path / "o"), "--executor",
                 f"dask://127.0.0.1:{port}", *_only_static()])
    err = capsys.readouterr().err
    assert code == 2
    assert f"no Dask scheduler answers at tcp://127.0.0.1:{port}" in " ".join(err.split())
    assert "Traceback" not in err


def test_a_worker_without_the_data_folder_is_named(cluster: Any, tmp_path: Path):
    from bridge.stress.executors import open_executor

    spec = parse_executor(cluster.scheduler_address.replace("tcp://", "dask://"))
    with pytest.raises(ExecutorError, match="has no data folder"), \
            open_executor(spec, 1, str(tmp_path / "absent")):
        pass


def test_compare_script_says_what_differs(tmp_path: Path, capsys):
    a = {"timing": {"jobs": 2}, "scenarios": {"x": {"policies": {"full": {
        "max_drawdown": 0.1, "wall_seconds": 3.0}}}}}
    b = json.loads(json.dumps(a))
    b["timing"]["jobs"] = 8
    b["scenarios"]["x"]["policies"]["full"]["wall_seconds"] = 9.0
    (tmp_path / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(b), encoding="utf-8")
    assert compare_main([str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 0
    b["scenarios"]["x"]["policies"]["full"]["max_drawdown"] = 0.2
    (tmp_path / "b.json").write_text(json.dumps(b), encoding="utf-8")
    assert compare_main([str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 1
    assert "scenarios.x.policies.full.max_drawdown: 0.1 != 0.2" in capsys.readouterr().out


def test_compare_runs_checks_a_smaller_sweep_against_a_bigger_one(tmp_path: Path, capsys):
    big = {"checks": [1], "scenarios": {"x": {"policies": {
        "none": {"max_drawdown": 1.0}, "full": {"max_drawdown": 0.1}}}}}
    small = {"checks": [2], "scenarios": {"x": {"policies": {"full": {"max_drawdown": 0.1}}}}}
    (tmp_path / "big.json").write_text(json.dumps(big), encoding="utf-8")
    (tmp_path / "small.json").write_text(json.dumps(small), encoding="utf-8")
    args = ["--runs", str(tmp_path / "big.json"), str(tmp_path / "small.json")]
    assert compare_main(args) == 0  # the pooled checks differ; the runs do not
    small["scenarios"]["x"]["policies"]["full"]["max_drawdown"] = 0.2
    (tmp_path / "small.json").write_text(json.dumps(small), encoding="utf-8")
    assert compare_main(args) == 1
    assert "scenarios.x.policies.full.max_drawdown: 0.1 != 0.2" in capsys.readouterr().out
