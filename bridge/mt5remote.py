"""A `MetaTrader5`-shaped client for a terminal under Wine, one round trip per call, that runs
nothing the terminal side sends.

The mt5linux way: the Windows `MetaTrader5` module, in the Wine Python of the terminal, exposed
over an RPyC *classic* server (rpyc's own `rpyc_classic`, started as `server_command()` says;
lca needs only rpyc, never the mt5linux package, whose 1.1.1 module does not parse on Python
3.11: docs/linux.md). mt5linux's own client hands back RPyC netrefs: every attribute read of a
result is another round trip, and a tuple of 50 positions costs about 60 ms
(shared/reference/perf-anchors.md §1.2). This client instead sends one request per call: a small
function installed once on the server calls the module, turns the
result into JSON there (namedtuples to type name + fields + values, numpy arrays to dtype + shape
+ base64 bytes) with the terminal's `last_error()`, and returns one text. Locally the JSON is
checked against that shape and the namedtuples are rebuilt with the real type names and field
order, arrays with their real (numeric) dtypes. Arguments travel as JSON too.

    mt5 = RemoteMT5("localhost", 18812)   # the RPyC server under Wine (loopback)
    mt5.initialize(); mt5.positions_get()

Security. The channel is one-way: lca runs code on the server (that is what an RPyC classic
server is for), the server runs none in lca.
- Our side of the connection exposes `rpyc.VoidService` with a protocol config that allows
  nothing: no attribute access of any kind, no pickling, no custom exceptions. A server that
  calls back (`conn.root.eval`, `getmodule`, walking `__globals__`) gets "cannot access".
- Replies are JSON text, never pickle. A reply that is not text, does not parse, or does not have
  the expected shape raises `TerminalError` naming the server; nothing in it is run.
- `host` must be loopback unless `allow_remote` is set (config: `allow_remote = true` with a
  `remote_reason`); the documented way to another machine is an SSH tunnel to its loopback.
A refused connection, one closed mid-call, or a call that times out is the terminal's own
failure shape: `None` with `last_error()` -10004 / -10005 and a sentence naming host:port and what
to do; the next `initialize` reconnects.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from bridge.config import is_loopback_host, remote_host_problem
from bridge.mt5 import constants as mt5c
from bridge.mt5remote_wire import (
    PLAIN_NAME,
    SERVER_CODE,
    BadReply,
    RecordTypes,
    parse_reply,
    to_wire,
)
from bridge.terminal import TerminalError

__all__ = ["SERVER_ARGS", "WINE_PYTHON", "RemoteMT5", "server_command"]

_NO_IPC_CONNECTION = mt5c.RES_E_INTERNAL_FAIL_CONNECT
_IPC_TIMEOUT = mt5c.RES_E_INTERNAL_FAIL_TIMEOUT
_INTERNAL_FAIL = mt5c.RES_E_INTERNAL_FAIL

# Our side of the connection: the server may access nothing in lca.
_CLIENT_CONFIG: dict[str, object] = {
    "allow_safe_attrs": False, "allow_exposed_attrs": False, "allow_public_attrs": False,
    "allow_all_attrs": False, "allow_getattr": False, "allow_setattr": False,
    "allow_delattr": False, "allow_pickle": False, "import_custom_exceptions": False,
    "instantiate_custom_exceptions": False, "instantiate_oldstyle_exceptions": False,
    "include_local_traceback": False, "safe_attrs": set(),
}

WINE_PYTHON = r"C:\Python311\python.exe"
"""Where docs/linux.md installs the Windows Python inside the Wine prefix."""
SERVER_ARGS = ("-c", "from rpyc.cli.rpyc_classic import main; main()", "--host", "127.0.0.1")


def server_command(port: int = 18812) -> str:
    """The command that starts the RPyC classic server in the Wine Python (docs/linux.md): rpyc's
    own `rpyc_classic` entry point, bound to loopback. (mt5linux 1.1.1's `python -m mt5linux`
    does not even parse on Python 3.11.)"""
    return (f"wine '{WINE_PYTHON}' -c \"{SERVER_ARGS[1]}\" {SERVER_ARGS[2]} {SERVER_ARGS[3]} "
            f"--port {port}")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else ""


def _connect(host: str, port: int, timeout_s: float) -> Any:
    """An RPyC connection whose own side is `VoidService` under `_CLIENT_CONFIG`. The socket is
    opened here (rpyc's own connect leaks it when refused, and retries a silent host 6 × 3 s)."""
    import socket

    import rpyc
    from rpyc.core.stream import SocketStream

    sock = socket.create_connection((host, port), timeout=5.0)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return rpyc.connect_stream(SocketStream(sock), service=rpyc.VoidService,
                               config={**_CLIENT_CONFIG, "sync_request_timeout": timeout_s})


class RemoteMT5:
    """The `MetaTrader5` API of a remote terminal over RPyC classic, one round trip per call.

    `setup` is the server-side code that binds `_lca_mt5` to the module (default: the real
    `MetaTrader5`). `allow_remote` lets `host` be other than loopback (config: `allow_remote`).
    `timeout_s` (seconds) is how long one call may take before it counts as an IPC timeout:
    longer than the terminal's own `initialize` timeout (config `timeout_ms`, 60 s by default).
    """

    def __init__(self, host: str = "localhost", port: int = 18812, *,
                 setup: str = "import MetaTrader5 as _lca_mt5",
                 allow_remote: bool = False, timeout_s: float = 70.0) -> None:
        if not allow_remote and not is_loopback_host(host):
            raise ValueError(remote_host_problem(host))
        self.host, self.port, self._setup, self.timeout_s = host, port, setup, timeout_s
        self._where = f"mt5linux server at {host}:{port}"
        self._types: RecordTypes = {}
        self._error: tuple[int, str] = (1, "Success")
        self.round_trips = 0
        self._conn: Any = None
        self._remote: Callable[[str], object] | None = None
        self._open()
        try:
            constants = self._invoke("__constants__", (), {})
        except TerminalError:
            self._drop()
            raise
        if self._conn is None or type(constants) is not dict or \
                any(type(v) not in (int, bool) for v in constants.values()):
            code, message = self._error
            self._drop()
            raise TerminalError("connect", code if code < 0 else _INTERNAL_FAIL,
                                message if code < 0 else f"the {self._where} sent no constants")
        for key, value in constants.items():
            if PLAIN_NAME.match(key) and key.isupper():
                setattr(self, key, value)

    def _open(self) -> None:
        """Connect and install the server function; `TerminalError` naming host:port if not."""
        try:
            conn = _connect(self.host, self.port, self.timeout_s)
        except OSError as exc:
            why = (exc.strerror or str(exc)).lower()
            raise TerminalError("connect", _NO_IPC_CONNECTION, (
                f"nothing is listening on {self.host}:{self.port} ({why}): the RPyC server "
                "under Wine is not running. Fix: start it in the Wine Python that has "
                f"MetaTrader5, `{server_command(self.port)}` (docs/linux.md), or fix [terminal] "
                "host and port")) from None
        try:
            conn.root.execute(self._setup)
        except ImportError as exc:  # the server's Python lacks the module (rebuilt locally)
            conn.close()
            raise TerminalError("connect", _INTERNAL_FAIL, (
                f"the server at {self.host}:{self.port} answers, but its Python has no "
                f"MetaTrader5 module ({type(exc).__name__}: {_first_line(exc)}): it is not the "
                f"Wine Python of the terminal. Fix: `wine '{WINE_PYTHON}' -m pip install "
                "MetaTrader5` and start the server with that Python (docs/linux.md)")) from None
        except (EOFError, OSError, TimeoutError):
            conn.close()
            raise TerminalError("connect", _NO_IPC_CONNECTION, self._closed_text("the set-up")) \
                from None
        except Exception as exc:  # the server refused our set-up: its error, as data
            conn.close()
            raise TerminalError("connect", _INTERNAL_FAIL, self._refused_text(exc)) from None
        try:
            conn.root.execute(SERVER_CODE)
            self._remote = conn.root.namespace["_lca_call"]
        except (EOFError, OSError, TimeoutError):
            conn.close()
            raise TerminalError("connect", _NO_IPC_CONNECTION, self._closed_text("the set-up")) \
                from None
        except Exception as exc:
            conn.close()
            raise TerminalError("connect", _INTERNAL_FAIL, self._refused_text(exc)) from None
        self._conn = conn

    def _refused_text(self, exc: Exception) -> str:
        return (f"the {self._where} refused lca's set-up ({type(exc).__name__}: "
                f"{_first_line(exc)}): is it an RPyC classic server in the Wine Python of a "
                f"terminal (`{server_command(self.port)}`, docs/linux.md)?")

    def _closed_text(self, during: str) -> str:
        return (f"the {self._where} closed the connection during {during}: check that it still "
                f"runs under Wine (`{server_command(self.port)}`) with the terminal open; lca "
                "reconnects at the next initialize")

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # already gone
                self._conn.close()
        self._conn, self._remote = None, None

    def _invoke(self, name: str, args: tuple[object, ...], kwargs: dict[str, object]) -> Any:
        if self._conn is None or self._remote is None:
            if name != "initialize":
                self._error = (_NO_IPC_CONNECTION, self._closed_text("an earlier call"))
                return None
            try:
                self._open()
            except TerminalError as exc:
                self._error = (exc.code, exc.message)
                return None
        self.round_trips += 1
        payload = json.dumps({"name": name, "args": to_wire(args), "kwargs": to_wire(kwargs)})
        try:
            raw = self._remote(payload)  # type: ignore[misc]
        except TimeoutError:  # before OSError, its base class
            self._error = (_IPC_TIMEOUT, f"the {self._where} did not answer {name}() within "
                           f"{self.timeout_s:g} s: is the terminal busy or frozen?")
            return None
        except (EOFError, OSError):
            self._drop()
            self._error = (_NO_IPC_CONNECTION, self._closed_text(f"{name}()"))
            return None
        except Exception as exc:  # raised on the server; rebuilt here as a builtin or generic
            text = str(exc).splitlines()[0] if str(exc) else ""
            raise TerminalError(name, _INTERNAL_FAIL, f"the {self._where} failed {name}() "
                                f"({type(exc).__name__}: {text})") from None
        try:
            result, error = parse_reply(raw, self._types)
        except BadReply as exc:
            raise TerminalError(name, _INTERNAL_FAIL, (
                f"the {self._where} sent a reply to {name}() that is not lca's data format "
                f"({exc}); nothing in it was run. Is {self.host}:{self.port} the RPyC server "
                "of your terminal (docs/linux.md)?")) from None
        self._error = error
        return result

    def last_error(self) -> tuple[int, str]:
        """The error of the last call, carried back with its result (no extra round trip)."""
        return self._error

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: object, **kwargs: object) -> Any:
            return self._invoke(name, args, kwargs)

        call.__name__ = name
        return call

    def close(self) -> None:
        self._drop()
