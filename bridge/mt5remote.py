"""A `MetaTrader5`-shaped client for a terminal under Wine, one round trip per call.

mt5linux exposes the Windows `MetaTrader5` module over an RPyC *classic* server. Its own client
hands back RPyC netrefs: every attribute read of a result is another round trip, and a tuple of 50
positions costs about 60 ms (shared/reference/perf-anchors.md §1.2). This client instead sends one
request per call: a small function installed once on the server calls the module, turns the
result into plain data there (namedtuples to (type name, fields, values), numpy arrays to dtype +
bytes), pickles it with the terminal's `last_error()`, and returns one bytes payload. Locally the
namedtuples are rebuilt with the real type names and field order, arrays with their real dtypes.
Arguments travel pickled too, so datetimes and numpy scalars arrive intact.

    mt5 = RemoteMT5("localhost", 18812)   # the mt5linux server under Wine (loopback)
    mt5.initialize(); mt5.positions_get()

Security: RPyC classic executes what the client sends; bind its server to loopback only.
"""

from __future__ import annotations

import pickle
from collections import namedtuple
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["RemoteMT5"]

# Installed on the server with one `execute`; runs there, next to the MetaTrader5 module.
_SERVER_CODE = r'''
import pickle as _lca_pickle

def _lca_plain(value):
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if hasattr(value, "_asdict"):
        fields = value._asdict()
        return ("nt", type(value).__name__, tuple(fields),
                tuple(_lca_plain(v) for v in fields.values()))
    if hasattr(value, "dtype") and hasattr(value, "tobytes"):
        return ("nd", value.dtype.descr, value.shape, value.tobytes())
    if isinstance(value, (tuple, list)):
        return ("seq", tuple(_lca_plain(v) for v in value))
    if isinstance(value, dict):
        return ("map", {k: _lca_plain(v) for k, v in value.items()})
    return value

def _lca_call(payload):
    name, args, kwargs = _lca_pickle.loads(payload)
    if name == "__constants__":
        result = {k: getattr(_lca_mt5, k) for k in dir(_lca_mt5)
                  if k.isupper() and isinstance(getattr(_lca_mt5, k), int)}
        return _lca_pickle.dumps((result, (1, "Success")))
    result = getattr(_lca_mt5, name)(*args, **kwargs)
    return _lca_pickle.dumps((_lca_plain(result), tuple(_lca_mt5.last_error())))
'''


def _record_type(types: dict[tuple[str, tuple[str, ...]], type], type_name: str,
                 fields: tuple[str, ...]) -> type:
    """A namedtuple class with the real type's name and field order (cached)."""
    record: type = namedtuple(type_name, fields)  # type: ignore[misc]
    types[(type_name, fields)] = record
    return record


def _rebuild(value: Any, types: dict[tuple[str, tuple[str, ...]], type]) -> Any:
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        tag = value[0]
        if tag == "nt" and len(value) == 4:
            _, type_name, fields, values = value
            record = types.get((type_name, fields)) or _record_type(types, type_name, fields)
            return record(*(_rebuild(v, types) for v in values))
        if tag == "nd" and len(value) == 4:
            _, descr, shape, raw = value
            dtype = np.dtype([tuple(d) for d in descr])
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if tag == "seq" and len(value) == 2:
            return tuple(_rebuild(v, types) for v in value[1])
        if tag == "map" and len(value) == 2:
            return {k: _rebuild(v, types) for k, v in value[1].items()}
    return value


class RemoteMT5:
    """The `MetaTrader5` API of a remote terminal over RPyC classic, one round trip per call.

    `setup` is the server-side code that binds `_lca_mt5` to the module (default: the real
    `MetaTrader5`). `connect` opens the RPyC classic connection (tests pass a loopback one).
    """

    def __init__(self, host: str = "localhost", port: int = 18812, *,
                 setup: str = "import MetaTrader5 as _lca_mt5",
                 connect: Callable[[str, int], Any] | None = None) -> None:
        if connect is None:
            import rpyc

            connect = rpyc.classic.connect
        self._conn = connect(host, port)
        self._conn.execute(setup)
        self._conn.execute(_SERVER_CODE)
        self._remote = self._conn.namespace["_lca_call"]
        self._types: dict[tuple[str, tuple[str, ...]], type] = {}
        self._error: tuple[int, str] = (1, "Success")
        self.round_trips = 0
        constants = self._invoke("__constants__", (), {})
        for key, value in constants.items():
            setattr(self, key, value)

    def _invoke(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self.round_trips += 1
        raw = self._remote(pickle.dumps((name, args, kwargs)))
        result, error = pickle.loads(bytes(raw))  # our own server's payload
        self._error = (int(error[0]), str(error[1]))
        return _rebuild(result, self._types)

    def last_error(self) -> tuple[int, str]:
        """The error of the last call, carried back with its result (no extra round trip)."""
        return self._error

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._invoke(name, args, kwargs)

        call.__name__ = name
        return call

    def close(self) -> None:
        self._conn.close()
