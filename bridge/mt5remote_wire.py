"""The wire between `bridge.mt5remote.RemoteMT5` and the function it installs on the server.

`SERVER_CODE` runs on the server, next to the MetaTrader5 module: it calls the module and turns
the result into JSON (namedtuples to type name + fields + values, numpy arrays to dtype + shape +
base64 bytes, bytes to base64, dicts to name/value pairs) with the terminal's `last_error()`.
Locally `parse_reply` checks that text against that shape and rebuilds the namedtuples with the
real type names and field order, arrays with their real (numeric) dtypes; nothing in a reply is
run, and any other shape raises `BadReply`. `to_wire` is the other direction: an argument as
JSON data.
"""

from __future__ import annotations

import base64
import binascii
import json
import keyword
import math
import re
from collections import namedtuple
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np

__all__ = ["PLAIN_NAME", "REQUIRED_FIELDS", "SERVER_CODE", "BadReply", "RecordTypes",
           "parse_reply", "rebuild", "to_wire"]

RecordTypes = dict[tuple[str, tuple[str, ...]], type]
"""The namedtuple classes rebuilt so far, by (type name, field names): one class per shape."""

SERVER_CODE = r'''
import base64 as _lca_b64
import datetime as _lca_dt
import json as _lca_json

def _lca_plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return {"b64": _lca_b64.b64encode(value).decode("ascii")}
    if hasattr(value, "_asdict"):
        fields = value._asdict()
        return {"nt": [type(value).__name__, list(fields),
                       [_lca_plain(v) for v in fields.values()]]}
    if hasattr(value, "dtype") and hasattr(value, "tobytes"):
        if value.shape == ():
            return _lca_plain(value.item())
        return {"nd": [[list(d[:2]) for d in value.dtype.descr], list(value.shape),
                       _lca_b64.b64encode(value.tobytes()).decode("ascii")]}
    if isinstance(value, (tuple, list)):
        return [_lca_plain(v) for v in value]
    if isinstance(value, dict):
        return {"map": [[str(k), _lca_plain(v)] for k, v in value.items()]}
    raise TypeError("lca: cannot send a %s" % type(value).__name__)

def _lca_arg(value):
    if isinstance(value, dict):
        if list(value) == ["__lca_datetime__"]:
            return _lca_dt.datetime.fromisoformat(value["__lca_datetime__"])
        return {k: _lca_arg(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lca_arg(v) for v in value]
    return value

def _lca_call(payload):
    request = _lca_json.loads(payload)
    name = request["name"]
    if name == "__constants__":
        result = {k: getattr(_lca_mt5, k) for k in dir(_lca_mt5)
                  if k.isupper() and isinstance(getattr(_lca_mt5, k), int)}
        return _lca_json.dumps({"result": {"map": [[k, v] for k, v in result.items()]},
                                "error": [1, "Success"]})
    args = [_lca_arg(a) for a in request["args"]]
    kwargs = {k: _lca_arg(v) for k, v in request["kwargs"].items()}
    result = getattr(_lca_mt5, name)(*args, **kwargs)
    code, message = _lca_mt5.last_error()
    return _lca_json.dumps({"result": _lca_plain(result), "error": [int(code), str(message)]})
'''
"""Installed on the server with one `execute`; runs there, next to the MetaTrader5 module."""

PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z")
_NUMERIC_DTYPE = re.compile(r"[<>|=]?(b1|[iu][1248]|f[48])\Z")
_MAX_DEPTH = 16
_MAX_FIELDS = 128
# The fields lca reads from each MetaTrader5 record (bridge/terminal.py, executor.py,
# runtime.py): a record of one of these types without them is a malformed reply.
REQUIRED_FIELDS = {name: frozenset(fields.split()) for name, fields in {
    "AccountInfo": "login currency balance equity margin margin_so_call margin_so_so "
                   "margin_so_mode margin_mode leverage trade_mode credit profit",
    "SymbolInfo": "currency_base currency_profit trade_calc_mode trade_contract_size "
                  "volume_min volume_step volume_max filling_mode ticks_bookdepth",
    "TradePosition": "ticket symbol type volume price_open price_current profit swap time "
                     "magic",
    "Tick": "time_msc bid ask",
    "BookInfo": "type price volume_dbl",
    "TradeDeal": "ticket position_id symbol volume price profit comment time reason",
    "OrderSendResult": "retcode deal order volume price comment",
    "TerminalInfo": "trade_allowed commondata_path",
}.items()}



class BadReply(ValueError):
    """The reply is not lca's data format; the text says what is wrong."""


