"""Buddy icons: every person's avatar is archived, because its URL dies with the account.

The URL is built from iconfarm/iconserver/nsid (no API answer carries one); the `archiver`
fixture points FLICKR_STATIC_URL at the fake, which serves /{iconserver}/buddyicons/{nsid}.jpg.
"""
import re

import pytest

from conftest import error_lines, temp_files, verify_avatars
from fake_flickr.media import buddy_icon

COMMENTS = "flickr.photos.comments.getList"


@pytest.fixture
def synced(archiver):
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    archiver.first_run = r
    return archiver


def icon_path(user):
    return f"/{user.iconserver}/buddyicons/{user.nsid}.jpg"


def people_of(account):
    """Every commenter and faver, the owners of the favorites, and the account."""
    photos = list(account.photos) + [p for p, _ in account.favorites]
    nsids = {c.author for p in photos for c in p.comments}
    nsids |= {f.nsid for p in photos for f in p.faves}
    nsids |= {p.owner for p, _ in account.favorites}
    return nsids | {account.owner.nsid}


def a_commenter_with_an_icon(account):
    photo = account.photo(account.special["many_comments"])
    for c in photo.comments:
        user = account.users[c.author]
        if user.iconserver != "0" and not user.is_deleted:
            return user
    raise AssertionError("no commenter with an icon")


def test_every_person_with_an_icon_has_it(synced, fake, account):
    users = synced.load("users_cache.json")
    people = people_of(account)
    assert people <= set(users)
    verify_avatars(synced, account)
    with_icon = {n for n in users if account.users[n].iconserver != "0"}
    default = set(users) - with_icon
    assert len(default) >= 3 and account.owner.nsid in with_icon
    assert {p.owner for p, _ in account.favorites} <= set(users)
    # one request per icon, none for the default icon, and no API call for any of it
    assert fake.icon_requests == {n: 1 for n in with_icon}
    assert "/images/buddyicon.gif" not in fake.media_requests
    assert int(re.search(r"API calls: (\d+)", synced.first_run.stderr).group(1)) == \
        fake.total_api_calls
    assert fake.calls["flickr.people.getInfo"] == 1   # the account's own profile.json
    report = synced.load("sync_report.json")["avatars"]
    assert report == {"people": len(users), "archived": len(with_icon),
                      "downloaded": len(with_icon), "default_icon": len(default),
                      "skipped_invalid": 0, "postponed": 0, "repaired": 0,
                      "failed": []}
    stderr = synced.first_run.stderr
    assert f"Avatars: {len(with_icon)} archived ({len(with_icon)} downloaded now), " \
           f"{len(default)} with Flickr's default icon, 0 failed" in stderr
    # progress: one line per icon when stderr is not a terminal
    assert len(re.findall(r"^\[\d+/\d+\] avatar of \S+ archived$", stderr, re.M)) == \
        len(with_icon)


def test_avatars_are_in_the_archive_manifest_and_verified(synced):
    lines = synced.archive.joinpath("manifest-sha256.txt").read_text().splitlines()
    listed = [l.split(" ", 1)[1] for l in lines if " avatars/" in l]
    on_disk = sorted(f"avatars/{p.name}" for p in synced.archive.joinpath("avatars").glob("*.jpg"))
    assert listed == on_disk and listed
    r = synced.run("verify", "--archive", str(synced.archive))
    assert r.returncode == 0, r.stdout + r.stderr
    icon = synced.archive / listed[0]
    icon.write_bytes(icon.read_bytes()[:-1] + b"\0")
    r = synced.run("verify", "--archive", str(synced.archive))
    assert r.returncode == 1 and f"changed: {listed[0]}" in r.stdout, r.stdout


def test_a_resync_downloads_no_icon_again(synced, fake, account):
    before = synced.archive.joinpath("users_cache.json").read_bytes()
    fake.reset_counters()
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert not fake.icon_requests and not fake.media_requests
    assert synced.archive.joinpath("users_cache.json").read_bytes() == before
    assert synced.load("sync_report.json")["avatars"]["downloaded"] == 0
    verify_avatars(synced, account)


