#!/usr/bin/env python3
"""Benchmark: full syncs and a re-sync of generated accounts on the fake Flickr, with latency.

It is not a test: it asserts nothing and prints figures.  For each account size it runs
a full sync with the default --jobs (and, with --compare-jobs1, the same binary with
--jobs 1 on the same account), then an unchanged re-sync, and prints API calls per photo,
wall time, the process's CPU time (user + system: less disturbed than wall time by a loaded
machine), photos/s, media MB/s, the process's peak RSS, the TCP connections the fake
accepted (keep-alive reuse), and the time the same sync would
take under Flickr's real quota (3600 calls an hour; the tool's default budget is 3500).
With --as-shipped it first runs a full sync with the default settings, the quota counted
as the tool ships (in a fresh state directory: the whole hour is free).

The fake answers every API call after --api-latency (default 80 ms) and sends each media
file, padded to about --media-mb (default 1 MB; buddy icons stay a few KB), at
--media-rate (default 2 MB/s per file) after --media-latency (default 40 ms); but for the
run as shipped, the quota is lifted (--calls-per-hour 0) so the figures show the tool, not
the quota.  The projection under the real quota takes the API calls at 3500 in any hour
(each hour's share at the speed measured here, then a wait for the hour to roll on), and
prints next to it what the token bucket of earlier versions took (3500 calls an hour,
evenly).

The generated account's mix (tests/fake_flickr/account.py generate_account): 20% of
photos have 1-4 comments, 15% have 1-8 faves, 30% have a place, 3% are videos, 10%
private (5% friends, 5% family); favorites: one per 20 photos (at most 2000); albums of
200 photos (at most 500).

    make && /usr/bin/python3 bench/sync.py --photos 183 1000 --as-shipped
    make && /usr/bin/python3 bench/sync.py --photos 1000 --compare-jobs1
    make && /usr/bin/python3 bench/sync.py --photos 10000
    /usr/bin/python3 bench/sync.py --photos 1000 --bin ../old/build/flickr-archive
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import benchlib  # noqa: F401  (puts tests/ on sys.path)
from conftest import BIN, Archiver  # noqa: E402
from fake_flickr import FakeFlickr, generate_account  # noqa: E402

QUOTA_PER_HOUR = 3500  # the tool's default budget, under Flickr's 3600


def media_bytes(archive):
    return sum(p.stat().st_size for p in archive.glob("*/*/*")
               if p.name.startswith(("original.", "poster.")) and p.is_file())


# A process's peak RSS (ru_maxrss) counts the process it was forked from until
# its exec: forked from this script, which holds the generated account (hundreds
# of MB at 100,000 photos), every sync would seem that big.  So syncs are run
# by a small launcher started before any account is made.
LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    started = time.monotonic()
    proc = subprocess.Popen(job["argv"], env=job["env"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status), "err": err[-300:],
                      "wall": time.monotonic() - started, "rss_kb": usage.ru_maxrss,
                      "cpu": usage.ru_utime + usage.ru_stime}),
          flush=True)
"""