def to_wire(value: object) -> object:
    """An argument as JSON data (tuples as lists, numpy scalars as numbers, datetimes tagged)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, datetime):
        return {"__lca_datetime__": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_wire(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} to the mt5linux server")


def _name(value: object, what: str) -> str:
    if type(value) is not str or not PLAIN_NAME.match(value) or keyword.iskeyword(value):
        raise BadReply(f"{what} is not a plain name")
    return value


def _record_class(type_name: str, fields: tuple[str, ...]) -> type:
    """A namedtuple class with the real type's name and field order (names checked already)."""
    record: type = namedtuple(type_name, fields)  # type: ignore[misc]
    return record


def _record(body: object, types: RecordTypes, depth: int) -> object:
    if type(body) is not list or len(body) != 3:
        raise BadReply("a record is not [type name, fields, values]")
    type_name = _name(body[0], "a record's type name")
    if type(body[1]) is not list or type(body[2]) is not list or \
            len(body[1]) != len(body[2]) or len(body[1]) > _MAX_FIELDS:
        raise BadReply(f"record {type_name}: fields and values do not match")
    fields = tuple(_name(f, f"a field of {type_name}") for f in body[1])
    if len(set(fields)) != len(fields):
        raise BadReply(f"record {type_name}: a field name repeats")
    missing = REQUIRED_FIELDS.get(type_name, frozenset()) - set(fields)
    if missing:
        raise BadReply(f"record {type_name} lacks {', '.join(sorted(missing))}")
    record = types.get((type_name, fields))
    if record is None:
        record = types[(type_name, fields)] = _record_class(type_name, fields)
    return record(*(rebuild(v, types, depth + 1) for v in body[2]))


def _array(body: object) -> np.ndarray:
    if type(body) is not list or len(body) != 3 or type(body[0]) is not list or \
            type(body[1]) is not list or type(body[2]) is not str:
        raise BadReply("an array is not [dtype, shape, base64 bytes]")
    descr, shape, text = body
    fields = []
    for item in descr:
        if type(item) is not list or len(item) != 2 or type(item[0]) is not str or \
                type(item[1]) is not str or not _NUMERIC_DTYPE.match(item[1]) or \
                (item[0] and not PLAIN_NAME.match(item[0])):
            raise BadReply("an array's dtype is not a list of numeric fields")
        fields.append((item[0], item[1]))
    if not fields or len(fields) > _MAX_FIELDS or len(shape) > 4 or \
            any(type(n) is not int or n < 0 for n in shape):
        raise BadReply("an array's dtype or shape is out of bounds")
    dtype = np.dtype(fields)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadReply("an array's bytes are not base64") from None
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise BadReply("an array's bytes do not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _bytes(body: object, types: RecordTypes, depth: int) -> bytes:
    if type(body) is not str:
        raise BadReply(_UNKNOWN)
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise BadReply("bytes are not base64") from None


def _mapping(body: object, types: RecordTypes, depth: int) -> dict[str, object]:
    if type(body) is not list:
        raise BadReply(_UNKNOWN)
    out = {}
    for pair in body:
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
            raise BadReply("a mapping is not a list of [name, value]")
        out[pair[0]] = rebuild(pair[1], types, depth + 1)
    return out


_UNKNOWN = "a value of unknown shape"
_TAGGED: dict[str, Callable[[object, RecordTypes, int], object]] = {
    "nt": _record,
    "nd": lambda body, _types, _depth: _array(body),
    "b64": _bytes,
    "map": _mapping,
}
"""The tagged values of the server's JSON, `{tag: body}`, by tag."""


def rebuild(value: object, types: RecordTypes, depth: int = 0) -> Any:
    """JSON data back into MetaTrader5 shapes (namedtuples, numpy arrays, bytes, dicts, tuples
    of them; typed by the module, not here); anything else raises `BadReply`."""
    if depth > _MAX_DEPTH:
        raise BadReply(f"nested deeper than {_MAX_DEPTH} levels")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return tuple(rebuild(v, types, depth + 1) for v in value)
    if type(value) is dict and len(value) == 1:
        ((tag, body),) = value.items()
        decode = _TAGGED.get(tag)
        if decode is not None:
            return decode(body, types, depth)
    raise BadReply(_UNKNOWN)


def parse_reply(raw: object, types: RecordTypes) -> tuple[Any, tuple[int, str]]:
    """(result, (code, message)) from the server's reply text; `BadReply` otherwise."""
    if type(raw) is not str:  # a netref or bytes: never looked into
        raise BadReply(f"the reply is a {type(raw).__name__}, not JSON text")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadReply("the reply is not JSON (or nested beyond reason)") from None
    if type(document) is not dict or set(document) != {"result", "error"}:
        raise BadReply("the reply is not {result, error}")
    error = document["error"]
    if type(error) is not list or len(error) != 2 or type(error[0]) is not int or \
            type(error[1]) is not str:
        raise BadReply("the reply's error is not [code, message]")
    return rebuild(document["result"], types), (error[0], error[1])
