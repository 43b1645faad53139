#!/usr/bin/env python3
"""A receiver for the collector's signed webhooks, checked with libraries
the collector does not share code with:

- `v1` (HMAC-SHA256, shared `whsec_` secret) with `standardwebhooks`, the
  Standard Webhooks project's own Python library (it checks v1 only);
- `v1a` (Ed25519, the collector's key as `whpk_...`) with PyNaCl (libsodium).

    pip install standardwebhooks pynacl
    CONSENT_WHPK=whpk_... CONSENT_WHSEC=whsec_... python3 consent-webhook-receiver.py 8099 events.jsonl

Give CONSENT_WHPK, CONSENT_WHSEC or both: each one given must verify. A
delivery with an id already seen is acknowledged and not stored again (the
collector keeps the id across retries). Verified events are appended to the
JSONL file. The body also carries the proof and the collector's receipt
(`data.evidence`): check the receipt against the collector's JWKS
(`/.well-known/jwks.json`) to know the log holds this change.
"""

import base64
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

TOLERANCE = 5 * 60


def verify_v1a(public_key: str, headers, body: bytes) -> bool:
    """Ed25519 over `id.timestamp.body`, any `v1a,` entry of webhook-signature."""
    key = VerifyKey(base64.b64decode(public_key.removeprefix("whpk_")))
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(ts)) > TOLERANCE:
        return False
    content = f"{msg_id}.{ts}.".encode() + body
    for entry in headers["webhook-signature"].split(" "):
        version, _, sig = entry.partition(",")
        if version != "v1a":
            continue
        try:
            key.verify(content, base64.b64decode(sig))
            return True
        except (BadSignatureError, ValueError):
            pass
    return False


class Receiver(BaseHTTPRequestHandler):
    seen = set()
    out = None

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        if not all(h in headers for h in ("webhook-id", "webhook-timestamp", "webhook-signature")):
            return self.answer(400, "missing webhook headers")
        whpk, whsec = os.environ.get("CONSENT_WHPK"), os.environ.get("CONSENT_WHSEC")
        if whpk and not verify_v1a(whpk, headers, body):
            return self.answer(401, "v1a signature does not verify")
        if whsec:
            try:
                Webhook(whsec).verify(body, headers)
            except WebhookVerificationError as e:
                return self.answer(401, f"v1 signature does not verify: {e}")
        if not (whpk or whsec):
            return self.answer(500, "no key configured")
        msg_id = headers["webhook-id"]
        if msg_id not in Receiver.seen:
            Receiver.seen.add(msg_id)
            event = json.loads(body)
            with open(Receiver.out, "a", encoding="utf-8") as f:
                f.write(json.dumps({"id": msg_id, "event": event}) + "\n")
        self.answer(204, None)

    def answer(self, status, message):
        self.send_response(status)
        self.end_headers()
        if message:
            self.wfile.write(message.encode())

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    Receiver.out = sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