class Launcher:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def run(self, argv, env):
        self.proc.stdin.write(json.dumps({"argv": argv, "env": env}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())


def timed_sync(launcher, binary, archiver, *extra, paced=False):
    """Runs one sync; returns (exit status, wall seconds, peak RSS in MB, CPU seconds).

    paced: with the tool's own --calls-per-hour (its default unless extra says), counted
    in the archiver's own state directory, so it starts with a whole hour of calls."""
    argv = ["sync", "--archive", str(archiver.archive), *extra] if paced \
        else archiver.sync_args(*extra)
    res = launcher.run([binary, *argv, "--quiet"], archiver.env())
    if res["code"] != 0:
        print(f"          sync exited {res['code']}: {res['err'].strip()}")
    return res["code"], res["wall"], res["rss_kb"] / 1024.0, res["cpu"]


def report(label, fake, archive, photos, wall, rss, cpu, before_bytes=0):
    calls = fake.total_api_calls
    mb = (media_bytes(archive) - before_bytes) / 1e6
    print(f"{label:>14}: {calls:6d} API calls ({calls / photos:.3f}/photo), {wall:7.1f} s, "
          f"CPU {cpu:6.2f} s, {photos / wall:7.1f} photos/s, {mb / wall:6.2f} MB/s, "
          f"peak RSS {rss:5.1f} MB, {fake.connections['accepted']} connections")
    return calls, mb


def rolling_hour(calls, wall):
    """Hours a sync of `calls` API calls takes when it went unpaced in `wall` seconds and at
    most QUOTA_PER_HOUR calls may go in any hour: each hour's share at full speed, then the
    wait for the hour to roll on."""
    full_hours = (calls - 1) // QUOTA_PER_HOUR if calls else 0
    last = calls - full_hours * QUOTA_PER_HOUR
    per_call = wall / calls if calls else 0.0
    return full_hours + max(last * per_call, wall if not full_hours else 0.0) / 3600.0


def project(calls, wall):
    """The same sync under the real quota: the rolling hour of this tool, and the token
    bucket (a burst of 100, then one call per 1.03 s) of the versions before it."""
    bucket_h = max(calls / QUOTA_PER_HOUR, wall / 3600.0)
    print(f"{'':>14}  under the real quota: {rolling_hour(calls, wall):.2f} h counted in a "
          f"rolling hour ({QUOTA_PER_HOUR} calls in any hour); {bucket_h:.2f} h with the "
          f"token bucket of earlier versions")


def bench_size(n, args, launcher):
    account = generate_account(n, seed=args.seed)
    items = len(account.photos) + len(account.favorites)
    print(f"\naccount: {len(account.photos)} photos + {len(account.favorites)} favorites = "
          f"{items} items, {len(account.albums)} albums")
    with FakeFlickr(account) as fake:
        fake.api_latency = args.api_latency
        fake.media_latency = args.media_latency
        fake.media_rate = args.media_rate
        fake.media_padding = int(args.media_mb * 1e6)
        more = tuple(args.sync_args.split())
        runs = [("default jobs", more)]
        if args.as_shipped:
            runs.insert(0, ("as shipped", more))
        if args.compare_jobs1:
            runs.append(("--jobs 1", ("--jobs", "1", *more)))
        walls = {}
        for label, extra in runs:
            with tempfile.TemporaryDirectory() as tmp:
                archiver = Archiver(fake, pathlib.Path(tmp))
                fake.reset_counters()
                _, wall, rss, cpu = timed_sync(launcher, args.bin, archiver, *extra,
                                               paced=label == "as shipped")
                calls, mb = report(f"full {label}", fake, archiver.archive, items,
                                   wall, rss, cpu)
                if label != "as shipped":
                    project(calls, wall)
                walls[label] = wall
                if label == "default jobs":
                    fake.reset_counters()
                    _, wall, rss, cpu = timed_sync(launcher, args.bin, archiver, *more)
                    report("re-sync", fake, archiver.archive, items, wall, rss, cpu,
                           media_bytes(archiver.archive))
        if "--jobs 1" in walls:
            print(f"{'':>14}  speed-up of the default jobs over --jobs 1: "
                  f"{walls['--jobs 1'] / walls['default jobs']:.1f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, nargs="+", default=[1000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--api-latency", type=float, default=0.080)
    ap.add_argument("--media-latency", type=float, default=0.040)
    ap.add_argument("--media-rate", type=int, default=2_000_000)
    ap.add_argument("--media-mb", type=float, default=1.0,
                    help="MB added to every photo and video file, not to buddy icons (disk: photos x this, twice)")
    ap.add_argument("--compare-jobs1", action="store_true",
                    help="also run a full sync with --jobs 1 (slow: one item at a time)")
    ap.add_argument("--as-shipped", action="store_true",
                    help="first a full sync with the default settings, its API calls paced "
                         "under the default --calls-per-hour (a fresh state directory: the "
                         "whole hour is free)")
    ap.add_argument("--bin", default=BIN,
                    help="the flickr-archive binary to run (default: $FLICKR_ARCHIVE_BIN, "
                         "else build/flickr-archive), e.g. an older build to compare with")
    ap.add_argument("--sync-args", default="",
                    help="more options for every sync, e.g. '--no-site'")
    args = ap.parse_args()
    print(f"binary: {args.bin}")
    print(f"fake Flickr: API latency {args.api_latency * 1000:.0f} ms, media latency "
          f"{args.media_latency * 1000:.0f} ms, media files ~{args.media_mb:g} MB at "
          f"{args.media_rate / 1e6:.1f} MB/s each; quota lifted"
          f"{' but for the run as shipped' if args.as_shipped else ''}")
    launcher = Launcher()
    for n in args.photos:
        bench_size(n, args, launcher)


if __name__ == "__main__":
    main()
