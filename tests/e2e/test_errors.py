"""Failures: a one-line reason, the right exit status, nothing archived lost, and retries."""
import hashlib
import re
import socket
import time

from conftest import error_lines, verify_archive


def snapshot(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and ".flickr-archive" not in p.parts
            and p.name != "sync_report.json"}


def test_wrong_credentials_lose_nothing(archiver, account):
    assert archiver.sync().returncode == 0
    before = snapshot(archiver.archive)
    r = archiver.sync(env=archiver.env(FLICKR_OAUTH_TOKEN_SECRET="wrong"))
    assert r.returncode == 3
    [line] = error_lines(r.stderr)
    assert "refused the credentials" in line and "flickr-archive auth" in line
    assert snapshot(archiver.archive) == before


def test_server_down(archiver):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = archiver.env(FLICKR_API_URL=f"http://127.0.0.1:{port}/services/rest")
    r = archiver.sync("--retries", "1", env=env)
    assert r.returncode == 3
    [line] = error_lines(r.stderr)
    assert "cannot reach Flickr" in line


def test_malformed_listing_is_fatal_and_clear(archiver, fake):
    fake.add_fault("malformed_json", match="flickr.people.getPhotos", count=None)
    r = archiver.sync("--retries", "1")
    assert r.returncode == 3
    [line] = error_lines(r.stderr)
    assert "malformed JSON" in line and "flickr.people.getPhotos" in line


def test_failing_item_is_reported_and_retried_next_run(archiver, fake, account):
    fake.add_fault("malformed_json", match="flickr.photos.getInfo", count=3)
    r = archiver.sync("--retries", "2")
    assert r.returncode == 1, r.stderr
    assert "1 failed" in r.stderr and "retry on the next run" in r.stderr
    report = archiver.load("sync_report.json")
    assert len(report["failed"]) == 1
    failed = report["failed"][0]["id"]
    assert not (archiver.archive / "my_photos" / failed / "complete.flag").exists()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)
    assert archiver.load("sync_report.json")["failed"] == []


def test_http_429_honours_retry_after(archiver, fake, account):
    fake.add_fault("http429", match="flickr.photos.getInfo", count=2, retry_after=1)
    started = time.monotonic()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - started >= 1.9  # two waits of Retry-After: 1
    verify_archive(archiver, account)
    assert re.search(r"\(\d\.\d\d per item archived or refreshed; 2 retries\)", r.stderr)


def test_transient_api_faults_are_retried(archiver, fake, account):
    for kind in ("http500", "http502", "http503", "error105", "error201", "drop"):
        fake.add_fault(kind, match="*", count=1)
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)


def test_media_faults_are_retried_and_never_kept_truncated(archiver, fake, account):
    fake.add_fault("truncate", match="media", count=3)
    fake.add_fault("http503", match="media", count=2)
    fake.add_fault("http429", match="media", count=1, retry_after=0)
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)


def test_stalled_connection_times_out_and_retries(archiver, fake, account):
    fake.add_fault("stall", match="flickr.photos.getInfo", count=1, seconds=30)
    r = archiver.sync("--timeout", "1")
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)


def test_unfetchable_video_is_recorded_and_retried(archiver, fake, account):
    photo = account.photo(account.special["video"])
    photo.video_fetchable = False
    r = archiver.sync()
    assert r.returncode == 1
    assert photo.id in r.stderr and "no video file could be downloaded" in r.stderr
    sizes = archiver.load("my_photos", photo.id, "sizes.json")
    assert sizes["video_attempts"]
    assert not (archiver.archive / "my_photos" / photo.id / "complete.flag").exists()
    photo.video_fetchable = True
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)


def test_optional_calls_refused_do_not_fail_the_photo(archiver, fake, account):
    # EXIF is asked of Flickr only when no original was archived
    fav = account.photo(account.special["fav_no_original"])
    fav.exif_hidden = True
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    exif = archiver.load("favorited_photos", fav.id, "exif.json")
    assert exif["hidden"] is True and exif["exif"] == []


def test_people_list_refused_does_not_fail_the_photo(archiver, fake, account):
    fake.add_fault("api_error", match="flickr.photos.people.getList", count=None, code=2,
                   message="Permission denied")
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert "people tagged not available" in r.stderr
    m = archiver.load("my_photos", account.special["notes_people"], "metadata.json")
    assert m["people"] == [] and len(m["notes"]) == 2
