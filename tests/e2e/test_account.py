"""The account's structure (issue 15): profile, collections, galleries, groups, contacts."""
import json

import pytest

from conftest import verify_archive

T0 = 1_790_000_000
T1 = T0 + 30 * 86_400
ACCOUNT_FILES = ("profile.json", "collections.json", "galleries_index.json",
                 "groups_index.json", "contacts.json")


def sync_at(archiver, when, *extra, ok=(0,)):
    r = archiver.sync(*extra, env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=when))
    assert r.returncode in ok, r.stderr
    return r


@pytest.fixture
def synced(archiver, fake):
    sync_at(archiver, T0)
    fake.reset_counters()
    return archiver


def test_first_sync_writes_every_structure(synced, account):
    a = synced
    prof = a.load("profile.json")
    assert (prof["nsid"], prof["realname"], prof["first_name"], prof["city"]) == \
        (account.owner.nsid, "Margaret Hughes", "Margaret", "Bristol")
    assert prof["website"] == account.profile.website
    assert prof["join_date"] == "1154390400" and prof["join_date_formatted"] == \
        "2006-08-01T00:00:00Z"
    assert prof["description"] == account.profile.description and prof["count_photos"] == len(account.photos)

    tree = a.load("collections.json")["collections"]
    assert [c["title"] for c in tree] == ["Family"]
    assert [c["title"] for c in tree[0]["collections"]] == ["Holidays", "Children"]
    holidays = tree[0]["collections"][0]
    assert [al["id"] for al in holidays["albums"]] == \
        [account.albums[0].id, account.albums[2].id]
    assert holidays["iconlarge"].endswith("_l.jpg")

    galleries = a.load("galleries_index.json")["galleries"]
    assert len(galleries) == 1 and galleries[0]["title"] == "Places we have been"
    photos = galleries[0]["photos"]
    assert [p["id"] for p in photos] == [pid for pid, _ in account.galleries[0].photos]
    assert [p["comment"] for p in photos] == [c for _, c in account.galleries[0].photos]
    assert galleries[0]["photos_complete"] is True

    groups = {g["name"]: g for g in a.load("groups_index.json")["groups"]}
    bristol = groups["Bristol Photographers"]
    assert sorted(bristol["photo_ids"]) == sorted(account.groups[0].pool_ids)
    assert bristol["description"] == account.groups[0].description
    assert bristol["members"] == 4211 and bristol["pool_count"] == 18347
    assert groups["Cats of Flickr"]["photo_ids"] == []

    contacts = {c["nsid"]: c for c in a.load("contacts.json")["contacts"]}
    assert len(contacts) == len(account.contacts)
    tom = contacts["61728349@N02"]
    assert (tom["realname"], tom["friend"], tom["family"]) == ("Tom Hughes", True, True)

    report = a.load("sync_report.json")
    assert report["account"] == {"collections": 3, "galleries": 1, "groups": 3,
                                 "contacts": 7, "refused": []}
    listings = {e["listing"]: e for e in report["completeness"]}
    for name in ("galleries", "groups", "contacts", "pool of group 34427469792@N01",
                 "gallery " + account.galleries[0].id):
        assert listings[name]["complete"], name
    manifest = a.archive.joinpath("manifest-sha256.txt").read_text()
    for name in ACCOUNT_FILES:
        assert f" {name}\n" in manifest, name


def test_owner_and_contacts_avatars_archived(synced, account):
    users = synced.load("users_cache.json")
    for c in account.contacts:
        assert c.nsid in users, c.nsid
    verify_archive(synced, account)   # every user's icon, the contacts' included


def test_unchanged_resync_budget(synced, fake, account):
    """A re-sync of the unchanged sample account: at most 4 + (groups + galleries + 2)."""
    before = {n: synced.archive.joinpath(n).read_bytes() for n in ACCOUNT_FILES}
    sync_at(synced, T1)
    budget = 4 + (len(account.groups) + len(account.galleries) + 2)
    assert fake.total_api_calls <= budget, dict(fake.calls)
    # what the structure costs: one call each, no gallery or pool listed again
    assert fake.calls["flickr.galleries.getPhotos"] == 0
    assert fake.calls["flickr.groups.pools.getPhotos"] == 0
    assert fake.calls["flickr.groups.getInfo"] == 0
    assert {n: synced.archive.joinpath(n).read_bytes() for n in ACCOUNT_FILES} == before


