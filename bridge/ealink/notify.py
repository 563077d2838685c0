"""notify.txt: lca's alerts for the EA to push to the trader's phone (MT5 `SendNotification`).

The file format is in mql5/PROTOCOL.md (*notify.txt*). lca keeps the last `MAX_MESSAGES`
messages in it, each with its own sequence, so the EA misses none that came between two of its
timer ticks; the EA pushes every message above the last sequence it pushed (kept in the terminal
global variable ``lca.notify_sequence``, so a restarted EA never pushes one twice) and skips a
message older than `MAX_AGE_SECONDS` (a stale file found on a new attach).
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bridge.ealink.errors import EaLinkError, ProtocolError, TornFileError
from bridge.ealink.fields import read_int
from bridge.ealink.protocol import _check_end, _check_magic, _seal, _split_lines

__all__ = ["MAX_AGE_SECONDS", "MAX_MESSAGES", "MAX_NOTIFY_SEQUENCE", "MAX_TEXT", "NOTIFY_FILE",
           "NOTIFY_MAGIC", "Notice", "NotifyWriter", "format_notify", "parse_notify",
           "push_text"]

NOTIFY_FILE = "notify.txt"
NOTIFY_MAGIC = "lca-notify"
NOTIFY_VERSION = 1
MAX_TEXT = 255  # characters MT5's SendNotification accepts
MAX_MESSAGES = 8
MAX_AGE_SECONDS = 600
# the EA keeps the last sequence pushed in a terminal global variable, a double: 2^53 - 1 is
# the largest integer a double holds exactly (milliseconds since 1970 reach it in 285 000 years)
MAX_NOTIFY_SEQUENCE = 2**53 - 1
_ASCII = {"×": "x", "≥": ">=", "≤": "<=", "—": "-", "–": "-", "…": "...", "→": "->",
          "€": "EUR", "£": "GBP", "¥": "JPY", "±": "+/-", "·": ".", "‘": "'", "’": "'",
          "“": '"', "”": '"', "σ": "sigma", "Δ": "d", "μ": "u"}


@dataclass(frozen=True, slots=True)
class Notice:
    """One message of notify.txt: its `sequence`, `utc` (when lca wrote it, UTC seconds) and the
    `text` to push (printable ASCII, 1 to 255 characters)."""

    sequence: int
    utc: int
    text: str


def push_text(title: str, body: str) -> str:
    """`title` and `body` as one push: printable ASCII (× → x, ≥ → >=, accents dropped), one
    line, at most 255 characters (cut with "...")."""
    raw = f"{title}: {body}" if body else title
    raw = "".join(_ASCII.get(c, c) for c in raw)
    raw = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    text = " ".join("".join(c if 32 <= ord(c) < 127 else " " for c in raw).split())
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 3].rstrip() + "..."
    return text or "lca alert"


def format_notify(sequence: int, written_utc: int, notices: list[Notice]) -> str:
    """The text of notify.txt, CRLF line ends and the end marker; `sequence` is the last
    notice's."""
    lines = [f"{NOTIFY_MAGIC} {NOTIFY_VERSION}", f"sequence={sequence}",
             f"written_utc={written_utc}"]
    lines += [f"msg={n.sequence};{n.utc};{n.text}" for n in notices]
    return _seal(lines, sequence)


def parse_notify(text: str, what: str = NOTIFY_FILE) -> tuple[int, int, list[Notice]]:
    """(sequence, written_utc, notices) of a whole notify file; a `ProtocolError` on any fault."""
    lines = _split_lines(text, what)
    _check_magic(lines, NOTIFY_MAGIC, what)
    body, end_sequence = _check_end(lines, what)
    if len(body) < 3 or not body[1].startswith("sequence=") or \
            not body[2].startswith("written_utc="):
        raise TornFileError(f"{what}: expected the lines sequence= and written_utc=")
    sequence = read_int(body[1].removeprefix("sequence="), "sequence", what)
    written = read_int(body[2].removeprefix("written_utc="), "written_utc", what)
    if sequence != end_sequence or not 1 <= sequence <= MAX_NOTIFY_SEQUENCE:
        raise ProtocolError(f"{what}: sequence {sequence} is not 1 to {MAX_NOTIFY_SEQUENCE} "
                            "or differs from the end marker")
    notices: list[Notice] = []
    for line in body[3:]:
        parts = line.removeprefix("msg=").split(";", 2)
        if not line.startswith("msg=") or len(parts) != 3 or not 1 <= len(parts[2]) <= MAX_TEXT:
            raise ProtocolError(f"{what}: line {line[:40]!r} is not msg=<sequence>;<utc>;<text>")
        seq = read_int(parts[0], "msg sequence", what)
        if notices and seq <= notices[-1].sequence:
            raise ProtocolError(f"{what}: msg sequences must increase ({seq})")
        notices.append(Notice(seq, read_int(parts[1], "msg utc", what), parts[2]))
    if len(notices) > MAX_MESSAGES or (notices and notices[-1].sequence != sequence):
        raise ProtocolError(f"{what}: at most {MAX_MESSAGES} msg lines, the last one's sequence "
                            "being the file's")
    return sequence, written, notices


class NotifyWriter:
    """Adds messages to ``<folder>/notify.txt`` (atomic replace, as `LimitsWriter`).

    Sequence: ``max(previous + 1, UTC milliseconds now)`` with *previous* the highest of this
    writer's last message and the file on disk, so a new lca run continues above the old one.
    """

    def __init__(self, folder: Path, *, clock: Callable[[], float] = time.time,
                 retries: int = 20, retry_delay_s: float = 0.025) -> None:
        self.folder = Path(folder)
        self.path = self.folder / NOTIFY_FILE
        self._clock = clock
        self._retries = retries
        self._delay = retry_delay_s
        self._notices: deque[Notice] = deque(maxlen=MAX_MESSAGES)
        self.sequence = self._on_disk()

    def _on_disk(self) -> int:
        try:
            return parse_notify(self.path.read_text(encoding="ascii"))[0]
        except (OSError, UnicodeDecodeError, ProtocolError):
            return 0

    def add(self, title: str, body: str) -> Notice:
        """Write one more message (with the last ones kept); the `Notice` written. Raises
        `EaLinkError` when the folder cannot be written or the file stays locked."""
        now = self._clock()
        sequence = max(self.sequence + 1, self._on_disk() + 1, int(now * 1000))
        if sequence > MAX_NOTIFY_SEQUENCE:
            raise EaLinkError(f"{self.path}: sequence {sequence} above {MAX_NOTIFY_SEQUENCE}; "
                              "delete notify.txt")
        notice = Notice(sequence, int(now), push_text(title, body))
        self._notices.append(notice)
        data = format_notify(sequence, int(now), list(self._notices)).encode("ascii")
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f"{NOTIFY_FILE}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        for attempt in range(self._retries):
            try:
                os.replace(tmp, self.path)
                self.sequence = sequence
                return notice
            except PermissionError as exc:  # Windows: the EA has it open right now
                if attempt + 1 == self._retries:
                    tmp.unlink(missing_ok=True)
                    raise EaLinkError(f"could not replace {self.path} ({exc}): another program "
                                      "holds it open") from exc
                time.sleep(self._delay)
        raise AssertionError("unreachable")
