"""A local HTTP server standing in for the SMS / WeCom / DingTalk gateway, started by the tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Counts each delivery id it accepts, checks every signature, and answers from a script of codes."""

    def __init__(self, secret: str, script: list[int] | None = None) -> None:
        self.secret = secret
        self.script = list(script or [])
        self.received: Counter[str] = Counter()
        self.bodies: list[dict] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                with receiver.lock:
                    if not hmac.compare_digest(expected, self.headers.get("X-Safety-Signature", "")):
                        receiver.bad_signatures += 1
                        code = 401
                    else:
                        code = receiver.script.pop(0) if receiver.script else 200
                        if code == 200:
                            receiver.received[self.headers["X-Safety-Delivery"]] += 1
                            receiver.bodies.append(json.loads(body))
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
