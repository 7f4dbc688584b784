"""Failures: a one-line reason, the right exit status, nothing archived lost.

Faults that are retried, or that fail one photo until the next run: test_faults.py.
"""
import socket

from conftest import archive_snapshot, error_lines, verify_archive


def test_wrong_credentials_lose_nothing(archiver, account):
    assert archiver.sync().returncode == 0
    before = archive_snapshot(archiver.archive)
    r = archiver.sync(env=archiver.env(FLICKR_OAUTH_TOKEN_SECRET="wrong"))
    assert r.returncode == 3
    [line] = error_lines(r.stderr)
    assert "refused the credentials" in line and "flickr-archive auth" in line
    assert archive_snapshot(archiver.archive) == before


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
