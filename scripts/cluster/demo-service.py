#!/usr/bin/env python3
"""The demo service managed by the test cluster.

Answers its node name on `/` and 200 on `/dip/api/ping` (port 11200, any address,
so it answers on the floating IP while this node holds it); 503 on `/dip/api/ping`
while the file `--unhealthy-flag` exists (a test makes the health check fail). Appends
`start NODE NS` before it starts serving and `stop NODE NS` after it stopped
serving to a journal on the shared storage (CLOCK_REALTIME nanoseconds, each
record flushed and fsync'ed), so check-journal can prove that no two nodes ever
served at the same time. Tells systemd READY=1 once listening (Type=notify).
"""
import argparse, os, signal, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def record(path, kind, node, note=""):
    line = f"{kind} {node} {time.time_ns()} {os.getpid()}{(' ' + note) if note else ''}\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def sd_notify(msg):
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr:
        return
    if addr.startswith("@"):
        addr = "\0" + addr[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.connect(addr)
        s.sendall(msg.encode())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--node", required=True)
    ap.add_argument("--journal", required=True)
    ap.add_argument("--port", type=int, default=11200)
    ap.add_argument("--unhealthy-flag", default="")
    args = ap.parse_args()
    node = args.node.encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            if self.path == "/dip/api/ping":
                if args.unhealthy_flag and os.path.exists(args.unhealthy_flag):
                    self.send_error(503)
                    return
                body = b"pong\n"
            elif self.path == "/":
                body = node + b"\n"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    # The interval is recorded conservatively: "start" before the socket exists,
    # "stop" after it is closed.
    record(args.journal, "start", args.node)
    server = ThreadingHTTPServer(("0.0.0.0", args.port), Handler)
    stopping = threading.Event()

    def on_term(signum, frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    sd_notify("READY=1\nSTATUS=serving on port %d" % args.port)
    try:
        server.serve_forever(poll_interval=0.05)
    finally:
        server.server_close()
        record(args.journal, "stop", args.node)
    return 0


if __name__ == "__main__":
    sys.exit(main())
