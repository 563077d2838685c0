"""Load `config.toml` into the typed settings, with errors a user can act on.

Every problem names the key (as `[table] key`), the value found and what is allowed:

    config.toml: [rules] eff_lev_reduce_above = -1: must be greater than 0
    config.toml: [rules] eff_lev_reduce_abve: unknown key (allowed: eff_lev_forced_above, ...)
"""

from __future__ import annotations

import ipaddress
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from bridge.config_moved import moved_server_keys
from bridge.news.settings import NewsSettings
from bridge.servertime import DstRule
from controller.settings import Settings

__all__ = [
    "AppConfig",
    "ConfigError",
    "EaSettings",
    "LeaseSettings",
    "Mode",
    "RunSettings",
    "TerminalKind",
    "TerminalSettings",
    "is_loopback_host",
    "load_config",
    "load_settings",
    "nesting_problem",
    "remote_host_problem",
    "settings_from_dict",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def is_loopback_host(host: str) -> bool:
    """True for "localhost" and loopback addresses (127.0.0.0/8, ::1); no name is resolved."""
    if host.strip().lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def remote_host_problem(host: str) -> str:
    """Why a non-loopback mt5linux host is refused, and the two ways forward."""
    return (f"[terminal] host = {host!r} is not loopback: the mt5linux channel has no "
            "authentication or encryption. Reach another machine through an SSH tunnel "
            "(ssh -N -L 18812:localhost:18812 you@wine-host) and keep host = \"localhost\", or "
            "set allow_remote = true with a remote_reason")


class TerminalKind(StrEnum):
    """The terminal the guard talks to (`[terminal] kind`)."""

    SIM = "sim"  # the built-in simulated terminal, replaying a scenario
    MT5 = "mt5"  # the MetaTrader5 package (Windows)
    MT5LINUX = "mt5linux"  # the RPyC client to a terminal under Wine


def _one_of(value: object, choices: type[StrEnum], what: str) -> object:
    """`value` when it is one of `choices`' values, else a ValueError naming them all."""
    allowed = [c.value for c in choices]
    if isinstance(value, str) and value not in allowed:
        raise ValueError(f"{value!r} is {what} (allowed: {', '.join(allowed)})")
    return value


class TerminalSettings(BaseModel):
    """Which terminal to talk to. Credentials come from environment variables, never from here."""

    model_config = _FROZEN

    kind: TerminalKind = Field(TerminalKind.SIM, description="sim (built-in simulated terminal), "
                               "mt5 (the MetaTrader5 package, Windows) or mt5linux (RPyC client "
                               "to Wine)")
    scenario: str = Field("gbp-flash-2016", description="sim only: built-in name or TOML path")
    data_dir: str = Field("", description="sim only: folder of real market data for scenarios")
    path: str = Field("", description="mt5 only: path to terminal64.exe (empty: find it)")
    host: str = Field("localhost", description="mt5linux only: RPyC host (loopback unless "
                      "allow_remote)")
    port: Annotated[int, Field(ge=1, le=65535)] = Field(
        18812, description="mt5linux only: RPyC port of the server under Wine")
    allow_remote: bool = Field(False, description="mt5linux only: allow a host that is not "
                               "loopback (an SSH tunnel to loopback is the documented way)")
    remote_reason: str = Field("", description="mt5linux only: why allow_remote is needed")
    login_env: str = Field("LCA_MT5_LOGIN", description="environment variable with the login")
    password_env: str = Field("LCA_MT5_PASSWORD",
                              description="environment variable with the password")
    server_env: str = Field("LCA_MT5_SERVER", description="environment variable with the server")
    timeout_ms: Annotated[int, Field(ge=1000, le=600_000)] = Field(
        60_000, description="milliseconds a terminal call (and the connection) may take")
    watch: tuple[str, ...] = Field((), description="symbols to watch besides the held ones")
    server_utc_offset_hours: Annotated[float, Field(ge=-12.0, le=14.0)] = Field(
        2.0, description="mt5 and mt5linux: the broker's trade-server clock minus UTC in winter "
        "(hours; the simulated terminal takes its scenario's [server_time])")
    server_dst: DstRule = Field(DstRule.US, description="mt5 and mt5linux: the trade-server "
                                "clock's daylight-saving rule: none, us or eu")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        return _one_of(value, TerminalKind, "an unknown terminal kind")

    @field_validator("server_dst", mode="before")
    @classmethod
    def _dst(cls, value: object) -> object:
        return _one_of(value, DstRule, "not a DST rule")

    def model_post_init(self, _context: object) -> None:
        if self.allow_remote and not self.remote_reason.strip():
            raise ValueError("[terminal] allow_remote = true needs remote_reason = \"...\": "
                             "say why an SSH tunnel to loopback will not do")
        if self.kind == "mt5linux" and not self.allow_remote and \
                not is_loopback_host(self.host):
            raise ValueError(remote_host_problem(self.host))


class Mode(StrEnum):
    """observe: decisions journaled and shown, no orders. shadow: no orders either, but a
    virtual book of what the guard would have closed, priced at the live quotes, and a ledger
    of what that saved or cost (bridge.shadow). enforce: the guard sends the orders."""

    OBSERVE = "observe"
    SHADOW = "shadow"
    ENFORCE = "enforce"


class RunSettings(BaseModel):
    """The runtime: mode, schedule, journal, logs."""

    model_config = _FROZEN

    mode: Mode = Field(Mode.ENFORCE, description="observe: decisions only, no orders; shadow: "
                       "no orders, a virtual book of what the guard would have closed; enforce: "
                       "the guard sends its partial closes")
    allow_real_account: bool = Field(False, description="send orders on a REAL account")
    speed: Annotated[float, Field(ge=0.0)] = Field(
        0.0, description="sim only: simulated seconds per wall second (0 = as fast as possible)")
    guard_seconds: Annotated[float, Field(gt=0.0, le=3600.0)] = Field(
        1.0, description="fast guard period: MSI, EffLev, prop limits, stale data")
    cycle_minutes: Annotated[float, Field(gt=0.0, le=1440.0)] = Field(
        5.0, description="the controller cycle: a journaled decision and a plan refresh")
    recalibrate_minutes: Annotated[float, Field(gt=0.0, le=10_080.0)] = Field(
        60.0, description="volatility, ATR and the margin-pressure gradient are recomputed")
    warmup_hours: Annotated[float, Field(ge=0.0, le=24.0 * 90)] = Field(
        48.0, description="history read at start-up to prepare the indicators")
    stale_after_seconds: Annotated[float, Field(gt=0.0)] = Field(
        30.0, description="quotes older than this are stale: no new exposure")
    magic: Annotated[int, Field(ge=0)] = Field(
        770077, description="the magic number marking the guard's orders")
    deviation_points: Annotated[int, Field(ge=0, le=10_000)] = Field(
        20, description="the largest price deviation an order accepts, in points")
    journal: str = Field("sqlite:///runs/journal.db", description="any SQLAlchemy URL")
    journal_password_env: str = Field(
        "LCA_JOURNAL_PASSWORD", description="environment variable with the journal database "
        "password, used when the journal URL has none (the URL's password is never printed)")
    log_file: str = Field("runs/lca.log", description="loguru log file (rotated)")
    compare_unguarded: bool = Field(True, description="sim only: replay the same book "
                                    "without the guard and compare")
    standby: bool = Field(False, description="a hot standby: wait for the account's lease "
                          "instead of refusing to start, take over when the active guard stops "
                          "renewing it (within [lease] timeout_seconds; at once when its "
                          "process on this host is gone) and resume its unfinished plan")


class EaSettings(BaseModel):
    """The link with the guard EA (mql5/PROTOCOL.md): limits out, telemetry in."""

    model_config = _FROZEN

    enabled: bool | None = Field(
        None, description="write the limits file and read the EA's telemetry; unset: on for a "
        "live terminal, off for the simulated one (no EA runs there)")
    common_folder: str = Field("", description="the terminal's common data folder (…/MetaQuotes/"
                               "Terminal/Common); empty: terminal_info().commondata_path")
    heartbeat_seconds: Annotated[float, Field(gt=0.0, le=60.0)] = Field(
        5.0, description="rewrite the limits with a fresh heartbeat this often (the EA's "
        "fail-safe trips after its own timeout, 30 s by default)")
    telemetry_max_age_seconds: Annotated[float, Field(gt=0.0)] = Field(
        30.0, description="older telemetry is not used for depth")


class LeaseSettings(BaseModel):
    """One guard per account (bridge/lease.py): the lease in the journal, in wall-clock seconds."""

    model_config = _FROZEN

    renew_seconds: Annotated[float, Field(gt=0.0, le=600.0)] = Field(
        5.0, description="the running guard renews its lease this often (wall-clock seconds)")
    timeout_seconds: Annotated[float, Field(gt=0.0, le=86_400.0)] = Field(
        30.0, description="a lease not renewed for this long (wall-clock seconds) belongs to a "
        "crashed or orphaned guard and is taken over")

    def model_post_init(self, _context: object) -> None:
        if self.timeout_seconds <= self.renew_seconds:
            raise ValueError(f"lease.timeout_seconds ({self.timeout_seconds:g}) must be greater "
                             f"than lease.renew_seconds ({self.renew_seconds:g})")


class AppConfig(Settings):
    """The whole configuration file: the controller's tables plus [terminal], [run], [ea],
    [lease] and [news]."""

    terminal: TerminalSettings = Field(default_factory=TerminalSettings)
    run: RunSettings = Field(default_factory=RunSettings)
    ea: EaSettings = Field(default_factory=EaSettings)
    lease: LeaseSettings = Field(default_factory=LeaseSettings)
    news: NewsSettings = Field(default_factory=NewsSettings)
    #: one line per key found where it used to belong and taken from there (`lca check`)
    _moved: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _take_moved_keys(cls, data: object, handler: ValidatorFunctionWrapHandler) -> AppConfig:
        moved, notes = moved_server_keys(data, TerminalSettings)
        config: AppConfig = handler(moved)
        config._moved = notes
        return config

    @property
    def moved_keys(self) -> tuple[str, ...]:
        """Where the keys the file writes in their old place now belong, one line each."""
        return self._moved


class ConfigError(ValueError):
    """The configuration cannot be used; the message lists every problem, one per line."""


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the key at `loc` (for the list of allowed keys)."""
    current: type[BaseModel] = model
    for part in loc[:-1]:
        if not isinstance(part, str) or part not in current.model_fields:
            return None
        annotation = current.model_fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            current = annotation
        else:
            return None
    return current


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) == 1:
        return parts[0]
    return f"[{'.'.join(parts[:-1])}] {parts[-1]}"


def _explain(model: type[BaseModel], error: Any) -> str:
    loc = tuple(error["loc"])
    where = _where(loc) if loc else "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        allowed = ", ".join(sorted(owner.model_fields)) if owner is not None else "see docs"
        return f"{where}: unknown key (allowed: {allowed})"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    message = message[0].lower() + message[1:] if message else message
    if kind == "missing":
        return f"{where}: required key is missing"
    if kind == "value_error" and isinstance(error.get("input"), dict | BaseModel):
        # a rule across keys (e.g. risk.appetite against [rules]): the message names them
        return message if not loc else f"{where}: {message}"
    return f"{where} = {error.get('input')!r}: {message}"


def settings_from_dict(data: dict[str, Any], source: str = "config") -> AppConfig:
    """Validate a parsed TOML document; raise ConfigError naming every bad key."""
    try:
        return AppConfig.model_validate(data)
    except ValidationError as exc:
        lines = [f"{source}: {_explain(AppConfig, e)}" for e in exc.errors()]
        raise ConfigError("\n".join(lines)) from None


def load_settings(path: str | Path) -> AppConfig:
    """Read and validate a TOML configuration file."""
    return load_config(path)


MAX_NESTING = 16  # the deepest real key is [extras] thin_hours[0].label: 3 levels


def nesting_problem(data: object, limit: int = MAX_NESTING) -> str | None:
    """Where `data` (parsed TOML or JSON) nests deeper than `limit` levels, or None."""
    stack: list[tuple[object, int, str]] = [(data, 0, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > limit:
            return f"nested deeper than {limit} levels (at {where or 'the top'})"
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{where}.{k}" if where else str(k))
                         for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(value))
    return None


def utf8_text(raw: bytes) -> str:
    """`raw` decoded as UTF-8; a `ValueError` saying where it is not ("not UTF-8 text (byte 3
    is 0xff): is it a binary file?"), for the caller to name the file and its format."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start} is 0x{raw[exc.start]:02x}): is it "
                         "a binary file?") from None


def load_config(path: str | Path) -> AppConfig:
    """Read and validate a TOML configuration file; every problem is a `ConfigError`."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{p}: configuration file not found (pass --config PATH)") from None
    except IsADirectoryError:
        raise ConfigError(f"{p}: is a folder, not a file (pass --config PATH of a TOML "
                          "file)") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read it ({exc.strerror or exc}): check the path and "
                          "its permissions") from None
    try:
        text = utf8_text(raw)
    except ValueError as exc:
        raise ConfigError(f"{p}: {exc} Save the configuration as UTF-8 TOML") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{p}: nested beyond reason (thousands of levels): not a "
                          "configuration file") from None
    problem = nesting_problem(data)
    if problem is not None:
        raise ConfigError(f"{p}: {problem}: not a configuration file (docs/config.md)")
    return settings_from_dict(data, str(p))
