#!/usr/bin/env python3
"""Benchmark: a full sync and an unchanged re-sync of a generated account on the fake Flickr.

Prints API calls (total, per item, by method) and wall time for each run.
It is not a test: it asserts nothing and only prints figures.

    make && /usr/bin/python3 bench/resync.py --photos 5000
"""
import argparse
import pathlib
import tempfile
import time

import benchlib  # noqa: F401  (puts tests/ on sys.path)
from conftest import Archiver  # noqa: E402
from fake_flickr import FakeFlickr, generate_account  # noqa: E402


def run(archiver, fake, label, items):
    fake.reset_counters()
    started = time.monotonic()
    r = archiver.sync()
    wall = time.monotonic() - started
    calls = fake.total_api_calls
    status = "ok" if r.returncode == 0 else f"exit {r.returncode}"
    print(f"{label:>8}: {calls:6d} API calls ({calls / items:.3f} per item, "
          f"N/500 = {items / 500:.1f}), {wall:6.1f} s, {status}")
    for method, n in sorted(fake.calls.items(), key=lambda kv: -kv[1]):
        print(f"          {n:6d}  {method}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    account = generate_account(args.photos, seed=args.seed)
    items = len(account.photos) + len(account.favorites)
    print(f"account: {len(account.photos)} photos, {len(account.favorites)} favorites, "
          f"{len(account.albums)} albums")
    with FakeFlickr(account) as fake, tempfile.TemporaryDirectory() as tmp:
        archiver = Archiver(fake, pathlib.Path(tmp))
        run(archiver, fake, "full", items)
        run(archiver, fake, "re-sync", items)


if __name__ == "__main__":
    main()