def test_changes_are_listed_and_nothing_is_lost(synced, fake, account):
    gallery, group = account.galleries[0], account.groups[1]
    gone_photo = gallery.photos.pop(0)[0]
    gallery.photos[0] = (gallery.photos[0][0], "Now with a comment")
    gallery.date_update += 100
    group.pool_ids.append(account.public)
    account.contacts.pop()           # no longer a contact
    account.groups.pop()             # left "Cats of Flickr"
    account.profile.city = "Bath"
    account.collections[0].children.pop()   # "Children" deleted
    sync_at(synced, T1)
    assert fake.calls["flickr.galleries.getPhotos"] == 1
    assert fake.calls["flickr.groups.pools.getPhotos"] == 1   # only the group that moved

    prof = synced.load("profile.json")
    assert prof["city"] == "Bath"
    assert {"field": "city", "value": "Bristol"}.items() <= prof["history"][0].items()

    g = synced.load("galleries_index.json")["galleries"][0]
    gone = next(p for p in g["photos"] if p["id"] == gone_photo)
    assert gone["upstream"]["status"] == "removed_from_gallery"
    assert g["photos"][0]["comment"] == "Now with a comment"
    assert g["photos"][0]["history"][0]["value"] == ""

    groups = {x["nsid"]: x for x in synced.load("groups_index.json")["groups"]}
    assert account.public in groups[group.nsid]["photo_ids"]
    assert groups["52241313@N00"]["upstream"]["status"] == "not_a_member"

    contacts = synced.load("contacts.json")["contacts"]
    assert len(contacts) == 7
    assert contacts[-1]["upstream"]["status"] == "no_longer_a_contact"

    tree = synced.load("collections.json")["collections"]
    children = next(c for c in tree if c["title"] == "Children")
    assert children["upstream"]["status"] == "deleted"
    assert [a["id"] for a in children["albums"]] == [account.albums[1].id]


@pytest.mark.parametrize("code", [99, 112])
def test_refused_methods_are_warnings(archiver, fake, account, code):
    sync_at(archiver, T0)
    before = {n: archiver.archive.joinpath(n).read_bytes() for n in ACCOUNT_FILES}
    fake.refused_methods = {m: code for m in (
        "flickr.profile.getProfile", "flickr.collections.getTree", "flickr.galleries.getList",
        "flickr.people.getGroups", "flickr.contacts.getList", "flickr.people.getInfo")}
    account.profile.city = "Bath"
    r = sync_at(archiver, T1)
    assert "flickr.contacts.getList" in r.stderr and "keeps what it had" in r.stderr
    assert {n: archiver.archive.joinpath(n).read_bytes() for n in ACCOUNT_FILES} == before
    refused = archiver.load("sync_report.json")["account"]["refused"]
    assert len(refused) == 5   # getInfo refused: the profile is not asked further


def test_structure_pages(archiver, fake, account):
    fake.account_max_per_page = 1
    sync_at(archiver, T0)
    assert fake.calls["flickr.contacts.getList"] == len(account.contacts)
    assert len(archiver.load("contacts.json")["contacts"]) == len(account.contacts)
    groups = {g["nsid"]: g for g in archiver.load("groups_index.json")["groups"]}
    assert sorted(groups["34427469792@N01"]["photo_ids"]) == sorted(account.groups[0].pool_ids)
    assert len(archiver.load("galleries_index.json")["galleries"][0]["photos"]) == 3


def test_metadata_lists_its_groups_and_search_finds_them(synced, fake, account):
    group = account.groups[0]
    for pid in group.pool_ids:
        m = synced.load("my_photos", pid, "metadata.json")
        assert {"id": group.nsid, "name": group.name} in m["groups"], pid
    outside = next(p.id for p in account.photos
                   if all(p.id not in g.pool_ids for g in account.groups))
    assert "groups" not in synced.load("my_photos", outside, "metadata.json")
    r = synced.run("search", "--archive", str(synced.archive), "--json", "Bristol Photographers",
                   env=synced.env(credentials=False))
    assert r.returncode == 0, r.stderr
    found = {hit["id"] for hit in json.loads(r.stdout)}
    assert set(group.pool_ids) <= found

    # an item leaves the pool: its groups keep the earlier list in history
    left = group.pool_ids.pop()
    group.others_in_pool += 5       # the count moves, so the pool is listed again
    sync_at(synced, T1)
    m = synced.load("my_photos", left, "metadata.json")
    assert m["groups"] == []
    assert any(h["field"] == "groups" for h in m["history"])
    assert synced.run("verify", "--archive", str(synced.archive)).returncode == 0


