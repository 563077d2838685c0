"""What the executor does with each answer of `order_send`: a pure table, no terminal access.

Every ``TRADE_RETCODE_*`` of shared/reference/mt5-api.md §2.4 maps to a `Handling` and one
sentence for the log and the trader; the ``last_error()`` codes of §0.3 that `order_send` leaves
when it returns ``None`` map the same way (an IPC failure may hide an executed order, so it is
read back, never blindly resent).

| handling            | meaning                                                                   |
|---------------------|---------------------------------------------------------------------------|
| `done`              | the deal executed in full                                                 |
| `partial`           | part of the volume executed; the rest is still to close                   |
| `retry_fresh_price` | nothing executed; take a fresh tick and send again (bounded)              |
| `postpone`          | nothing executed; the market is closed, try again later                   |
| `switch_filling`    | nothing executed; send again with the next filling mode the symbol allows |
| `back_off`          | nothing executed; wait backoff × 2^k and send again                       |
| `fix_volume`        | nothing executed; round the volume to the symbol's step once and resend   |
| `reread_position`   | nothing executed; the position changed: read it again, send what it holds |
| `read_back`         | the outcome is unknown: read the position back before any resend          |
| `gone`              | the position is no longer there                                           |
| `fail`              | retrying will not help; the sentence says what a person has to do         |

Codes not in the table (a newer server's) are `fail` with a sentence naming the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ERRORS",
    "RETCODES",
    "Handling",
    "Retcode",
    "error_handling",
    "retcode_handling",
]


class Handling(StrEnum):
    """What the executor does with one answer (see the module table)."""

    DONE = "done"
    PARTIAL = "partial"
    RETRY_FRESH_PRICE = "retry_fresh_price"
    POSTPONE = "postpone"
    SWITCH_FILLING = "switch_filling"
    BACK_OFF = "back_off"
    FIX_VOLUME = "fix_volume"
    REREAD_POSITION = "reread_position"
    READ_BACK = "read_back"
    GONE = "gone"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Retcode:
    """One code: its MT5 constant name, the handling and a sentence a trader can read."""

    code: int
    name: str
    handling: Handling
    sentence: str


_H = Handling

_TABLE: tuple[Retcode, ...] = (
    Retcode(10004, "TRADE_RETCODE_REQUOTE", _H.RETRY_FRESH_PRICE,
            "the broker requoted the price"),
    Retcode(10006, "TRADE_RETCODE_REJECT", _H.FAIL, "the trade server rejected the request"),
    Retcode(10007, "TRADE_RETCODE_CANCEL", _H.FAIL, "the request was cancelled in the terminal"),
    Retcode(10008, "TRADE_RETCODE_PLACED", _H.READ_BACK,
            "the order was accepted but not reported filled; the position is read back"),
    Retcode(10009, "TRADE_RETCODE_DONE", _H.DONE, "the request was executed"),
    Retcode(10010, "TRADE_RETCODE_DONE_PARTIAL", _H.PARTIAL,
            "only part of the volume was executed"),
    Retcode(10011, "TRADE_RETCODE_ERROR", _H.READ_BACK,
            "the server reported a processing error; the position is read back"),
    Retcode(10012, "TRADE_RETCODE_TIMEOUT", _H.READ_BACK,
            "the request timed out; the position is read back before any retry"),
    Retcode(10013, "TRADE_RETCODE_INVALID", _H.FAIL, "the server called the request invalid"),
    Retcode(10014, "TRADE_RETCODE_INVALID_VOLUME", _H.FIX_VOLUME,
            "the volume does not fit the symbol's minimum, maximum or step"),
    Retcode(10015, "TRADE_RETCODE_INVALID_PRICE", _H.RETRY_FRESH_PRICE,
            "the price was refused as invalid"),
    Retcode(10016, "TRADE_RETCODE_INVALID_STOPS", _H.FAIL, "the stops were refused as invalid"),
    Retcode(10017, "TRADE_RETCODE_TRADE_DISABLED", _H.FAIL,
            "trading is disabled for this symbol or account"),
    Retcode(10018, "TRADE_RETCODE_MARKET_CLOSED", _H.POSTPONE, "the market is closed"),
    Retcode(10019, "TRADE_RETCODE_NO_MONEY", _H.FAIL,
            "the broker reports not enough money for the request"),
    Retcode(10020, "TRADE_RETCODE_PRICE_CHANGED", _H.RETRY_FRESH_PRICE, "the price changed"),
    Retcode(10021, "TRADE_RETCODE_PRICE_OFF", _H.RETRY_FRESH_PRICE,
            "there are no quotes for the symbol (off quotes)"),
    Retcode(10022, "TRADE_RETCODE_INVALID_EXPIRATION", _H.FAIL,
            "the order expiration was refused"),
    Retcode(10023, "TRADE_RETCODE_ORDER_CHANGED", _H.BACK_OFF, "the order state changed"),
    Retcode(10024, "TRADE_RETCODE_TOO_MANY_REQUESTS", _H.BACK_OFF,
            "the server throttled too many requests"),
    Retcode(10025, "TRADE_RETCODE_NO_CHANGES", _H.FAIL, "the request changed nothing"),
    Retcode(10026, "TRADE_RETCODE_SERVER_DISABLES_AT", _H.FAIL,
            "the broker's server has disabled algorithmic trading"),
    Retcode(10027, "TRADE_RETCODE_CLIENT_DISABLES_AT", _H.FAIL,
            "Algo Trading is switched off in the terminal; switch it on "
            "(toolbar button 'Algo Trading') so the guard can close positions"),
    Retcode(10028, "TRADE_RETCODE_LOCKED", _H.BACK_OFF,
            "the request is locked for processing"),
    Retcode(10029, "TRADE_RETCODE_FROZEN", _H.BACK_OFF,
            "the position is frozen (within the freeze level of the market)"),
    Retcode(10030, "TRADE_RETCODE_INVALID_FILL", _H.SWITCH_FILLING,
            "the filling mode is not supported for this symbol"),
    Retcode(10031, "TRADE_RETCODE_CONNECTION", _H.READ_BACK,
            "there is no connection to the trade server; the position is read back"),
    Retcode(10032, "TRADE_RETCODE_ONLY_REAL", _H.FAIL,
            "the operation is allowed only on live accounts"),
    Retcode(10033, "TRADE_RETCODE_LIMIT_ORDERS", _H.FAIL,
            "the account's limit on pending orders is reached"),
    Retcode(10034, "TRADE_RETCODE_LIMIT_VOLUME", _H.FAIL,
            "the symbol's volume limit is reached"),
    Retcode(10035, "TRADE_RETCODE_INVALID_ORDER", _H.FAIL,
            "the order type is not allowed for this symbol"),
    Retcode(10036, "TRADE_RETCODE_POSITION_CLOSED", _H.GONE, "the position is already closed"),
    Retcode(10038, "TRADE_RETCODE_INVALID_CLOSE_VOLUME", _H.REREAD_POSITION,
            "the close volume exceeds what the position now holds"),
    Retcode(10039, "TRADE_RETCODE_CLOSE_ORDER_EXIST", _H.BACK_OFF,
            "a close order for the position already exists"),
    Retcode(10040, "TRADE_RETCODE_LIMIT_POSITIONS", _H.FAIL,
            "the account's limit on open positions is reached"),
    Retcode(10041, "TRADE_RETCODE_REJECT_CANCEL", _H.FAIL,
            "a pending order's activation was rejected"),
    Retcode(10042, "TRADE_RETCODE_LONG_ONLY", _H.FAIL, "the symbol allows long positions only"),
    Retcode(10043, "TRADE_RETCODE_SHORT_ONLY", _H.FAIL,
            "the symbol allows short positions only"),
    Retcode(10044, "TRADE_RETCODE_CLOSE_ONLY", _H.FAIL,
            "the symbol allows closing only and the request would not close"),
    Retcode(10045, "TRADE_RETCODE_FIFO_CLOSE", _H.FAIL,
            "the account closes positions first-in first-out only; close the oldest first"),
    Retcode(10046, "TRADE_RETCODE_HEDGE_PROHIBITED", _H.FAIL,
            "opposite positions on one symbol are prohibited on this account"),
)

RETCODES: dict[int, Retcode] = {r.code: r for r in _TABLE}
"""Every TRADE_RETCODE_* of mt5-api.md §2.4 by value."""

_ERRORS: tuple[Retcode, ...] = (
    Retcode(1, "RES_S_OK", _H.READ_BACK,
            "the terminal returned nothing yet reported success; the position is read back"),
    Retcode(-1, "RES_E_FAIL", _H.FAIL, "the terminal call failed"),
    Retcode(-2, "RES_E_INVALID_PARAMS", _H.FAIL,
            "the terminal refused the request's arguments (a bug in the request)"),
    Retcode(-3, "RES_E_NO_MEMORY", _H.FAIL, "the terminal ran out of memory"),
    Retcode(-4, "RES_E_NOT_FOUND", _H.FAIL, "the terminal found nothing"),
    Retcode(-5, "RES_E_INVALID_VERSION", _H.FAIL, "the terminal version is not supported"),
    Retcode(-6, "RES_E_AUTH_FAILED", _H.FAIL, "the terminal's authorization failed"),
    Retcode(-7, "RES_E_UNSUPPORTED", _H.FAIL, "the terminal does not support the call"),
    Retcode(-8, "RES_E_AUTO_TRADING_DISABLED", _H.FAIL,
            "Algo Trading is switched off in the terminal; switch it on so the guard can close "
            "positions"),
    Retcode(-10000, "RES_E_INTERNAL_FAIL", _H.READ_BACK,
            "the link to the terminal failed; the position is read back"),
    Retcode(-10001, "RES_E_INTERNAL_FAIL_SEND", _H.READ_BACK,
            "sending to the terminal failed; the position is read back"),
    Retcode(-10002, "RES_E_INTERNAL_FAIL_RECEIVE", _H.READ_BACK,
            "the terminal's answer was lost; the position is read back"),
    Retcode(-10003, "RES_E_INTERNAL_FAIL_INIT", _H.READ_BACK,
            "the link to the terminal could not start; the position is read back"),
    Retcode(-10004, "RES_E_INTERNAL_FAIL_CONNECT", _H.READ_BACK,
            "there is no connection to the terminal; the position is read back"),
    Retcode(-10005, "RES_E_INTERNAL_FAIL_TIMEOUT", _H.READ_BACK,
            "the terminal did not answer in time; the position is read back"),
)

ERRORS: dict[int, Retcode] = {e.code: e for e in _ERRORS}
"""The `last_error()` codes of mt5-api.md §0.3 by value (1, success, with a None answer is an
inconsistency: it is read back like a lost answer)."""


def retcode_handling(code: int) -> Retcode:
    """The table entry for a trade-server retcode; an unknown code is `fail`."""
    found = RETCODES.get(code)
    if found is not None:
        return found
    return Retcode(code, f"TRADE_RETCODE_{code}", Handling.FAIL,
                   f"the server answered with the unknown retcode {code}")


def error_handling(code: int) -> Retcode:
    """The table entry for a `last_error()` code after `order_send` returned None."""
    found = ERRORS.get(code)
    if found is not None:
        return found
    return Retcode(code, f"RES_{code}", Handling.FAIL,
                   f"the terminal returned nothing with the unknown error code {code}")
