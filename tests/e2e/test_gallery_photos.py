"""A gallery's photos are first-class items of the archive: archived under gallery_photos/<id>/
as favorites are, and shown, found and checked as favorites are (issue 15, gallery15):

- the site has a page for each gallery photo that is not a favorite (site/gallery-photo/<id>.html),
  with its thumbnail, comments, faves, EXIF, owner and the galleries that hold it; a gallery
  photo that is also a favorite is shown by the favorite's page (no second page);
- archive.db and the site's search find gallery photos, marked as such;
- their owners, commenters and favers are known people (users_cache.json, person pages);
- verify and the heal path of sync cover gallery_photos/, including a file it shares with a
  favorite by hard link.
"""
import json
import os

import pytest

from conftest import expected_photo_media, gallery_only_ids
from test_heal import verify
from test_site import check_links, load_search_index, read_page, snapshot, changed

COMMENTER = "77123456@N07"   # a person known only from a gallery photo's comment and fave


@pytest.fixture
def gallery_account(account):
    """The sample account, with someone new commenting on and faving the gallery-only photo."""
    account.add_user(COMMENTER, "harbourwatcher", realname="Harriet Harbour")
    account.add_comment(account.gallery_only, COMMENTER, "Lovely <b>light</b> here.", 1_600_000_000)
    account.add_fave(account.gallery_only, COMMENTER, 1_600_000_100)
    return account


@pytest.fixture
def synced(archiver, gallery_account):
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    return archiver


# ---- 1. the site ----------------------------------------------------------------------

def test_gallery_page_links_each_photo_to_its_local_page(synced, gallery_account):
    account, site = gallery_account, synced.archive / "site"
    gallery = account.galleries[0]
    page = read_page(site / "gallery" / f"{gallery.id}.html")
    only, fav = account.gallery_only, account.gallery_favorite
    for pid in gallery_only_ids(account):
        assert page.all("a", href=f"../gallery-photo/{pid}.html"), pid
        assert page.all("img", src=f"../thumbs/gallery-photo/{pid}.jpg"), pid
        assert (site / "thumbs" / "gallery-photo" / f"{pid}.jpg").is_file()
    # the one that is also a favorite: the favorite's page, and no second page
    assert page.all("a", href=f"../fave/{fav}.html")
    assert not (site / "gallery-photo" / f"{fav}.html").exists()
    # the flickr.com link stays, as the secondary link
    owner = gallery_account.photo(only).owner
    assert page.all("a", href=f"https://www.flickr.com/photos/{owner}/{only}/")
    check_links(synced.archive)


def test_gallery_photo_page_shows_what_the_archive_holds(synced, gallery_account):
    account, site = gallery_account, synced.archive / "site"
    only = account.gallery_only
    photo = account.photo(only)
    page = read_page(site / "gallery-photo" / f"{only}.html")
    assert photo.title in page.text and photo.description in page.text
    # the original, from the archive
    name, data, _ = expected_photo_media(photo)
    assert page.all("a", href=f"../../gallery_photos/{only}/{name}")
    assert (synced.archive / "gallery_photos" / only / name).read_bytes() == data
    # comments, faves, EXIF, the owner
    assert "Lovely" in page.text and "Harriet Harbour" in page.text
    assert page.all("a", href=f"../person/{COMMENTER}.html")
    assert "Canon EOS 5D Mark III" in page.text
    assert page.all("a", href=f"../person/{photo.owner}.html")
    # the galleries that hold it, linking back
    gallery = account.galleries[0]
    assert "In galleries" in page.text and gallery.title in page.text
    assert page.all("a", href=f"../gallery/{gallery.id}.html")
    # the favorite that is in the gallery says so too
    fave_page = read_page(site / "fave" / f"{account.gallery_favorite}.html")
    assert fave_page.all("a", href=f"../gallery/{gallery.id}.html")


def test_a_photo_removed_from_its_gallery_keeps_its_page(synced, gallery_account):
    account = gallery_account
    gallery, only = account.galleries[0], account.gallery_only
    gallery.photos = [(pid, c) for pid, c in gallery.photos if pid != only]
    gallery.date_update += 100
    account.touch()
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    site = synced.archive / "site"
    page = read_page(site / "gallery-photo" / f"{only}.html")
    assert page.all("a", href=f"../gallery/{gallery.id}.html")
    assert "removed from the gallery" in page.text
    assert read_page(site / "gallery" / f"{gallery.id}.html").all(
        "a", href=f"../gallery-photo/{only}.html")


def test_rebuilding_an_unchanged_site_writes_nothing(synced):
    before = snapshot(synced.archive)
    r = synced.run("site", "--archive", str(synced.archive))
    assert r.returncode == 0, r.stderr
    assert "0 pages written" in r.stdout + r.stderr
    assert changed(before, snapshot(synced.archive)) == []


# ---- 2. search ------------------------------------------------------------------------

