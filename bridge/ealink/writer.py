"""Write limits.txt for the EA: a temp file in the same folder, then an atomic replace.

On Windows, replacing a file another process has open raises `PermissionError` (a sharing
violation); the EA keeps its read window short, so the replace is retried a few times.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from bridge.ealink.errors import EaLinkError
from bridge.ealink.protocol import format_limits
from bridge.ealink.records import EaLimits

__all__ = ["LIMITS_FILE", "LimitsWriter"]

LIMITS_FILE = "limits.txt"


class LimitsWriter:
    """Writes `EaLimits` to ``<folder>/limits.txt`` atomically.

    ``folder`` is the link folder, ``<Common>/Files/lca`` (see `resolve_link_folder`); it is created
    when missing. ``retries`` × ``retry_delay_s`` bounds the wait for a sharing violation to clear;
    ``sleep`` is injectable for tests.
    """

    def __init__(
        self,
        folder: Path,
        *,
        retries: int = 20,
        retry_delay_s: float = 0.025,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 1:
            raise ValueError(f"LimitsWriter retries={retries}: use at least 1")
        self.folder = Path(folder)
        self.path = self.folder / LIMITS_FILE
        self._retries = retries
        self._delay = retry_delay_s
        self._sleep = sleep

    def write(self, limits: EaLimits) -> Path:
        """Replace limits.txt with ``limits``; return its path.

        Raises `EaLinkError` when the file stays locked through every retry (the EA then keeps its
        last good limits and, without a fresh heartbeat, goes to fail-safe).
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        data = format_limits(limits).encode("ascii")
        tmp = self.folder / f"{LIMITS_FILE}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        last: OSError | None = None
        for attempt in range(self._retries):
            try:
                os.replace(tmp, self.path)
                return self.path
            except PermissionError as exc:  # Windows: the EA has the file open right now
                last = exc
                if attempt + 1 < self._retries:
                    self._sleep(self._delay)
        tmp.unlink(missing_ok=True)
        raise EaLinkError(
            f"could not replace {self.path} after {self._retries} tries ({last}): another program "
            "holds it open; close any editor or viewer that has the file open"
        )

    def last_sequence(self) -> int:
        """The sequence of the limits file on disk, 0 when there is none or it cannot be parsed.

        A restarted lca continues from here, so the EA's acknowledgement stays monotonic.
        """
        from bridge.ealink.protocol import parse_limits

        try:
            return parse_limits(self.path.read_text(encoding="ascii"), str(self.path)).sequence
        except (OSError, UnicodeDecodeError, EaLinkError):
            return 0
