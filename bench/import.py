#!/usr/bin/env python3
"""Benchmark: `flickr-archive import` of a generated export of about 2 GB.

Writes an export in Flickr's format (tests/e2e/export_fixture.py: one account-data ZIP
with a photo_<id>.json per photo, albums.json and the rest, then media ZIPs) for a
generated account whose every original is --mb MB (a small real JPEG padded after its
end, so the header says its size and the bytes cost what a real original costs), then
times the import into an empty archive, without the site (its thumbnails are another
benchmark: bench/site.py), and prints:

  - the import's wall time and its throughput (MB of export per second);
  - "disk speed": the time `cp` takes to copy the same ZIPs on the same disk and fsync
    them (the same bytes read and written), for comparison;
  - "the same files": the time `cp -a` takes to copy the archive the import made, and
    sync it: the same bytes in the same ~9 files per photo that the archive's layout
    needs (creating a file costs far more than its bytes on some file systems: on an
    ext4 without a journal, each new inode is checked against recently deleted ones);
  - the import's peak RSS (target: under 64 MB, whatever the export's size).

The page cache is not dropped (that needs root and a quiet machine): both figures are
taken the same way, the ZIPs having just been written.  It asserts nothing.

    make && /usr/bin/python3 bench/import.py                  # ~2 GB: 1,000 x 2 MB
    /usr/bin/python3 bench/import.py --photos 200 --mb 1      # smaller
    /usr/bin/python3 bench/import.py --bin OTHER/flickr-archive  # another build, same bench
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import zipfile

from benchlib import spawn_and_measure
from conftest import BIN  # noqa: E402
from export_fixture import account_members, media_name  # noqa: E402
from fake_flickr import generate_account  # noqa: E402
from fake_flickr.media import photo_file  # noqa: E402


def write_export(out, account, mb, per_zip):
    """The account-data ZIP and media ZIPs of per_zip photos each; returns their paths."""
    acct = out / "72157724905358313_3ac1836c2225_part1.zip"
    with zipfile.ZipFile(acct, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in account_members(account, "http://127.0.0.1:1"):
            z.writestr(name, data)
    paths = [acct]
    pad = os.urandom(1 << 20)
    photos = [p for p in account.photos if not p.is_video]
    for n in range(0, len(photos), per_zip):
        path = out / f"data-download-{n // per_zip + 1}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            for p in photos[n:n + per_zip]:
                head = photo_file(p, "Original")[0]
                with z.open(media_name(p, "slug"), "w", force_zip64=True) as f:
                    f.write(head)
                    for _ in range(mb):
                        f.write(pad)
        paths.append(path)
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=int, default=1000)
    ap.add_argument("--mb", type=int, default=2, help="MB per original")
    ap.add_argument("--per-zip", type=int, default=250, help="photos per media ZIP")
    ap.add_argument("--dir", default=None, help="where to work (default: a temporary folder)")
    ap.add_argument("--bin", default=BIN, help="the flickr-archive to time")
    args = ap.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="fa-bench-import-", dir=args.dir))
    try:
        account = generate_account(args.photos, 7)
        account.photos = [p for p in account.photos if not p.is_video]
        started = time.monotonic()
        (work / "export").mkdir()
        zips = write_export(work / "export", account, args.mb, args.per_zip)
        size = sum(z.stat().st_size for z in zips)
        print(f"export: {len(zips)} ZIPs, {size / 1e6:.0f} MB, {len(account.photos)} photos "
              f"(written in {time.monotonic() - started:.1f} s)")

        subprocess.run(["sync"], check=True)
        started = time.monotonic()
        copy = work / "copy"
        copy.mkdir()
        for z in zips:
            shutil.copyfile(z, copy / z.name)
        subprocess.run(["sync"], check=True)
        cp_s = time.monotonic() - started
        shutil.rmtree(copy)
        print(f"disk speed: cp + sync of the ZIPs: {cp_s:.1f} s ({size / 1e6 / cp_s:.0f} MB/s)")

        subprocess.run(["sync"], check=True)
        wall, maxrss_kb, code, _ = spawn_and_measure(
            [args.bin, "import", "--no-site", "--archive", work / "archive", *zips],
            env=dict(os.environ, LC_ALL="C.UTF-8"))
        print(f"import: {wall:.1f} s ({size / 1e6 / wall:.0f} MB/s, {wall / cp_s:.2f}x cp), "
              f"peak RSS {maxrss_kb / 1024:.1f} MB, exit {code}")

        files = sum(len(f) for _, _, f in os.walk(work / "archive"))
        subprocess.run(["sync"], check=True)
        started = time.monotonic()
        subprocess.run(["cp", "-a", str(work / "archive"), str(work / "archive-copy")],
                       check=True)
        subprocess.run(["sync"], check=True)
        same_s = time.monotonic() - started
        print(f"the same files: cp -a + sync of the archive ({files} files): {same_s:.1f} s; "
              f"import {wall / same_s:.2f}x that")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
