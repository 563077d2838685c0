"""A faster `__init__` for the controller's small frozen records (issue 18: decide in 0.5 ms).

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__` (the
class's own `__setattr__` refuses), about 85 ns a field: a decision builds some 150 records of
5–13 fields each. `quick_init` gives a slotted frozen dataclass an `__init__` that writes each
slot through the slot's own descriptor instead (`member.__set__`, about half the cost), with the
same parameters, order and defaults; a record of 6 fields or more is instead turned into a plain
twin class of the same slots for its plain (faster) stores and back (`_writable_twin`), before
anyone else sees it. Nothing else changes: the record still refuses assignment
(its `__setattr__` is the dataclass's), compares, hashes, prints, pickles and works with
`dataclasses.replace` / `asdict` as before.

Only for what it can copy exactly: a slotted frozen dataclass whose every field is an `__init__`
parameter with a plain default or none (no `init=False`, no default factory, no keyword-only
field, no `InitVar`) and no `__post_init__`; anything else is refused at import (`TypeError`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["quick_init", "quick_replace"]

_T = TypeVar("_T")


def _refusal(cls: type) -> str | None:
    """Why `quick_init` cannot copy `cls`'s `__init__` exactly (None: it can)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        return "it is not a slotted frozen dataclass"
    if hasattr(cls, "__post_init__"):
        return "it has a __post_init__"
    declared = getattr(cls, "__dataclass_fields__", {})
    fields = dataclasses.fields(cls)
    if len(declared) != len(fields):
        return "it has an InitVar or a ClassVar field"
    for f in fields:
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            return f"field {f.name!r} is not a plain __init__ parameter"
    return None


def quick_init(cls: type[_T]) -> type[_T]:
    """`cls` with an `__init__` that sets its slots through their descriptors (module text)."""
    why = _refusal(cls)
    if why is not None:
        raise TypeError(f"quick_init({cls.__qualname__}): {why}")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names: dict[str, object] = {}
    params, body = [], []
    for i, f in enumerate(fields):
        names[f"__set{i}"] = cls.__dict__[f.name].__set__  # the slot's member descriptor
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            names[f"__default{i}"] = f.default
            params.append(f"{f.name}=__default{i}")
        body.append(f"    __set{i}(self, {f.name})\n")
    writable = _writable_twin(cls) if len(fields) >= _TWIN_FIELDS else None
    if writable is not None:  # the record's own class: plain slot stores on its twin
        names.update(__cls=cls, __twin=writable, __to_twin=object.__setattr__)
        stores = "".join(f"        self.{f.name} = {f.name}\n" for f in fields)
        body = ["    if self.__class__ is __cls:\n        __to_twin(self, '__class__', __twin)\n",
                stores, "        self.__class__ = __cls\n        return\n", *body]
    source = f"def __init__(self, {', '.join(params)}):\n{''.join(body) or '    pass'}\n"
    exec(source, names)
    init: Callable[..., None] = names["__init__"]  # type: ignore[assignment]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 - replacing the generated method
    setattr(cls, "__quick_replace__", _replacer(cls, fields))  # noqa: B010
    return cls


_TWIN_FIELDS = 6
"""From this many fields the twin's plain stores are cheaper than the descriptors' calls (two
class swaps against some 20 ns saved a field: 274 -> 232 ns for 6 fields, 484 -> 281 ns for
13; about even at 4, 208 -> 205 ns; slower below, 108 -> 189 ns for 1. Python 3.11, CPU time,
the min of 7 x 20,000 builds)."""


def _writable_twin(cls: type) -> type | None:
    """A plain class with the same slots as `cls` (the same layout, so an instance may change
    between the two through `__class__`), or None when Python refuses the swap for `cls`.

    `__init__` turns the new record into its twin, sets each field with a plain store (which
    Python does faster than a call of the slot's descriptor), and turns it back, before anyone
    else sees it: every field then holds the same object as through the descriptors."""
    slots = cls.__dict__["__slots__"]
    if cls.__bases__ != (object,):
        return None
    twin = type(f"_Writable{cls.__name__}", (), {"__slots__": tuple(slots)})
    probe: object = object.__new__(cls)
    try:  # Python checks the layouts alike here (the slots, their order, the size)
        object.__setattr__(probe, "__class__", twin)
        probe.__class__ = cls
    except TypeError:
        return None
    return twin


def _replacer(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., object]:
    """`dataclasses.replace` for `cls`: `cls(...)` with every field from the changes given or
    else from the old record, as `replace` calls it. Keyword-only: a name that is no field is
    refused (`TypeError`), as `replace` refuses it."""
    names: dict[str, object] = {"__cls": cls, "__same": _SAME}
    params = [f"{f.name}=__same" for f in fields]
    args = [f"self.{f.name} if {f.name} is __same else {f.name}" for f in fields]
    source = f"def __quick_replace__(self, *, {', '.join(params)}):\n" \
        f"    return __cls({', '.join(args)})\n"
    exec(source, names)
    return names["__quick_replace__"]  # type: ignore[return-value]


_SAME = object()  # "not given": the old record's value is kept


def quick_replace(record: _T, **changes: Any) -> _T:
    """`dataclasses.replace(record, **changes)` for a `quick_init` record: the same new record
    (every field from `changes` or else from `record`), about 4× cheaper."""
    return type(record).__quick_replace__(record, **changes)  # type: ignore[attr-defined,no-any-return]