def test_a_new_iconserver_is_fetched_again(synced, fake, account):
    user = a_commenter_with_an_icon(account)
    old = synced.archive.joinpath("avatars", f"{user.nsid}.jpg").read_bytes()
    user.iconserver = str(int(user.iconserver) + 1)
    fake.reset_counters()
    r = synced.sync("--refresh")  # the comments carry the new iconserver
    assert r.returncode == 0, r.stderr
    assert fake.icon_requests == {user.nsid: 1}
    new = synced.archive.joinpath("avatars", f"{user.nsid}.jpg").read_bytes()
    assert new != old and new == buddy_icon(user.nsid, user.iconserver)
    assert synced.load("users_cache.json")[user.nsid]["avatar_iconserver"] == user.iconserver
    verify_avatars(synced, account)


def test_an_icon_that_went_away_is_kept(synced, fake, account):
    # an account closed, or back to the default icon: the archived icon stays
    user = a_commenter_with_an_icon(account)
    icon = synced.archive.joinpath("avatars", f"{user.nsid}.jpg")
    kept, server = icon.read_bytes(), user.iconserver
    user.iconserver, user.iconfarm = "0", 0
    fake.reset_counters()
    r = synced.sync("--refresh")
    assert r.returncode == 0, r.stderr
    assert not fake.icon_requests
    assert icon.read_bytes() == kept
    u = synced.load("users_cache.json")[user.nsid]
    assert u["avatar_default"] is True
    assert (u["avatar"], u["avatar_iconserver"]) == (f"avatars/{user.nsid}.jpg", server)
    assert f"avatars/{user.nsid}.jpg" in synced.archive.joinpath("manifest-sha256.txt").read_text()


@pytest.mark.parametrize("kind", ["http500", "html", "truncate"])
def test_a_failed_icon_is_reported_and_retried_next_run(archiver, fake, account, kind):
    user = a_commenter_with_an_icon(account)
    fake.add_fault(kind, match=icon_path(user), count=None)
    r = archiver.sync("--retries", "1")
    assert r.returncode == 0, r.stderr  # an icon never fails the sync
    assert error_lines(r.stderr) == []
    [warning] = [l for l in r.stderr.splitlines() if f"avatar of {user.nsid}:" in l]
    assert "warning" in warning and "will retry on the next run" in warning
    assert "1 failed (will retry on the next run)" in r.stderr
    [failed] = archiver.load("sync_report.json")["avatars"]["failed"]
    assert failed["nsid"] == user.nsid and failed["error"]
    assert archiver.load("sync_report.json")["failed"] == []
    assert not archiver.archive.joinpath("avatars", f"{user.nsid}.jpg").exists()
    u = archiver.load("users_cache.json")[user.nsid]
    assert "avatar" not in u and u["avatar_default"] is False
    assert temp_files(archiver.archive) == []
    # every other icon is there
    others = [n for n, u in archiver.load("users_cache.json").items()
              if account.users[n].iconserver != "0" and n != user.nsid]
    for nsid in others:
        assert archiver.archive.joinpath("avatars", f"{nsid}.jpg").is_file(), nsid

    fake.clear_faults()
    fake.reset_counters()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert fake.icon_requests == {user.nsid: 1}
    assert archiver.load("sync_report.json")["avatars"]["failed"] == []
    verify_avatars(archiver, account)


@pytest.mark.parametrize("kind", ["http503", "drop"])
def test_a_failing_static_host_is_given_up_for_this_run(archiver, fake, account, kind):
    # each icon would cost its retries' backoff: after 3 in a row the rest waits
    fake.add_fault(kind, match="icons", count=None)
    r = archiver.sync("--retries", "0")
    assert r.returncode == 0, r.stderr
    users = archiver.load("users_cache.json")
    with_icon = {n for n in users if account.users[n].iconserver != "0"}
    report = archiver.load("sync_report.json")["avatars"]
    assert len(report["failed"]) == 3 and report["postponed"] == len(with_icon) - 3
    assert report["archived"] == report["downloaded"] == 0
    assert len(fake.icon_requests) == 3  # libcurl may resend a dropped request once
    assert f"3 failed, {len(with_icon) - 3} not tried (will retry on the next run)" in r.stderr
    assert "3 avatar downloads failed in a row" in r.stderr
    assert not list(archiver.archive.glob("avatars/*.jpg"))
    fake.clear_faults()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_avatars(archiver, account)


