"""The API quota as Flickr counts it: at most --calls-per-hour calls in any rolling hour,
counted per API key in $XDG_STATE_HOME/flickr-archive, shared by every run.

Runs place themselves in time with FLICKR_ARCHIVE_FAKE_NOW: the quota's clock starts there
and runs on, so a run can start a few seconds before another's calls leave the hour."""
import hashlib
import json
import re
import signal
import time

HOUR = 3600
T0 = 1_790_000_000
WAITED = re.compile(r"Waited (\d+\.\d) s for the API quota")
UNSHARED = "warning: cannot keep the count of API calls"


def record_path(archiver, account):
    name = hashlib.sha256(account.api_key.encode()).hexdigest()
    return archiver.state_home / "flickr-archive" / f"{name}.calls"


def recorded(archiver, account):
    """(call times in ms, one per call, sorted; hold times) of the shared record."""
    calls, holds = [], []
    for line in record_path(archiver, account).read_text().splitlines():
        if line.startswith("hold "):
            holds.append(int(line.split()[1]))
        else:
            at, n = line.split()
            calls += [int(at)] * int(n)
    return sorted(calls), holds


def paced_sync(archiver, archive, calls_per_hour, now, *extra):
    return archiver.run("sync", "--archive", str(archive), "--calls-per-hour",
                        str(calls_per_hour), "--no-site", *extra,
                        env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=now))


def waited(stderr):
    m = WAITED.search(stderr)
    return float(m.group(1)) if m else 0.0


def assert_within_limit(times_ms, limit):
    """No rolling hour holds more than limit of the calls."""
    for i in range(limit, len(times_ms)):
        assert times_ms[i] - times_ms[i - limit] >= HOUR * 1000, i


def test_a_run_with_room_in_the_hour_never_waits(archiver, fake, account):
    r = paced_sync(archiver, archiver.archive, 3500, T0)
    assert r.returncode == 0, r.stderr
    assert waited(r.stderr) == 0.0 and UNSHARED not in r.stderr
    calls, holds = recorded(archiver, account)
    assert len(calls) == fake.total_api_calls and holds == []
    assert archiver.load("sync_report.json")["api_quota_wait_seconds"] == 0


def test_a_second_run_within_the_hour_waits_only_for_what_the_hour_has_left(
        archiver, fake, account, tmp_path):
    r = paced_sync(archiver, archiver.archive, 1000, T0)
    assert r.returncode == 0, r.stderr
    first = fake.total_api_calls
    first_calls, _ = recorded(archiver, account)
    assert len(first_calls) == first and waited(r.stderr) == 0.0
    span_s = (first_calls[-1] - first_calls[0]) / 1000

    # 3 s before the first run's first call leaves the hour, a sync of a second archive
    # with the same key may make 10 calls at once; the rest go as the first run's leave
    fake.reset_counters()
    limit = first + 10
    r = paced_sync(archiver, tmp_path / "second", limit, T0 + HOUR - 3)
    assert r.returncode == 0, r.stderr
    times = fake.call_times
    assert len(times) == first
    # the 11th waited for the first run's first call to leave the hour, 3 s after the
    # second run's first call (less what the first call took to reach the fake)
    assert times[10] - times[0] >= 2.5
    # and no call waited for more than the first run's calls to leave the hour
    wait = waited(r.stderr)
    assert 0 < wait <= 3 + span_s + 1, wait
    report = json.loads((tmp_path / "second" / "sync_report.json").read_text())
    assert abs(report["api_quota_wait_seconds"] - wait) <= 1
    both, _ = recorded(archiver, account)
    assert len(both) == 2 * first
    assert_within_limit(both, limit)


def test_two_syncs_at_once_share_the_hour(archiver, fake, account, tmp_path):
    # what one sync costs, unpaced (nothing recorded)
    r = archiver.run("sync", "--archive", str(tmp_path / "measure"), "--calls-per-hour", "0",
                     "--no-site")
    assert r.returncode == 0, r.stderr
    one = fake.total_api_calls
    assert not record_path(archiver, account).exists()
    fake.reset_counters()
    # an earlier run's calls fill all but 10 of the hour, and leave it 3 s from now
    limit = 2 * one + 10
    path = record_path(archiver, account)
    path.parent.mkdir(parents=True)
    path.write_text(f"{(T0 - HOUR + 3) * 1000} {limit - 10}\n")
    env = archiver.env(FLICKR_ARCHIVE_FAKE_NOW=T0)
    procs = [archiver.popen("sync", "--archive", str(tmp_path / name), "--calls-per-hour",
                            str(limit), "--no-site", env=env, stderr=-1, stdout=-3)
             for name in ("a", "b")]
    errs = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    times = sorted(fake.call_times)
    assert len(times) == 2 * one
    # together they made no more than the 10 the hour had left before it rolled on
    assert len([t for t in times if t < times[0] + 2.5]) <= 10
    assert max(waited(e) for e in errs) > 0
    calls, _ = recorded(archiver, account)
    assert len([t for t in calls if t < (T0 + 3) * 1000]) <= limit - 10 + 10
    assert len(calls) == limit - 10 + 2 * one


