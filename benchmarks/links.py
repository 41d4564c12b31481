"""How long ``coopcli links`` takes: a server on 127.0.0.1 that thinks 50 ms per link.

    python benchmarks/links.py [COUNT]

Checks COUNT (default 200) distinct links at concurrency 1, 8 (the default) and 32,
and prints the time of each. Only 127.0.0.1 is asked; nothing leaves the machine.
"""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from coopcli.links import check_links

THINK = 0.05


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        time.sleep(THINK)  # the server's own work per request, which concurrency hides
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pairs = [(f"item-{n}", f"{base}/page-{n}") for n in range(count)]
    try:
        for concurrency in (1, 8, 32):
            started = time.perf_counter()
            report = check_links(pairs, concurrency=concurrency)
            took = time.perf_counter() - started
            print(
                f"{count} links, {THINK * 1000:.0f} ms each, concurrency {concurrency:>2}: "
                f"{took:6.2f} s ({len(report.broken())} broken)"
            )
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