def test_hostile_nsids_and_iconservers_touch_no_path(archiver, fake, account, tmp_path):
    photo = account.photo(account.special["many_comments"])
    hostile = ["../x", "a/b", "../../../../../../tmp/evil", "12345678@N00/../../y", ".jpg",
               "12345678@N00\n"]

    def poison(comments):
        for c, author in zip(comments["comment"], hostile):
            c["author"] = author
        # a real NSID shape with an iconserver that is not a number
        comments["comment"][len(hostile)].update(author="99999999@N01", iconserver="1/../../z",
                                                 iconfarm="2.evil.example/")

    fake.mutate_photo(photo.id, poison, method=COMMENTS)
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    users = archiver.load("users_cache.json")
    assert set(hostile) | {"99999999@N01"} <= set(users)
    report = archiver.load("sync_report.json")["avatars"]
    assert report["skipped_invalid"] == len(hostile) + 1 and report["failed"] == []
    names = {p.name for p in archiver.archive.joinpath("avatars").iterdir()}
    assert all(re.fullmatch(r"\d+@N\d+\.jpg", n) for n in names - {"manifest-sha256.txt"})
    assert not [p for p in tmp_path.rglob("*") if p.name in ("x", "x.jpg", "y.jpg", "z", "b.jpg",
                                                             "evil.jpg", "evil")]
    assert not list(archiver.archive.glob("*.jpg"))
    for nsid in list(hostile) + ["99999999@N01"]:
        assert "avatar" not in users[nsid] and "avatar_default" not in users[nsid], nsid
    # the sync went on: everyone else's icon is there
    for nsid, u in users.items():
        user = account.users.get(nsid)
        if user and user.iconserver != "0":
            assert archiver.archive.joinpath(u["avatar"]).read_bytes() == \
                buddy_icon(nsid, user.iconserver)


def test_static_url_is_checked(archiver, fake):
    for value, why in (("ftp://127.0.0.1", "FLICKR_STATIC_URL must be"),
                       (fake.url + "/static", "FLICKR_STATIC_URL must be"),
                       ("http://user@host", "FLICKR_STATIC_URL must be")):
        r = archiver.sync(env=archiver.env(FLICKR_STATIC_URL=value))
        assert r.returncode == 2, (value, r.stderr)
        [line] = error_lines(r.stderr)
        assert why in line, line
    # plain http only beside a plain-http API (a local test server), as for the API itself
    r = archiver.sync(env=archiver.env(FLICKR_API_URL="https://127.0.0.1:9/services/rest"))
    assert r.returncode == 2
    [line] = error_lines(r.stderr)
    assert "FLICKR_STATIC_URL may be http only when FLICKR_API_URL is http" in line
    assert fake.total_api_calls == 0 and not fake.media_requests



@pytest.mark.parametrize("static_url", ["http://icons.invalid", "http://127.0.0.1:1"])
def test_a_static_host_that_cannot_be_resolved_or_reached_costs_three_tries(
        archiver, fake, account, static_url):
    # a machine without DNS: every icon waited for its own resolver failure, one after
    # another; now three in a row (one at a time until the host answers) and the rest waits
    r = archiver.sync(env=archiver.env(FLICKR_STATIC_URL=static_url))
    assert r.returncode == 0, r.stderr
    users = archiver.load("users_cache.json")
    with_icon = {n for n in users if account.users[n].iconserver != "0"}
    report = archiver.load("sync_report.json")["avatars"]
    assert len(report["failed"]) == 3 and report["postponed"] == len(with_icon) - 3
    assert "3 avatar downloads failed in a row" in r.stderr
    assert fake.icon_requests == {}
    assert archiver.load("sync_report.json")["failed"] == []
