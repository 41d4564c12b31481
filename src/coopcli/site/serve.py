"""``coopcli site --serve``: preview the site on 127.0.0.1, rebuilding when the file changes.

The server is the standard library's, in a thread; the main thread polls the item
file's status (size, modification time, inode) and rebuilds when it changes, so an
``add`` from another terminal shows up at the next reload. Ctrl-C stops both.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from coopcli.core.errors import CoopError, WriteError

HOST = "127.0.0.1"


class _Handler(SimpleHTTPRequestHandler):
    """Serves the output directory quietly, with the site's own 404 page."""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a request log would bury the rebuild messages

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(directory: Path, port: int) -> ThreadingHTTPServer:
    """A server for ``directory`` on 127.0.0.1 (port 0: any free port)."""
    handler = functools.partial(_Handler, directory=str(directory))
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise WriteError(f"--port {port}: cannot serve on {HOST}: {exc.strerror}") from None
    server.daemon_threads = True
    return server


def file_state(path: Path) -> tuple[int, int, int] | None:
    """What changes when the item file is saved: size, modification time, inode."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def serve(
    server: ThreadingHTTPServer,
    item_file: Path,
    rebuild: Callable[[], str],
    say: Callable[[str], None],
    *,
    poll: float = 0.5,
) -> None:
    """Serve until Ctrl-C, calling ``rebuild`` (which returns a one-line summary)
    whenever the item file changes; a failed rebuild is reported and the last good
    site stays up."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    say(f"Serving http://{HOST}:{server.server_port}/ (Ctrl-C to stop)")
    state = file_state(item_file)
    try:
        while True:
            time.sleep(poll)
            now = file_state(item_file)
            if now == state:
                continue
            state = now
            try:
                say(rebuild())
            except CoopError as exc:
                say(f"Error: {exc}")
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        with contextlib.suppress(RuntimeError):
            thread.join(timeout=5)
    say("Stopped serving.")
