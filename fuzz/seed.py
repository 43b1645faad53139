#!/usr/bin/env python3
"""Writes the committed seed corpora (fuzz/seeds/TARGET/NAME) from the vector
and fixture files, so every run starts from real proofs, good and bad, rather
than from empty input. Rerun after the vectors change: python3 fuzz/seed.py"""
import base64, json, os, re, shutil, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SEEDS = os.path.join(ROOT, "fuzz", "seeds")


def unb64(part):
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except Exception:
        return None


def write(target, name, data):
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def proof_seeds():
    vectors = json.load(open(os.path.join(ROOT, "proof", "vectors", "proofs.json")))["vectors"]
    for v in vectors:
        name, jws = v["name"], v["jws"]
        write("proof_verify", name, jws)
        parts = jws.split(".")
        if len(parts) < 2:
            continue
        for label, part in (("payload", parts[1]), ("header", parts[0])):
            raw = unb64(part)
            if raw is None:
                continue
            if label == "payload":
                write("proof_payload", name, raw)
                write("proof_signed", name + "-ed25519", b"\x00" + raw)
                write("proof_signed", name + "-p256", b"\x01" + raw)
                # The collector reads a body holding the JWS.
                write("collector_body", name, json.dumps({"proof": jws}))
            write("jcs_differential", f"{name}-{label}", raw)
    fixtures = os.path.join(ROOT, "proof", "fixtures")
    for f in sorted(os.listdir(fixtures)):
        if f.endswith(".json"):
            write("jcs_differential", "fixture-" + f, open(os.path.join(fixtures, f), "rb").read())
    # Numbers are where RFC 8785 implementations part ways (RFC 8785 appendix B).
    for i, n in enumerate(["0", "-0", "1e21", "1e-7", "123456789012345678901", "9007199254740993",
                           "5e-324", "1.7976931348623157e308", "0.1", "-1.5e+300", "333333333.3333333"]):
        write("jcs_differential", f"number-{i}", f'{{"n":{n},"a":[{n}]}}')
    write("jcs_differential", "utf16-order", '{"\\u20ac":1,"\\ud83d\\ude00":2,"\\r":3,"1":4,"\\u0080":5,"\\u00f6":6}')


def form_seeds():
    """The widget's configurations (the demo's, the docs' examples) and the
    phone numbers its tests type, each under a few default countries."""
    html = open(os.path.join(ROOT, "www", "index.html"), encoding="utf-8").read()
    configs = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
    doc = open(os.path.join(ROOT, "docs", "script-tag.md"), encoding="utf-8").read()
    configs += [b for b in re.findall(r"```json\n(.*?)```", doc, re.S)]
    for i, c in enumerate(configs):
        write("widget_config", f"config-{i}", c.strip())
        try:
            write("widget_config", f"config-{i}-compact", json.dumps(json.loads(c), separators=(",", ":")))
        except ValueError:
            pass
    for i, j in enumerate(['[]', '{}', '"x"', '[1e400, -0.0, 1E-2]', '{"a":"\\ud83d\\ude00\\u0000"}', '{"a":1,"a":2}']):
        write("widget_config", f"json-{i}", j)
    tests = open(os.path.join(ROOT, "form", "tests", "phone.rs"), encoding="utf-8").read()
    numbers = sorted(set(re.findall(r'"([0-9+ .()/\-]{2,})"', tests)))
    for i, n in enumerate(numbers):
        for c in (0, 11, 54):  # FR, GB, the table's last
            write("phone", f"number-{i}-{c}", bytes([c]) + n.encode())


if __name__ == "__main__":
    shutil.rmtree(SEEDS, ignore_errors=True)
    proof_seeds()
    form_seeds()
    for target in sorted(os.listdir(SEEDS)):
        print(target, len(os.listdir(os.path.join(SEEDS, target))), file=sys.stderr)
