#!/usr/bin/env python3
"""Splits `perf script -F comm,ip,sym` samples of the collector by component.

Each sample goes to the first bucket, in the order below, that any frame of
its call chain matches. glibc has no frame pointers, so malloc/free samples
lose their callers and are counted apart, and so are kernel samples of file
creation (from the outbox writer).
"""
import collections
import re
import sys

BUCKETS = [
    ("confirmation mail (lettre, outbox)", r"mail::|Mailer|lettre|outbox|tokio::fs::|send_confirmation|MailQueue|__libc_open|ext4_create|do_sys_openat2"),
    ("receipt: ed25519 sign", r"sign_receipt|ed25519_dalek::signing"),
    ("verification: ed25519 verify_strict", r"verify_strict"),
    ("verification: parse, canonical form, schema", r"consent_proof::verify|proof_check::verify|proof::verify::"),
    ("storage split of the proof", r"stored_proof::|proof::stored::|to_append"),
    ("SQLite engine", r"sqlite3|^pcache|^wal|^btree"),
    ("sqlx driver and channels", r"sqlx|flume"),
    ("appender (chain link, batching)", r"appender::|SqlStore|store::sql|store::log|store::rows"),
    ("proofs handler, rest", r"http::proofs::"),
    ("HTTP (hyper, axum, tower)", r"hyper|axum|tower|http::"),
    ("tokio scheduling, parking, wake-ups", r"tokio::runtime|mio::|futex|finish_task_switch|__schedule"),
    ("allocator (callers unknown)", r"malloc|_int_free|cfree|realloc|unlink_chunk|malloc_consolidate"),
]
rules = [(name, re.compile(pattern)) for name, pattern in BUCKETS]
counts, threads = collections.Counter(), collections.Counter()
total = 0
for block in sys.stdin.read().split("\n\n"):
    lines = block.strip().split("\n")
    if len(lines) < 2:
        continue
    total += 1
    threads[lines[0].strip()] += 1
    frames = [re.sub(r"^\s*[0-9a-f]+\s+", "", l).strip() for l in lines[1:]]
    bucket = next((n for n, rx in rules if any(rx.search(f) for f in frames)), "other")
    counts[bucket] += 1
if not total:
    sys.exit("no samples")
for name, n in counts.most_common():
    print(f"{100 * n / total:6.1f}%  {name}")
print("threads: " + ", ".join(f"{t} {100 * n / total:.1f}%" for t, n in threads.most_common()))
print(f"{total} samples")
