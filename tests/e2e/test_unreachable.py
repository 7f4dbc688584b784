"""One breaker for the whole sync: Flickr gone mid-sync ends the run at once (exit 3).

The server stops after a number of media requests of a 1,000-photo account.  The
retries keep their default backoff (FLICKR_ARCHIVE_RETRY_BASE_MS unset: 2 s, doubling,
6 retries): without the breaker every item would spend its own retries (hours).
"""
import sys
import threading
import time

import pytest

from conftest import Archiver, ROOT

sys.path.insert(0, str(ROOT / "tests"))
from fake_flickr import FakeFlickr, generate_account  # noqa: E402

# A guard against a hang only: the figure is measured and printed (bench/ measures speed).
HANG_GUARD_S = 120


@pytest.fixture(scope="module")
def big_account():
    return generate_account(1000)


@pytest.fixture
def big(big_account, tmp_path):
    with FakeFlickr(big_account) as server:
        yield Archiver(server, tmp_path)


def stop_after_media(fake, n):
    """Stops the fake (connections refused from then on) once n media requests came."""
    def watch():
        deadline = time.monotonic() + HANG_GUARD_S
        while sum(fake.media_requests.values()) < n and time.monotonic() < deadline:
            time.sleep(0.005)
        fake.stop()
    t = threading.Thread(target=watch, daemon=True)
    t.start()
    return t


def complete_items(archive):
    return {p.parent.name for p in (archive / "my_photos").glob("*/complete.flag")}


def test_flickr_gone_mid_sync_stops_the_sync(big):
    fake = big.fake
    env = big.env(FLICKR_ARCHIVE_RETRY_BASE_MS=None)
    watcher = stop_after_media(fake, 150)
    t0 = time.monotonic()
    r = big.sync("--no-site", env=env, timeout=HANG_GUARD_S)
    elapsed = time.monotonic() - t0
    watcher.join()
    print(f"\nsync with Flickr gone after 150 media requests: exit {r.returncode} "
          f"in {elapsed:.1f} s")
    assert r.returncode == 3, r.stderr
    errors = [l for l in r.stderr.splitlines() if l.startswith("flickr-archive: ")]
    assert len(errors) == 1, r.stderr
    assert "Flickr is unreachable: " in errors[0]
    assert "sync' again" in errors[0]
    # what was done is kept, and every complete item is whole
    done = complete_items(big.archive)
    assert 0 < len(done) < 1000
    assert big.archive.joinpath("my_photos_index.json").is_file()
    assert big.load("sync_report.json")["stopped"].startswith("Flickr is unreachable: ")
    # the only findings are the items that were in flight: the next sync finishes them
    v = big.run("verify", "--archive", str(big.archive), env=env)
    findings = v.stdout.splitlines()
    assert all(f.startswith("partial: my_photos/") for f in findings), v.stdout
    assert not done & {f.split("/")[1].split()[0] for f in findings}

    # Flickr is back: the next run finishes the archive, keeping what was done
    fake.start()
    r = big.sync("--no-site", env=big.env())
    assert r.returncode == 0, r.stderr
    assert "stopped" not in big.load("sync_report.json")
    assert len(complete_items(big.archive)) == len([p for p in fake.account.photos])
    assert done <= complete_items(big.archive)
    v = big.run("verify", "--archive", str(big.archive), env=env)
    assert v.returncode == 0, v.stderr
