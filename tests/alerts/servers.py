"""Real local servers on 127.0.0.1 for the alert tests: an HTTP server that records what it is
sent (webhooks, Telegram API calls), one that accepts and never answers, an aiosmtpd server."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


class Recorder:
    """An HTTP server on loopback; `requests` holds (wall time, method, path, body text)."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, str, str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8", "replace")
                recorder.requests.append((time.time(), self.command, self.path, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true, "result": {}}')

            do_POST = do_GET = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def wait(self, count: int, timeout: float = 10.0) -> None:
        end = time.time() + timeout
        while len(self.requests) < count and time.time() < end:
            time.sleep(0.01)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Silent:
    """A TCP server on loopback that accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def refused_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


class Mailbox:
    """An aiosmtpd SMTP server on loopback; `messages` holds (from, to, content text)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []
        box = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                box.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                     envelope.content.decode("utf-8", "replace")))
                return "250 OK"

        self.port = refused_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def wait(self, count: int, timeout: float = 10.0) -> None:
        end = time.time() + timeout
        while len(self.messages) < count and time.time() < end:
            time.sleep(0.01)

    def close(self) -> None:
        self.controller.stop()
