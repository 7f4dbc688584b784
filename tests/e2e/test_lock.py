"""The archive's one lock: a command it refuses writes nothing at all.

Each test holds .flickr-archive/lock the way another flickr-archive would (flock) and
checks every file and folder of the archive afterwards: same entries, same bytes, same
modification times.
"""
import contextlib
import fcntl
import hashlib
import os
import pathlib

import pytest


@pytest.fixture
def synced(archiver):
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    # a temporary a killed run left: a run without the lock must not sweep it
    # (it could be the temporary of the run that holds the lock)
    item = next((archiver.archive / "my_photos").iterdir())
    (item / ".metadata.json.tmp-Ab12Cd").write_bytes(b"{\"half\":")
    return archiver


def tree_state(root):
    """{relative path: (kind, mtime_ns, size, sha256)} of everything under root."""
    root = pathlib.Path(root)
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = pathlib.Path(dirpath) / name
            st = p.lstat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() \
                if p.is_file() and not p.is_symlink() else ""
            kind = "link" if p.is_symlink() else "dir" if p.is_dir() else "file"
            state[p.relative_to(root).as_posix()] = (kind, st.st_mtime_ns, st.st_size, digest)
    st = root.lstat()
    state["."] = ("dir", st.st_mtime_ns, st.st_size, "")
    return state


def assert_unchanged(before, after):
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    assert (added, removed, changed) == ([], [], [])


@contextlib.contextmanager
def held_lock(archiver, how=fcntl.LOCK_EX):
    # opened read-only: holding it must not touch it
    with open(archiver.archive / ".flickr-archive" / "lock", "rb") as f:
        fcntl.flock(f, how | fcntl.LOCK_NB)
        yield


def one_line(stderr):
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_refused_sync_writes_nothing(synced, fake):
    fake.reset_counters()
    before = tree_state(synced.archive)
    with held_lock(synced):
        r = synced.sync()
        after = tree_state(synced.archive)
    assert r.returncode == 3, r.stderr
    assert "already working on" in one_line(r.stderr)
    assert_unchanged(before, after)
    assert fake.total_api_calls == 0


def test_a_refused_sync_of_a_changed_account_writes_nothing(synced, fake, account):
    # Flickr has news: a refused run must still not write it
    account.add_comment(account.geo, account.users["61728349@N02"].nsid, "news", 1767312000)
    fake.reset_counters()
    before = tree_state(synced.archive)
    with held_lock(synced):
        r = synced.sync("--refresh")
        after = tree_state(synced.archive)
    assert r.returncode == 3, r.stderr
    assert_unchanged(before, after)
    assert fake.total_api_calls == 0


@pytest.mark.parametrize("command,says", [("site", "is working on"),
                                           ("verify", "a sync is working")])
def test_a_refused_site_or_verify_writes_nothing(synced, command, says):
    before = tree_state(synced.archive)
    with held_lock(synced):
        r = synced.run(command, "--archive", str(synced.archive),
                       env=synced.env(credentials=False))
        after = tree_state(synced.archive)
    assert r.returncode == 3, r.stderr
    assert says in one_line(r.stderr)
    assert_unchanged(before, after)


def test_verify_runs_beside_another_reader(synced):
    for p in synced.archive.rglob(".*.tmp-*"):
        p.unlink()
    with held_lock(synced, fcntl.LOCK_SH):
        r = synced.run("verify", "--archive", str(synced.archive),
                       env=synced.env(credentials=False))
    assert r.returncode == 0, r.stderr


def test_search_beside_a_sync_reads_the_index_and_writes_nothing(synced, account):
    before = tree_state(synced.archive)
    with held_lock(synced):
        r = synced.run("search", "--archive", str(synced.archive), "snickerdoodles",
                       env=synced.env(credentials=False))
        after = tree_state(synced.archive)
    assert r.returncode == 0, r.stderr
    assert "a sync is working" in r.stderr
    assert [l.split("  ", 1)[0] for l in r.stdout.splitlines()] == [account.search_comment]
    assert_unchanged(before, after)


@pytest.mark.parametrize("command", ["sync", "site"])
def test_a_lock_file_that_is_a_symlink_is_never_followed(synced, tmp_path, command):
    lock = synced.archive / ".flickr-archive" / "lock"
    target = tmp_path / "elsewhere"
    lock.unlink()
    lock.symlink_to(target)
    args = synced.sync_args() if command == "sync" else ["site", "--archive",
                                                           str(synced.archive)]
    before = tree_state(synced.archive)
    r = synced.run(*args)
    assert r.returncode == 3, r.stderr
    assert "lock" in one_line(r.stderr)
    assert not target.exists()
    assert_unchanged(before, tree_state(synced.archive))
