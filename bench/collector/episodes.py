#!/usr/bin/env python3
"""Where a sustained run's slow requests came from.

Reads what `bench/collector/sustain --keep DIR` kept for one backend
(run it with RUST_LOG=consent_collector::store=debug so the collector logs
each append batch): every request's due time and latency, and each batch's
end time and duration. Slow requests are grouped into episodes (no 50 ms
without one); for each the batches that ended meanwhile and their time.
A slow request whose batches took most of its latency waited for the
append (the database, the disk, or the appender's thread not getting a
core); one whose batches were quick waited before it, in the request's
own work.

    bench/collector/episodes.py DIR sqlite|postgres [THRESHOLD_MS]
"""
import bisect
import datetime
import re
import sys

folder, backend = sys.argv[1], sys.argv[2]
threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 15.0

ends, took = [], []
for line in open(f"{folder}/collector-{backend}.log"):
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    m = re.search(r"^(\S+)Z .*batch size=(\d+) took_us=(\d+)", line)
    if m:
        ends.append(datetime.datetime.fromisoformat(m[1]).timestamp())
        took.append(int(m[3]) / 1000)
if len(ends) < 2:
    sys.exit("no batch lines: run the bench with RUST_LOG=consent_collector::store=debug")
# The first batch is the held proof that registers the form; the run's
# first request is in the second, due about its duration before it ended.
start = ends[1] - took[1] / 1000 - 0.004
ends, took = [t - start for t in ends[1:]], took[1:]

samples = []
for line in open(f"{folder}/samples-{backend}.csv"):
    at, ms, _status = line.strip().split(",")
    samples.append((float(at), float(ms)))
slow = [(at, ms) for at, ms in samples if ms > threshold]


def batches(frm, to):
    lo, hi = bisect.bisect_left(ends, frm), bisect.bisect_right(ends, to)
    return took[lo:hi]


waited = sum(1 for at, ms in slow if sum(batches(at, at + ms / 1000)) > ms / 2)
print(f"{len(slow)} of {len(samples)} requests over {threshold:g} ms; "
      f"{waited} of them spent over half their time while batches ran")
episodes = []
for at, ms in slow:
    if episodes and at - episodes[-1][1] < 0.05:
        e = episodes[-1]
        e[1], e[2], e[3] = at, e[2] + 1, max(e[3], ms)
    else:
        episodes.append([at, at, 1, ms])
print(f"{len(episodes)} episodes; the largest:")
for frm, to, n, worst in sorted(episodes, key=lambda e: -e[2])[:12]:
    b = batches(frm, to + worst / 1000)
    print(f"  at {frm:7.3f} to {to:7.3f} s: {n:4d} slow, worst {worst:6.1f} ms; "
          f"{len(b)} batches, {sum(b):6.1f} ms in them, longest {max(b, default=0):5.1f} ms")
