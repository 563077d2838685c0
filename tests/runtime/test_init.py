"""`lca init` (issue 14 item 7): a commented config.toml for a profile and a terminal kind, from
the settings schema; it loads, `lca check` accepts it, and it never overwrites without --force."""

from __future__ import annotations

import re
import sys

import pytest
from loguru import logger

from bridge.cli import main
from bridge.config import load_config
from controller.prop_settings import PROP_PRESETS

PROFILES = ["seed", "retail", *sorted(PROP_PRESETS)]
_COMMENTED_KEY = re.compile(r"^# ([a-z_][a-z0-9_]*) = (.*?)(\s+# .*)?$")


@pytest.fixture(autouse=True)
def _wide_console_and_default_log(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    for var in ("LCA_MT5_LOGIN", "LCA_MT5_PASSWORD", "LCA_MT5_SERVER"):
        monkeypatch.delenv(var, raising=False)
    logger.remove()  # an earlier `lca run` may have pointed loguru at a closed captured stream
    logger.add(sys.stderr)
    return


def _init(tmp_path, *flags: str) -> tuple[int, str]:
    out = tmp_path / "config.toml"
    return main(["init", *flags, "--out", str(out)]), out.read_text() if out.exists() else ""


@pytest.mark.parametrize("profile", PROFILES)
def test_init_writes_a_config_that_loads_and_lca_check_accepts(tmp_path, capsys, profile):
    code, _text = _init(tmp_path, "--profile", profile, "--terminal", "sim")
    assert code == 0
    config = load_config(tmp_path / "config.toml")
    assert config.terminal.kind == "sim"
    if profile in PROP_PRESETS:
        assert config.prop.enabled is True
        assert config.prop.preset == profile
    else:
        assert config.risk.profile.value == profile
        assert config.prop.enabled is False
    capsys.readouterr()
    assert main(["check", "--config", str(tmp_path / "config.toml")]) == 0


@pytest.mark.parametrize("kind", ["mt5", "mt5linux"])
def test_init_writes_the_terminal_kind_and_never_a_credential(tmp_path, kind):
    code, text = _init(tmp_path, "--profile", "seed", "--terminal", kind)
    assert code == 0
    config = load_config(tmp_path / "config.toml")
    assert config.terminal.kind == kind
    assert config.terminal.host == "localhost"
    assert "LCA_MT5_PASSWORD" in text  # the variable that holds it, never a password
    assert not re.search(r"^password\s*=", text, re.M)


def test_init_never_overwrites_without_force(tmp_path, capsys):
    out = tmp_path / "config.toml"
    out.write_text("# mine\n")
    assert main(["init", "--profile", "seed", "--terminal", "sim", "--out", str(out)]) == 2
    assert out.read_text() == "# mine\n"
    said = capsys.readouterr()
    assert "--force" in said.out + said.err
    assert main(["init", "--profile", "retail", "--terminal", "sim", "--out", str(out),
                 "--force"]) == 0
    assert load_config(out).risk.profile.value == "retail"


@pytest.mark.parametrize("preset", sorted(PROP_PRESETS))
def test_init_for_a_prop_preset_leaves_the_firm_values_commented(tmp_path, preset):
    code, text = _init(tmp_path, "--profile", preset, "--terminal", "sim")
    assert code == 0
    prop = text.split("\n[prop]", 1)[1].split("\n[", 1)[0]
    written = [line.split("=")[0].strip() for line in prop.splitlines()
               if line.strip() and not line.lstrip().startswith("#") and "=" in line]
    assert written == ["enabled", "preset"]
    for key, value in PROP_PRESETS[preset].items():  # shown, commented, with the preset's value
        assert re.search(rf"^# {key} = {re.escape(_toml_of(value))}(\s|$)", prop, re.M), key


def _toml_of(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


@pytest.mark.parametrize("profile", ["seed", "retail", sorted(PROP_PRESETS)[0]])
def test_every_commented_key_uncommented_gives_the_same_config(tmp_path, profile):
    """The comments show the values in force: writing them all changes nothing."""
    code, text = _init(tmp_path, "--profile", profile, "--terminal", "sim")
    assert code == 0
    lines, uncommented = [], 0
    for line in text.splitlines():
        m = _COMMENTED_KEY.match(line)
        if m and m.group(2) != "(unset)":
            lines.append(f"{m.group(1)} = {m.group(2)}")
            uncommented += 1
        else:
            lines.append(line)
    assert uncommented > 50  # every key of the schema is there, not a hand-picked few
    full = tmp_path / "full.toml"
    full.write_text("\n".join(lines) + "\n")
    assert load_config(full).model_dump() == load_config(tmp_path / "config.toml").model_dump()


def test_init_asks_on_a_tty_only_what_is_missing(tmp_path, monkeypatch):
    answers = iter(["mt5linux"])
    asked: list[str] = []

    def fake_input(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", fake_input)
    code, _ = _init(tmp_path, "--profile", "retail")
    assert code == 0
    assert len(asked) == 1
    assert "sim" in asked[0]
    assert "mt5linux" in asked[0]
    config = load_config(tmp_path / "config.toml")
    assert (config.risk.profile.value, config.terminal.kind) == ("retail", "mt5linux")


def test_init_without_a_tty_takes_the_defaults_and_says_which(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)

    def no_input(prompt: str) -> str:
        raise AssertionError("asked without a terminal")

    monkeypatch.setattr("builtins.input", no_input)
    code, _ = _init(tmp_path)
    assert code == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "--profile seed" in said
    assert "--terminal sim" in said
    config = load_config(tmp_path / "config.toml")
    assert (config.risk.profile.value, config.terminal.kind) == ("seed", "sim")


def test_init_refuses_an_unknown_profile_naming_the_choices(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["init", "--profile", "yolo", "--terminal", "sim",
              "--out", str(tmp_path / "c.toml")])
    assert stop.value.code == 2
    said = capsys.readouterr().err
    assert "yolo" in said
    assert "retail" in said
    assert sorted(PROP_PRESETS)[0] in said
    assert not (tmp_path / "c.toml").exists()
