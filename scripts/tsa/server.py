"""A local RFC 3161 timestamp authority over HTTP, for the collector's tests.

It enforces the transport of RFC 3161 section 3.4: POST only, content type
application/timestamp-query, answer application/timestamp-reply. Each query
is answered by `openssl ts -reply`, so the tokens are those a real
OpenSSL-based authority signs.

Usage: python3 server.py PORT_FILE CONFIG_FILE
It binds 127.0.0.1 on a free port and writes that port to PORT_FILE.
"""

import http.server
import subprocess
import sys
import tempfile
import os

CONFIG = sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def _refuse(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._refuse(405, "timestamp queries are POSTed\n")

    def do_POST(self):
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/timestamp-query":
            return self._refuse(415, "content type must be application/timestamp-query\n")
        length = int(self.headers.get("Content-Length", "0"))
        if length <= 0 or length > 10_000:
            return self._refuse(400, "a timestamp query is between 1 and 10000 bytes\n")
        query = self.rfile.read(length)
        with tempfile.TemporaryDirectory() as tmp:
            qpath = os.path.join(tmp, "q.tsq")
            rpath = os.path.join(tmp, "r.tsr")
            with open(qpath, "wb") as f:
                f.write(query)
            run = subprocess.run(
                ["openssl", "ts", "-reply", "-config", CONFIG, "-queryfile", qpath, "-out", rpath],
                capture_output=True,
            )
            if run.returncode != 0 or not os.path.exists(rpath):
                return self._refuse(400, "openssl ts -reply refused the query\n")
            with open(rpath, "rb") as f:
                reply = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
