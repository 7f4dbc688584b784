#!/usr/bin/env python3
"""Benchmark: building the site (flickr-archive site) of a generated account.

For each size, syncs a generated account from the fake Flickr (without the site),
then times `flickr-archive site`:
  full         no site yet: every thumbnail and page
  unchanged    nothing changed: nothing is written
  one changed  one photo's title edited on Flickr and synced: its page and the lists

and prints seconds per 1,000 photos for each.  The media are the fake's small
generated images (at most 160 px), so thumbnails cost less than real photos would.
It is not a test: it asserts nothing and only prints figures.

    make && /usr/bin/python3 bench/site.py                 # 1,000 and 10,000 photos
    /usr/bin/python3 bench/site.py --photos 2000
"""
import argparse
import pathlib
import shutil
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from conftest import Archiver  # noqa: E402
from fake_flickr import FakeFlickr, generate_account  # noqa: E402


def timed_site(archiver):
    started = time.monotonic()
    r = archiver.run("site", "--archive", str(archiver.archive))
    wall = time.monotonic() - started
    if r.returncode != 0:
        sys.exit(f"site failed (exit {r.returncode}):\n{r.stderr}")
    summary = [l for l in r.stderr.splitlines() if l.startswith("Site:")]
    return wall, summary[-1] if summary else ""


def bench(n_photos, seed):
    account = generate_account(n_photos, seed=seed)
    with FakeFlickr(account) as fake, tempfile.TemporaryDirectory() as tmp:
        archiver = Archiver(fake, pathlib.Path(tmp))
        started = time.monotonic()
        r = archiver.sync("--no-site")
        if r.returncode != 0:
            sys.exit(f"sync failed (exit {r.returncode}):\n{r.stderr[-2000:]}")
        items = len(account.photos) + len(account.favorites)
        print(f"{n_photos} photos ({items} items with favorites, {len(account.albums)} albums): "
              f"synced in {time.monotonic() - started:.1f} s", flush=True)
        per = n_photos / 1000
        shutil.rmtree(archiver.archive / "site", ignore_errors=True)
        for label in ("full", "unchanged", "one changed"):
            if label == "one changed":
                photo = account.photos[len(account.photos) // 2]
                account.edit(photo.id, photo.last_update + 1, title=photo.title + " (edited)")
                r = archiver.sync("--no-site")
                if r.returncode != 0:
                    sys.exit(f"re-sync failed:\n{r.stderr[-2000:]}")
            wall, summary = timed_site(archiver)
            print(f"  {label:>11}: {wall:7.2f} s, {wall / per:6.2f} s per 1,000 photos   "
                  f"[{summary}]", flush=True)
            if label == "full":
                site = archiver.archive / "site"
                index = (site / "search-index.js").stat().st_size
                total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
                print(f"               search-index.js {index / 1e6:.2f} MB, site/ "
                      f"{total / 1e6:.1f} MB", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    for n in args.photos:
        bench(n, args.seed)


if __name__ == "__main__":
    main()
