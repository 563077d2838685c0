"""The checks the scenario file's pydantic models (bridge.sim.scenario.schema) are built from —
strict types, no unknown key, `kinds`, `choice`, `Positive`, `at_least`, `within` — and `explain`,
which turns a pydantic error into the sentence lca prints: the key, the value and what is allowed
(``account.margin_mode = 'hedge' is not allowed; use one of ['netting', 'hedging']``).

bridge.config explains its own errors in the config's format (``[account] key = ...``) and imports
the controller, which bridge.sim may not import (the import contracts): the scenario's sentences,
which docs/scenarios.md and the tests quote, are made here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from types import UnionType
from typing import Annotated, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from pydantic_core import ErrorDetails, PydanticCustomError

__all__ = [
    "NonNegative",
    "Positive",
    "TableModel",
    "at_least",
    "choice",
    "explain",
    "key_of",
    "kinds",
    "within",
]


def _refuse(shown: object, message: str) -> PydanticCustomError:
    """The error of a value (`shown` as the sentence quotes it, e.g. after int → float)."""
    return PydanticCustomError("scenario_value", "{message}", {"message": message, "shown": shown})


class TableModel(BaseModel):
    """One table of a scenario file: strict types (an int is taken for a float), no unknown key."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class _KindCheck:
    """Accept a value of one of `kinds` (an int is taken for a float; a bool is never a number)."""

    def __init__(self, kinds: tuple[type, ...]) -> None:
        self.kinds = kinds
        self.name = " or ".join(t.__name__ for t in kinds)

    def __call__(self, v: object) -> object:
        if float in self.kinds and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, self.kinds) or (isinstance(v, bool) and bool not in self.kinds):
            raise _refuse(v, f"has the wrong type; expected {self.name}")
        return v


def kinds(*types: type) -> BeforeValidator:
    """For `Annotated[object, kinds(str, datetime)]`: a value of one of `types`."""
    return BeforeValidator(_KindCheck(types))


def choice(options: Collection[str]) -> AfterValidator:
    """For `Annotated[str, choice(...)]`: a string among `options` (a mapping: its keys), the
    options named in the error as written."""
    shown = list(options) if isinstance(options, Mapping) else options

    def check(v: str) -> str:
        if v not in options:
            raise _refuse(v, f"is not allowed; use one of {shown}")
        return v

    return AfterValidator(check)


def _positive(zero_ok: bool) -> Callable[[float], float]:
    def check(v: float) -> float:
        if v < 0 or (v == 0 and not zero_ok):
            raise _refuse(v, f"must be {'≥' if zero_ok else '>'} 0")
        return v

    return check


Positive = Annotated[float, AfterValidator(_positive(False))]
"""A number > 0."""
NonNegative = Annotated[float, AfterValidator(_positive(True))]
"""A number ≥ 0."""


def at_least(low: int, hint: str = "") -> AfterValidator:
    """For `Annotated[int, at_least(1)]`: an int ≥ `low` (`hint` follows the error)."""

    def check(v: int) -> int:
        if v < low:
            raise _refuse(v, f"must be ≥ {low}{hint}")
        return v

    return AfterValidator(check)


def within(low: float, high: float) -> AfterValidator:
    """For `Annotated[float, within(0, 1)]`: a number within [low, high]."""

    def check(v: float) -> float:
        if not low <= v <= high:
            raise _refuse(v, f"must be within {low:g}..{high:g}")
        return v

    return AfterValidator(check)


def key_of(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as the file's key: ("symbols", 0, "digits") → symbols[0].digits."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _unwrap(annotation: object) -> object:
    """`X | None` → X."""
    args = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def _inner(annotation: object, part: int | str) -> object:
    """The annotation one step into a model (str part), a list (int part) or a dict (str part)."""
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part) if isinstance(part, str) else None
        return None if field is None else field.annotation
    origin, args = get_origin(annotation), get_args(annotation)
    if isinstance(part, int) and origin in (list, tuple) and args:
        return args[0]
    if isinstance(part, str) and origin is dict and len(args) == 2:
        return args[1]
    return None


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The table model reached by `loc` from `model` (None if `loc` leads elsewhere)."""
    current: object = model
    for part in loc:
        current = _inner(current, part)
    current = _unwrap(current)
    if get_origin(current) is not None or not isinstance(current, type):
        return None
    return current if issubclass(current, BaseModel) else None


def _kind_name(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """The expected type of the field at `loc`, named as the wrong-type errors name it
    ("expected float", "expected str or float or datetime")."""
    owner = _model_at(model, loc[:-1])
    field = owner.model_fields.get(str(loc[-1])) if owner is not None else None
    if field is None:
        return "a value"
    for meta in field.metadata:
        if isinstance(meta, BeforeValidator) and isinstance(meta.func, _KindCheck):
            return f"expected {meta.func.name}"
    origin = get_origin(field.annotation) or field.annotation
    if isinstance(origin, type) and issubclass(origin, BaseModel):
        origin = dict
    return f"expected {getattr(origin, '__name__', origin)}"


_TYPE_NAMES = {"int_type": "int", "float_type": "float", "string_type": "str",
               "bool_type": "bool", "list_type": "list", "dict_type": "dict", "model_type": "dict"}


def explain(model: type[BaseModel], error: ErrorDetails) -> str:
    """One pydantic error of `model` as a sentence naming the key, the value and the fix."""
    loc = tuple(error["loc"])
    key = key_of(loc)
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = sorted(owner.model_fields) if owner is not None else []
        return f"{key} is not a known key; allowed here: {allowed}"
    if kind == "missing":
        return f"{key} is missing; it is required ({_kind_name(model, loc)})"
    if kind == "model_type" and loc and isinstance(loc[-1], int):
        return f"{key} must be a table, got {value!r}"
    if kind in _TYPE_NAMES:
        return f"{key} = {value!r} has the wrong type; expected {_TYPE_NAMES[kind]}"
    ctx = error.get("ctx") or {}
    message = ctx.get("message", str(error.get("msg", "")).removeprefix("Value error, "))
    return f"{key} = {ctx.get('shown', value)!r} {message}"