def test_a_429_holds_the_hour_for_the_next_run_too(archiver, fake, account, tmp_path):
    fake.add_fault("http429", match="flickr.photos.getInfo", count=1, retry_after=2)
    r = paced_sync(archiver, archiver.archive, 3500, T0)
    assert r.returncode == 0, r.stderr
    calls, holds = recorded(archiver, account)
    assert len(holds) == 1 and calls[0] + 2000 <= holds[0] <= calls[-1] + 2000
    assert waited(r.stderr) >= 1.9
    # a run that starts before the hold ends waits for it
    fake.reset_counters()
    r = paced_sync(archiver, tmp_path / "second", 3500, T0)
    assert r.returncode == 0, r.stderr
    assert waited(r.stderr) >= (holds[0] - T0 * 1000) / 1000 - 0.2


def test_the_record_holds_no_secret(archiver, fake, account):
    r = paced_sync(archiver, archiver.archive, 3500, T0)
    assert r.returncode == 0, r.stderr
    secrets = [account.api_key, account.api_secret, account.oauth_token,
               account.oauth_token_secret]
    files = sorted((archiver.state_home / "flickr-archive").iterdir())
    assert [f.suffix for f in files] == [".calls", ".lock"]
    for f in files:
        assert re.fullmatch(r"[0-9a-f]{64}\.(calls|lock)", f.name)
        assert f.stat().st_mode & 0o077 == 0
        text = f.read_text()
        for s in secrets:
            assert s not in f.name and s not in text


def test_a_damaged_record_paces_conservatively_with_one_warning(archiver, fake, account):
    path = record_path(archiver, account)
    path.parent.mkdir(parents=True)
    path.write_text(f"{T0 * 1000 - 5000} 1\n\x00\x01 garbage\nnot a record\n")
    r = paced_sync(archiver, archiver.archive, 3500, T0)
    assert r.returncode == 0, r.stderr
    warnings = [l for l in r.stderr.splitlines() if UNSHARED in l]
    assert len(warnings) == 1 and "damaged" in warnings[0], r.stderr
    # written anew: the good line is kept, the next run reads it without a warning
    assert path.read_text() == f"{T0 * 1000 - 5000} 1\n"
    r = paced_sync(archiver, archiver.archive, 3500, T0)
    assert r.returncode == 0 and UNSHARED not in r.stderr, r.stderr


def test_an_unwritable_state_dir_paces_conservatively_with_one_warning(archiver, fake,
                                                                        tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    # a burst of 100, then 7200 an hour (2 a second): the token bucket of before
    rate, burst = 2.0, 100
    # the bucket fills from the sync's start: measured from before it (the first call's
    # arrival, late on a loaded machine, made a correct pace look 20 ms early once in CI)
    started = time.monotonic()
    r = archiver.run("sync", "--archive", str(archiver.archive), "--calls-per-hour", "7200",
                     "--no-site", env=archiver.env(XDG_STATE_HOME=not_a_dir))
    assert r.returncode == 0, r.stderr
    assert len([l for l in r.stderr.splitlines() if UNSHARED in l]) == 1, r.stderr
    times = fake.call_times
    assert len(times) > burst + 2
    for k, t in enumerate(times):
        # call k can only go once k + 1 tokens have been available
        assert t - started >= (k + 1 - burst) / rate - 0.05, (k, t - started)
    assert "Waited" in r.stderr and "an hour, evenly" in r.stderr


def test_no_pacing_records_nothing(archiver, fake):
    r = archiver.sync()  # --calls-per-hour 0
    assert r.returncode == 0, r.stderr
    assert not archiver.state_home.exists()


def test_a_spent_hour_is_told_and_ctrl_c_ends_the_wait(archiver, fake, account):
    # an earlier run spent the whole hour half an hour ago
    path = record_path(archiver, account)
    path.parent.mkdir(parents=True)
    path.write_text(f"{(T0 - HOUR // 2) * 1000} 50\n")
    proc = archiver.popen("sync", "--archive", str(archiver.archive), "--calls-per-hour", "50",
                          env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=T0), stderr=-1, stdout=-3)
    line = proc.stderr.readline()
    assert "The API quota is spent (50 calls in any hour); the next call goes in 30 min" \
        in line, line
    proc.send_signal(signal.SIGINT)
    rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, rest
    assert fake.total_api_calls == 0
