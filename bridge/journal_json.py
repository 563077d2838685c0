"""How the journal writes a payload as JSON text (the `payload` column).

A payload is written as ``json.dumps(json_safe(payload))``: a NaN or an infinity as ``null``,
tuples as lists, every dict key as its text. `payload_text` gives the same bytes in one pass
of the C encoder when the payload needs no change (the usual case: the guard's decision rows),
and walks it only when the encoder refuses it (a non-finite number, a value JSON lacks).
"""

from __future__ import annotations

import json
import math

__all__ = ["EncodedPayload", "json_safe", "payload_text", "serialize"]

# json.dumps's own settings (ASCII, ", " and ": "), refusing NaN and infinities instead of
# writing them: a refusal sends the payload through `json_safe`
_STRICT = json.JSONEncoder(allow_nan=False).encode


def json_safe(value: object) -> object:
    """`value` as JSON can hold it: a NaN or an infinity becomes None, tuples lists, dict keys
    their `str()`."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def payload_text(payload: object) -> str:
    """``json.dumps(json_safe(payload))`` for a payload whose dict keys are text or numbers
    (JSON writes those as their `str()`; a key that is a bool, None or an Enum that is not a
    StrEnum/IntEnum would be written as JSON spells it, so such payloads take `json_safe`).

    Exact by construction: the strict encoder writes finite floats, ints, text, lists, tuples
    (as lists) and dicts exactly as `json.dumps` writes the `json_safe` copy, and raises
    ValueError on a NaN or an infinity (anywhere, keys included) and TypeError on what JSON
    cannot hold; either sends the payload through the walk, as before."""
    try:
        return _STRICT(payload)
    except (ValueError, TypeError):
        return json.dumps(json_safe(payload))


class EncodedPayload:
    """A payload already written as its JSON text (`payload_text`), for `serialize`."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def serialize(value: object) -> str:
    """The journal engine's JSON writer: an `EncodedPayload`'s text as it is, anything else
    through `json.dumps` (SQLAlchemy's default)."""
    if type(value) is EncodedPayload:
        return value.text
    return json.dumps(value)