def test_gallery_photos_archived_as_favorites_sharing_the_download(archiver, fake, account):
    sync_at(archiver, T0)
    gallery_dir = archiver.archive / "gallery_photos"
    ids = [pid for pid, _ in account.galleries[0].photos]
    assert sorted(p.name for p in gallery_dir.iterdir()) == sorted(ids)
    for pid in ids:
        d = gallery_dir / pid
        for name in ("metadata.json", "comments.json", "favorites.json", "sizes.json",
                     "manifest-sha256.txt", "complete.flag", "original.jpg"):
            assert (d / name).is_file(), f"{pid}/{name}"
        assert archiver.load("gallery_photos", pid, "metadata.json")["id"] == pid
    fav = account.gallery_favorite
    shared = gallery_dir / fav / "original.jpg"
    assert shared.samefile(archiver.item_dir("favorited_photos", fav) / "original.jpg")
    # downloaded once, for the favorite
    assert sum(n for path, n in fake.media_requests.items() if f"/{fav}_" in path) == 1
    manifest = archiver.archive.joinpath("manifest-sha256.txt").read_text()
    assert f" gallery_photos/{fav}/original.jpg\n" in manifest
    r = archiver.run("verify", "--archive", str(archiver.archive))
    assert r.returncode == 0, r.stdout + r.stderr
    # an unchanged gallery whose photos are all archived is not listed again
    fake.reset_counters()
    sync_at(archiver, T1)
    assert fake.calls["flickr.galleries.getPhotos"] == 0 and not fake.media_requests


def test_a_gallery_photo_not_archived_yet_is_listed_again(archiver, fake, account):
    only = account.gallery_only
    fake.add_fault("http500", match=f"/static/8100/{only}_", count=None)
    sync_at(archiver, T0, ok=(0, 1))
    assert not (archiver.archive / "gallery_photos" / only / "complete.flag").exists()
    fake.clear_faults()
    fake.reset_counters()
    sync_at(archiver, T1)
    assert fake.calls["flickr.galleries.getPhotos"] == 1
    assert (archiver.archive / "gallery_photos" / only / "complete.flag").is_file()


def test_group_descriptions_come_when_first_seen_or_missing(archiver, fake, account):
    """groups.getInfo is asked for a group's description when it is first seen, or has none
    yet (refused before); never again for an unchanged group without --refresh."""
    from fake_flickr.account import Group
    fake.refused_methods = {"flickr.groups.getInfo": 99}
    sync_at(archiver, T0)
    groups = archiver.load("groups_index.json")["groups"]
    assert [g.get("description") for g in groups] == [None] * len(account.groups)
    fake.refused_methods = {}
    fake.reset_counters()
    sync_at(archiver, T1)
    assert fake.calls["flickr.groups.getInfo"] == len(account.groups)
    groups = {g["nsid"]: g for g in archiver.load("groups_index.json")["groups"]}
    assert {n: g["description"] for n, g in groups.items()} == \
        {g.nsid: g.description for g in account.groups}
    # a group joined since: its description only
    joined = Group("73312119@N00", "Harbours of the South West", "Boats, quays and <i>tides</i>.",
                   members=310)
    account.groups.append(joined)
    account.touch()
    fake.reset_counters()
    sync_at(archiver, T1 + 86_400)
    assert fake.calls["flickr.groups.getInfo"] == 1
    groups = {g["nsid"]: g for g in archiver.load("groups_index.json")["groups"]}
    assert groups[joined.nsid]["description"] == joined.description
    # unchanged: within the budget, no description asked again
    fake.reset_counters()
    sync_at(archiver, T1 + 2 * 86_400)
    assert fake.calls["flickr.groups.getInfo"] == 0
    assert fake.total_api_calls <= 4 + (len(account.groups) + len(account.galleries) + 2), \
        dict(fake.calls)


def test_the_summary_says_what_the_account_holds(archiver, account):
    r = sync_at(archiver, T0)
    out = r.stdout + r.stderr
    collections = 3  # Family, and Holidays and Children in it
    assert (f"Account: {collections} collections, {len(account.galleries)} gallery, "
            f"{len(account.groups)} groups, {len(account.contacts)} contacts") in out
