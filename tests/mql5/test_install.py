"""`lca ea install` copies the tested EA byte for byte; `lca ea status` reads its telemetry."""

from __future__ import annotations

import shutil
from pathlib import Path

import harness
import pytest

from bridge.cli import main
from bridge.commands import ea as ea_command
from bridge.ealink.install import EA_SOURCE, ea_source_files


def test_install_copies_the_tested_files_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "MQL5").mkdir()
    assert main(["ea", "install", "--data-folder", str(tmp_path)]) == 0
    target = tmp_path / "MQL5" / "Experts" / "LiquidityGuard"
    # the source the host tests compile is the source that gets installed
    assert EA_SOURCE == harness.MQL5_DIR
    tested = sorted(p for p in harness.MQL5_DIR.iterdir() if p.suffix in (".mq5", ".mqh"))
    assert sorted(p.name for p in target.iterdir()) == [p.name for p in tested]
    for src in tested:
        assert (target / src.name).read_bytes() == src.read_bytes()
    out = capsys.readouterr().out
    assert "Compile (F7)" in out
    assert "Allow Algo Trading" in out
    assert "FAIL-SAFE" in out


def test_install_replaces_an_older_copy(tmp_path: Path) -> None:
    target = tmp_path / "MQL5" / "Experts" / "LiquidityGuard"
    target.mkdir(parents=True)
    (target / "LiquidityGuard.mq5").write_text("old", encoding="ascii")
    assert main(["ea", "install", "--data-folder", str(tmp_path)]) == 0
    installed = (target / "LiquidityGuard.mq5").read_bytes()
    assert installed == (EA_SOURCE / "LiquidityGuard.mq5").read_bytes()


def test_install_refuses_a_folder_that_is_not_a_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ea", "install", "--data-folder", str(tmp_path)]) == 2
    assert "has no MQL5 folder" in capsys.readouterr().err
    assert not (tmp_path / "MQL5").exists()


def test_install_without_terminal_or_folder_says_what_to_pass(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # never touch a real terminal
    monkeypatch.setattr(ea_command, "_terminal", lambda _config: None)
    assert main(["ea", "install"]) == 2
    assert "--data-folder" in capsys.readouterr().err


def test_source_files_must_include_the_expert(tmp_path: Path) -> None:
    (tmp_path / "x.mqh").write_text("", encoding="ascii")
    with pytest.raises(Exception, match=r"no \.mq5 file"):
        ea_source_files(tmp_path)
    assert [p.name for p in ea_source_files()][-1] == "LiquidityGuard.mq5"


def test_status_prints_the_ea_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "Files" / "lca"
    folder.mkdir(parents=True)
    shutil.copyfile(harness.GOLDEN_DIR / "telemetry_v1.txt", folder / "telemetry.txt")
    assert main(["ea", "status", "--common-folder", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "limits sequence 42 applied" in out
    assert "EURUSD" in out
    assert "(book)" in out
    assert "(proxy)" in out
    assert main(["ea", "status", "--common-folder", str(tmp_path / "none")]) == 2