def search_json(archiver, *query):
    r = archiver.run("search", "--archive", str(archiver.archive), "--json", *query)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_gallery_photos_are_found_and_marked(synced, gallery_account):
    account = gallery_account
    only = account.photo(account.gallery_only)
    owner = account.user(only.owner)
    for query in (only.title.split()[0], only.tags[0], owner.username):
        hits = [h for h in search_json(synced, query) if h["id"] == only.id]
        assert len(hits) == 1, query
        assert hits[0]["section"] == "gallery_photos"
        assert hits[0]["path"].endswith(f"gallery_photos/{only.id}")
    r = synced.run("search", "--archive", str(synced.archive), only.title.split()[0])
    assert f"{only.id} " in r.stdout and "[gallery photo]" in r.stdout
    # the gallery photo that is also a favorite is one hit: the favorite
    fav = account.photo(account.gallery_favorite)
    hits = [h for h in search_json(synced, fav.title) if h["id"] == fav.id]
    assert [h["section"] for h in hits] == ["favorited_photos"]
    # the site's search links to the local page
    items = load_search_index(synced.archive)["items"]
    assert ["gallery-photo", only.id] in [it[:2] for it in items]
    assert not [it for it in items if it[:2] == ["gallery-photo", fav.id]]


# ---- 3. people --------------------------------------------------------------------------

def test_gallery_photo_people_are_known(synced, gallery_account):
    account = gallery_account
    only = account.photo(account.gallery_only)
    users = synced.load("users_cache.json")
    assert COMMENTER in users and only.owner in users
    site = synced.archive / "site"
    who = read_page(site / "person" / f"{COMMENTER}.html")
    assert "Harriet Harbour" in who.text and "Lovely" in who.text
    assert who.all("a", href=f"../gallery-photo/{only.id}.html")
    owner = read_page(site / "person" / f"{only.owner}.html")
    assert owner.all("a", href=f"../gallery-photo/{only.id}.html")
    assert (synced.archive / "avatars" / f"{COMMENTER}.jpg").is_file() or \
        users[COMMENTER].get("avatar") is None


# ---- 4. verify and heal -----------------------------------------------------------------

def test_a_damaged_gallery_photo_is_found_and_healed(synced, gallery_account):
    only = gallery_account.gallery_only
    item = synced.item_dir("gallery_photos", only)
    good = (item / "original.jpg").read_bytes()
    (item / "original.jpg").write_bytes(b"not a jpeg")
    v = verify(synced)
    assert v.returncode == 1
    assert f"changed: gallery_photos/{only}/original.jpg" in v.stdout
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert f"gallery_photos/{only}/original.jpg is damaged" in r.stderr
    assert (item / "original.jpg").read_bytes() == good
    kept = [p for p in item.iterdir() if p.name.startswith("damaged-")]
    assert [p.read_bytes() for p in kept] == [b"not a jpeg"]
    assert verify(synced).returncode == 0


def test_a_damaged_file_shared_with_a_favorite_heals_in_both(synced, gallery_account, fake):
    fav = gallery_account.gallery_favorite
    fav_item = synced.item_dir("favorited_photos", fav)
    gal_item = synced.item_dir("gallery_photos", fav)
    assert (gal_item / "original.jpg").samefile(fav_item / "original.jpg")
    good = (fav_item / "original.jpg").read_bytes()
    # written in place: the one file both folders name is damaged
    with open(fav_item / "original.jpg", "r+b") as f:
        f.write(b"XXXX")
    v = verify(synced)
    assert v.returncode == 1
    assert f"changed: favorited_photos/{fav}/original.jpg" in v.stdout
    assert f"changed: gallery_photos/{fav}/original.jpg" in v.stdout
    fake.reset_counters()
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    for item in (fav_item, gal_item):
        assert (item / "original.jpg").read_bytes() == good, item
        assert [p.read_bytes()[:4] for p in item.iterdir()
                if p.name.startswith("damaged-")] == [b"XXXX"], item
    # repaired once, for the favorite: the gallery's name links to it again
    assert f"gallery_photos/{fav}/original.jpg is damaged; linked again" in r.stderr
    assert (gal_item / "original.jpg").samefile(fav_item / "original.jpg")
    assert sum(n for path, n in fake.media_requests.items() if f"/{fav}_" in path) == 1
    assert synced.load("sync_report.json")["repaired"] == 2
    v = verify(synced)
    assert v.returncode == 0, v.stdout
    # the gallery's name alone replaced (not written in place): the favorite stays whole
    (gal_item / "original.jpg").unlink()
    (gal_item / "original.jpg").write_bytes(b"YYYY")
    v = verify(synced)
    assert f"changed: gallery_photos/{fav}/original.jpg" in v.stdout
    assert f"changed: favorited_photos/{fav}" not in v.stdout
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert (fav_item / "original.jpg").read_bytes() == good
    assert (gal_item / "original.jpg").samefile(fav_item / "original.jpg")
    assert verify(synced).returncode == 0
