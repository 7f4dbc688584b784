"""Interrupted syncs (SIGKILL, Ctrl-C) resume to a complete archive with no partial files."""
import signal
import time

from conftest import temp_files, verify_archive


def complete_count(archiver):
    return len(list(archiver.archive.glob("*/*/complete.flag")))


def start_and_kill(archiver, after_complete, sig=signal.SIGKILL, timeout=60):
    proc = archiver.popen(*archiver.sync_args(), stdout=-1, stderr=-1)
    deadline = time.monotonic() + timeout
    while complete_count(archiver) < after_complete:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_sigkill_then_rerun_completes(archiver, fake, account):
    fake.api_latency = 0.02
    code, _ = start_and_kill(archiver, after_complete=7)
    assert code == -signal.SIGKILL
    done_before = {p.parent.name for p in archiver.archive.glob("*/*/complete.flag")}
    assert 7 <= len(done_before) < len(account.photos) + len(account.favorites)
    fake.reset_counters()
    fake.api_latency = 0
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)
    # nothing that was complete before the kill was downloaded again
    for path in fake.media_requests:
        assert not any(pid in path for pid in done_before), path
    assert f"{len(done_before)} already complete" in r.stderr


def test_repeated_kills_at_different_moments(archiver, fake, account):
    fake.api_latency = 0.01
    total = len(account.photos) + len(account.favorites)
    for target in (3, 11, 19, 27, 35):
        if complete_count(archiver) >= total:
            break
        start_and_kill(archiver, after_complete=min(target, total))
    fake.api_latency = 0
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)


def test_kill_during_a_download_leaves_no_partial_file(archiver, fake, account):
    fake.media_latency = 0.3
    proc = archiver.popen(*archiver.sync_args(), stdout=-1, stderr=-1)
    deadline = time.monotonic() + 60
    while not temp_files(archiver.archive):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    proc.kill()
    proc.communicate(timeout=30)
    assert temp_files(archiver.archive), "the kill should interrupt a download"
    for f in archiver.archive.glob("*/*/original.*"):
        # every file under a final name is whole
        assert f.stat().st_size > 0
    fake.media_latency = 0
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)


def test_ctrl_c_stops_cleanly_and_resumes(archiver, fake, account):
    fake.api_latency = 0.02
    code, err = start_and_kill(archiver, after_complete=5, sig=signal.SIGINT)
    assert code == 130
    assert "interrupted" in err and "sync' again" in err
    assert temp_files(archiver.archive) == []
    assert archiver.archive.joinpath("my_photos_index.json").is_file()
    fake.api_latency = 0
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)


def test_second_sync_is_refused_while_one_runs(archiver, fake):
    fake.api_latency = 0.05
    proc = archiver.popen(*archiver.sync_args(), stdout=-1, stderr=-1)
    try:
        deadline = time.monotonic() + 30
        while not (archiver.archive / ".flickr-archive" / "lock").exists():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.2)
        r = archiver.sync()
        assert r.returncode == 3
        assert "already working" in r.stderr
    finally:
        proc.kill()
        proc.communicate()
