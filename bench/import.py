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
  - the import's peak RSS (target: under 64 MB, whatever the export's size), and its
    CPU time (when it is near the wall time times the cores, the CPU sets the pace);
  - "slow disk": the same cp and import from a cold page cache on a disk whose reads
    are limited to --disk-mbps MB/s (150 and 500: a USB or SATA disk, an SSD), where
    the import should go at the disk's speed (10000: this disk unthrottled); and, for
    the very disk work the import does, `tar -x` of a tar of the archive it made (one
    file read in order, the same files written), also from cold.  It needs root (to drop the page cache
    and make a cgroup v1 blkio throttle); without, it says so and skips.

The first figures keep the page cache (the ZIPs having just been written), which
makes a fast disk look faster than any disk: they show the CPU's share.  It asserts
nothing.

    make && /usr/bin/python3 bench/import.py                  # ~2 GB: 1,000 x 2 MB
    /usr/bin/python3 bench/import.py --photos 200 --mb 1      # smaller
    /usr/bin/python3 bench/import.py --bin OTHER/flickr-archive  # another build, same bench
    /usr/bin/python3 bench/import.py --disk-mbps 100,300         # other slow disks
"""
import argparse
import atexit
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


BLKIO = pathlib.Path("/sys/fs/cgroup/blkio")


def whole_disk(path):
    """The "major:minor" of the disk holding path (a partition's disk: throttles are per disk)."""
    dev = os.stat(path).st_dev
    node = pathlib.Path(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}").resolve()
    if (node / "partition").exists():
        node = node.parent
    return (node / "dev").read_text().strip()


def slow_disk_cgroup(work):
    """A cgroup whose reads of work's disk can be limited, or why there is none."""
    if os.geteuid() != 0 or not (BLKIO / "cgroup.procs").exists():
        return None, "needs root and cgroup v1's blkio"
    try:
        disk = whole_disk(work)
    except OSError as e:
        return None, f"the disk of {work} is not a block device ({e})"
    group = BLKIO / f"fa-bench-{os.getpid()}"
    group.mkdir(exist_ok=True)
    return (group, disk), None


def cold(cmd, group, disk, mbps):
    """Seconds to run cmd and sync, from a cold page cache, reading at most mbps MB/s."""
    (group / "blkio.throttle.read_bps_device").write_text(f"{disk} {mbps * 1000000}")
    subprocess.run(["sync"], check=True)
    pathlib.Path("/proc/sys/vm/drop_caches").write_text("3")
    started = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   preexec_fn=lambda: (group / "cgroup.procs").write_text(str(os.getpid())))
    subprocess.run(["sync"], check=True)
    return time.monotonic() - started


def slow_disks(work, zips, tarball, size, args):
    """The slow-disk figures: cp and import of the same ZIPs, and tar -x of the archive made, at each limit."""
    rates = [int(r) for r in args.disk_mbps.split(",") if r]
    cg, why = slow_disk_cgroup(work) if rates else (None, "no --disk-mbps")
    if not cg:
        print(f"slow disk: skipped ({why})")
        return
    group, disk = cg
    try:
        for n, mbps in enumerate(rates):
            copy = work / f"slow-copy-{n}"
            copy.mkdir()
            cp_s = cold(["cp", *map(str, zips), str(copy)], group, disk, mbps)
            shutil.rmtree(copy)
            imp_s = cold([args.bin, "import", "--no-site", "--archive",
                          str(work / f"slow-archive-{n}"), *map(str, zips)], group, disk, mbps)
            untar = work / f"slow-untar-{n}"
            untar.mkdir()
            tar_s = cold(["tar", "-xf", str(tarball), "-C", str(untar)], group, disk, mbps)
            print(f"slow disk ({mbps} MB/s reads, cold cache): cp + sync {cp_s:.1f} s "
                  f"({size / 1e6 / cp_s:.0f} MB/s); import + sync {imp_s:.1f} s "
                  f"({size / 1e6 / imp_s:.0f} MB/s, {imp_s / cp_s:.2f}x cp); "
                  f"tar -x + sync of the archive made {tar_s:.1f} s (import {imp_s / tar_s:.2f}x that)")
    finally:
        group.rmdir()


def high_cpu_share():
    """Moves this bench (and so what it times) into a cgroup with a large CPU share."""
    cpu = pathlib.Path("/sys/fs/cgroup/cpu")
    if os.geteuid() != 0 or not (cpu / "cgroup.procs").exists():
        return "as any other process (a large share needs root and cgroup v1's cpu)"
    group = cpu / "fa-bench"
    group.mkdir(exist_ok=True)
    (group / "cpu.shares").write_text("262144")
    (group / "cgroup.procs").write_text(str(os.getpid()))
    atexit.register(lambda: ((cpu / "cgroup.procs").write_text(str(os.getpid())), group.rmdir()))
    return "a large share (cgroup cpu.shares), so that other work disturbs the figures less"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=int, default=1000)
    ap.add_argument("--mb", type=int, default=2, help="MB per original")
    ap.add_argument("--per-zip", type=int, default=250, help="photos per media ZIP")
    ap.add_argument("--dir", default=None, help="where to work (default: a temporary folder)")
    ap.add_argument("--bin", default=BIN, help="the flickr-archive to time")
    ap.add_argument("--disk-mbps", default="150,500",
                    help="read limits (MB/s, comma-separated) of the slow-disk runs; '' for none")
    args = ap.parse_args()

    print(f"CPU: {os.cpu_count()} cores, {high_cpu_share()}")
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
        wall, maxrss_kb, code, _, cpu_s = spawn_and_measure(
            [args.bin, "import", "--no-site", "--archive", work / "archive", *zips],
            env=dict(os.environ, LC_ALL="C.UTF-8"))
        print(f"import: {wall:.1f} s ({size / 1e6 / wall:.0f} MB/s, {wall / cp_s:.2f}x cp), "
              f"peak RSS {maxrss_kb / 1024:.1f} MB, exit {code}; CPU {cpu_s:.1f} s "
              f"(user + system: {cpu_s / wall:.1f} of the {os.cpu_count()} cores busy)")

        files = sum(len(f) for _, _, f in os.walk(work / "archive"))
        subprocess.run(["sync"], check=True)
        started = time.monotonic()
        subprocess.run(["cp", "-a", str(work / "archive"), str(work / "archive-copy")],
                       check=True)
        subprocess.run(["sync"], check=True)
        same_s = time.monotonic() - started
        print(f"the same files: cp -a + sync of the archive ({files} files): {same_s:.1f} s; "
              f"import {wall / same_s:.2f}x that")
        tarball = work / "archive.tar"
        subprocess.run(["tar", "-cf", str(tarball), "-C", str(work), "archive"], check=True)
        # (nothing deleted before the next runs: ext4 without a journal makes a file
        # created just after thousands were deleted cost more)
        slow_disks(work, zips, tarball, size, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
