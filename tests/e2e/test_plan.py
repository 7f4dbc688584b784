"""sync --plan: the listing calls only, nothing archived, and an estimate a sync then
bears out (issue 16, part 2)."""
import re

import pytest

from conftest import error_lines

LISTING = {"flickr.test.login", "flickr.photosets.getList", "flickr.photosets.getPhotos",
           "flickr.people.getPhotos", "flickr.favorites.getList"}
T0 = 1_790_000_000
T1 = T0 + 30 * 86_400


def plan(archiver, when=T0):
    r = archiver.sync("--plan", env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=when))
    assert r.returncode == 0, r.stderr
    assert error_lines(r.stderr) == []
    return r.stderr


def estimate(text):
    return int(re.search(r"API calls: about (\d+) ", text).group(1))


def counts(text, what):
    m = re.search(rf"{what}: (\d+) new, (\d+) changed, (\d+) unchanged; (\d+) archived but "
                  r"no longer listed", text)
    return tuple(int(g) for g in m.groups())


def test_a_plan_lists_only_and_the_sync_bears_it_out(archiver, fake, account):
    text = plan(archiver)
    assert set(fake.calls) <= LISTING, dict(fake.calls)
    assert not fake.media_requests
    # nothing archived: no file but the listings spooled in the work folder
    archive = archiver.archive
    assert not [p for p in archive.rglob("*") if p.is_file() and ".flickr-archive" not in p.parts]
    mine, faves = len(account.photos), len(account.favorites)
    assert counts(text, "Photos and videos") == (mine, 0, 0, 0)
    assert counts(text, "Favorites") == (faves, 0, 0, 0)
    assert f"Listed {mine} of {mine} photos and videos, {faves} of {faves} favorites" in text
    assert re.search(r"Download: about [\d.]+ MB, estimated", text)
    assert re.search(r"Disk: [\d.]+ GB free at ", text)
    assert "Time: no waiting for the quota" in text
    guess = estimate(text)
    fake.reset_counters()
    r = archiver.sync("--no-site", env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=T0))
    assert r.returncode == 0, r.stderr
    made = fake.total_api_calls
    print(f"\nplan: about {guess} calls; the sync made {made}")
    assert abs(guess - made) <= 0.1 * made, (guess, made, dict(fake.calls))


def test_a_plan_of_an_archive_names_what_changed(archiver, fake, account):
    assert archiver.sync("--no-site", env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=T0)).returncode == 0
    pid = account.many_comments
    account.add_comment(pid, account.owner.nsid, "one more", T0 + 100)
    account.delete_photo(account.geo)
    fake.reset_counters()
    text = plan(archiver, T1)
    assert set(fake.calls) <= LISTING, dict(fake.calls)
    mine = len(account.photos)
    assert counts(text, "Photos and videos") == (0, 1, mine - 1, 1)
    assert counts(text, "Favorites") == (0, 0, len(account.favorites), 0)
    # the listing, getInfo and the comments of the changed photo, getInfo of the gone one,
    # and the account's unchanged structure (profile 2, collections, galleries, groups,
    # contacts: test_account.py)
    listing_calls = fake.total_api_calls
    assert estimate(text) == listing_calls + 2 + 1 + 6
    fake.reset_counters()
    r = archiver.sync("--no-site", env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=T1))
    assert r.returncode == 0, r.stderr
    assert fake.total_api_calls == estimate(text), dict(fake.calls)


def test_a_plan_needs_the_credentials_a_sync_needs(archiver):
    r = archiver.sync("--plan", env=archiver.env(credentials=False))
    assert r.returncode == 2  # a missing key, as in every command (test_cli's table)
    assert len(error_lines(r.stderr)) == 1
