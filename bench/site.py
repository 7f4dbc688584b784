#!/usr/bin/env python3
"""Benchmark: building the site (flickr-archive site) of a generated account.

For each size, syncs a generated account from the fake Flickr (without the site),
then times `flickr-archive site`:
  full         no site yet: every thumbnail and page
  unchanged    nothing changed: nothing is written
  one changed  one photo's title edited on Flickr and synced: its page and the lists

and prints seconds per 1,000 photos and the process's peak RSS for each (at least
the ~10 MB of the small interpreter it is spawned from, see bench/benchlib.py).  The
media are the fake's small generated images (at most 160 px), so thumbnails cost
less than real photos would.  It is not a test: it asserts nothing and only
prints figures.

With --archive, the same three runs are made on an archive already synced (say
one of 100,000 photos, which takes a while to make): its site is deleted first,
and "one changed" edits a photo's title in its metadata.json (replacing the
file, never writing into it) and puts it back afterwards.  Use a scratch copy.

    make && /usr/bin/python3 bench/site.py                 # 1,000 and 10,000 photos
    /usr/bin/python3 bench/site.py --photos 2000
    /usr/bin/python3 bench/site.py --archive /tmp/copy-of-an-archive
"""
import argparse
import json
import os
import pathlib
import shutil
import sys
import tempfile
import time

from benchlib import spawn_and_measure
from conftest import BIN, Archiver  # noqa: E402
from fake_flickr import FakeFlickr, generate_account  # noqa: E402


def timed_site(archive, env=None):
    """Runs `site` once; returns (wall seconds, peak RSS in MB, its summary line)."""
    wall, maxrss_kb, code, stderr, _ = spawn_and_measure([BIN, "site", "--archive", archive],
                                                      env=env, keep_stderr=True)
    if code != 0:
        sys.exit(f"site failed (exit {code}):\n{stderr}")
    summary = [l for l in stderr.splitlines() if l.startswith("Site:")]
    return wall, maxrss_kb / 1024.0, summary[-1] if summary else ""


def print_run(label, n_photos, wall, rss, summary):
    per = n_photos / 1000
    print(f"  {label:>11}: {wall:7.2f} s, {wall / per:6.2f} s per 1,000 photos, "
          f"peak RSS {rss:6.1f} MB   [{summary}]", flush=True)


def print_sizes(archive):
    site = archive / "site"
    index = (site / "search-index.js").stat().st_size
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    print(f"               search-index.js {index / 1e6:.2f} MB, site/ "
          f"{total / 1e6:.1f} MB", flush=True)


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
        shutil.rmtree(archiver.archive / "site", ignore_errors=True)
        for label in ("full", "unchanged", "one changed"):
            if label == "one changed":
                photo = account.photos[len(account.photos) // 2]
                account.edit(photo.id, photo.last_update + 1, title=photo.title + " (edited)")
                r = archiver.sync("--no-site")
                if r.returncode != 0:
                    sys.exit(f"re-sync failed:\n{r.stderr[-2000:]}")
            print_run(label, n_photos, *timed_site(archiver.archive, archiver.env()))
            if label == "full":
                print_sizes(archiver.archive)


def replace_file(path, data):
    """Writes path by replacing the file, never into it (a copy may share its inode)."""
    tmp = path.with_name("." + path.name + ".bench")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def bench_archive(archive):
    ids = sorted(p.name for p in (archive / "my_photos").iterdir() if p.name.isdigit())
    meta_path = archive / "my_photos" / ids[len(ids) // 2] / "metadata.json"
    original = meta_path.read_bytes()
    print(f"{archive}: {len(ids)} photos", flush=True)
    shutil.rmtree(archive / "site", ignore_errors=True)
    (archive / "index.html").unlink(missing_ok=True)
    try:
        for label in ("full", "unchanged", "one changed"):
            if label == "one changed":
                meta = json.loads(original)
                meta["title"] = meta.get("title", "") + " (edited)"
                replace_file(meta_path, (json.dumps(meta, indent=2, ensure_ascii=False) +
                                         "\n").encode())
            print_run(label, len(ids), *timed_site(archive))
            if label == "full":
                print_sizes(archive)
    finally:
        replace_file(meta_path, original)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--archive", type=pathlib.Path,
                    help="an archive already synced (a scratch copy: its site is remade)")
    args = ap.parse_args()
    if args.archive:
        bench_archive(args.archive)
        return
    for n in args.photos:
        bench(n, args.seed)


if __name__ == "__main__":
    main()
