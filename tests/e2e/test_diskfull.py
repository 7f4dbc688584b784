"""A disk that fills up mid-sync: a clear error, nothing damaged, and a clean resume.

The archive lives on a tmpfs that a ballast file has almost filled.  As root the test mounts it directly (and unmounts it
in teardown); otherwise it runs the scenario inside `unshare -rm` (a user and mount
namespace of its own, so the mount dies with it).  FA_DISKFULL_USERNS=1 forces the
namespace way as root too.  Each run's output and a copy of the archive after it are kept
in the test's tmp dir and checked from there.
"""
import os
import shutil
import subprocess

import pytest

from conftest import (BIN, assert_same_as_reference, assert_subset_of_reference, error_lines,
                      temp_files, verify_archive)

# Mounts a tmpfs at $1 that a ballast file fills up to $2 bytes free, runs the sync with the
# archive in it, copies the archive out, makes room (removes the ballast), runs it again.
# (A ballast, not `mount -o remount,size=`: a tmpfs mounted in an unprivileged user
# namespace cannot be remounted.)
SCENARIO = r'''
set -u
mnt=$1 free=$2 out=$3
shift 3
mount -t tmpfs -o size=16m tmpfs "$mnt" || exit 90
head -c $((16 * 1024 * 1024 - free)) /dev/zero >"$mnt/ballast" || exit 91
for run in full resume; do
    "$@" >"$out/$run.out" 2>"$out/$run.err"
    echo $? >"$out/$run.rc"
    mkdir "$out/after-$run" && cp -a "$mnt/archive/." "$out/after-$run/" || exit 92
    rm -f "$mnt/ballast"
done
exit 0
'''


def launcher():
    if os.geteuid() == 0 and os.environ.get("FA_DISKFULL_USERNS") != "1":
        return []
    if not shutil.which("unshare"):
        pytest.skip("DISK-FULL TEST NOT RUN: not root and no unshare(1) to mount a small tmpfs")
    return ["unshare", "-rm"]


@pytest.fixture
def small_disk_dir(tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    yield mnt
    if os.path.ismount(mnt):
        subprocess.run(["umount", str(mnt)], check=True)


class Run:
    def __init__(self, out, name):
        self.returncode = int((out / f"{name}.rc").read_text())
        self.stderr = (out / f"{name}.err").read_text()
        self.archive = out / f"after-{name}"


def sync_on_small_disk(archiver, mnt, free_kib, out):
    out.mkdir()
    cmd = [*launcher(), "sh", "-c", SCENARIO, "scenario", str(mnt), str(free_kib * 1024), str(out),
           BIN, *archiver.sync_args()]
    p = subprocess.run(cmd, env=archiver.env(), capture_output=True, text=True, timeout=300)
    never_ran = not (out / "full.rc").exists()
    if p.returncode == 90 or (never_ran and cmd[0] == "unshare"):
        pytest.skip(f"DISK-FULL TEST NOT RUN: cannot mount a tmpfs ({' '.join(cmd[:2])}): "
                    f"{p.stderr.strip()}")
    assert p.returncode == 0, p.stderr
    return Run(out, "full"), Run(out, "resume")


# free space (KiB) with which the sample account's sync runs out: while spooling the
# listing, in a download about a sixth in, and writing an item's records further on
@pytest.mark.parametrize("free_kib", [100, 400, 800])
def test_disk_full_is_clear_harmless_and_resumable(pinned, account, reference, small_disk_dir,
                                                   tmp_path, free_kib):
    pinned.archive = small_disk_dir / "archive"
    full, resume = sync_on_small_disk(pinned, small_disk_dir, free_kib, tmp_path / "runs")

    assert full.returncode == 3, full.stderr
    [line] = error_lines(full.stderr)
    assert "the disk is full" in line and "no space left on device" in line.lower(), line
    print(f"{free_kib} KiB free: {line}")
    done = len(list(full.archive.glob("*/*/complete.flag")))
    if free_kib > 100:
        assert 0 < done < len(account.photos) + len(account.favorites)
    # nothing damaged: every file under a final name is the reference's, no temp file left
    assert_subset_of_reference(pinned, reference, root=full.archive)
    assert temp_files(full.archive) == []

    assert resume.returncode == 0, resume.stderr
    assert f"{done} already complete" in resume.stderr
    pinned.archive = resume.archive
    verify_archive(pinned, account)
    assert_same_as_reference(pinned, reference)
    assert temp_files(resume.archive) == []
