"""Re-syncing: only what changed costs API calls, and nothing Flickr drops leaves the archive."""
import math

import pytest

from conftest import ACCOUNT_METHODS, verify_archive

T0 = 1_790_000_000           # first sync (FLICKR_ARCHIVE_FAKE_NOW)
T1 = T0 + 30 * 86_400        # the re-sync, a month later
EDIT = T0 + 10 * 86_400      # when things changed on Flickr


def sync_at(archiver, when, *extra):
    r = archiver.sync(*extra, env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=when))
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture
def synced(archiver, fake, account):
    """The sample account archived once at T0; counters reset."""
    sync_at(archiver, T0)
    fake.reset_counters()
    return archiver


def meta(archiver, kind, pid):
    return archiver.load(kind, pid, "metadata.json")


def history_of(m, field):
    return [h["value"] for h in m.get("history", []) if h["field"] == field]


def test_unchanged_account_costs_listing_calls_only(synced, fake, account):
    n = len(account.photos) + len(account.favorites)
    before = {p: p.read_bytes() for p in synced.archive.rglob("*")
              if p.is_file() and ".flickr-archive" not in p.parts and p.name != "sync_report.json"}
    r = sync_at(synced, T1)
    assert fake.total_api_calls <= n / 500 + 10, dict(fake.calls)
    # login, the album list, one page of photos, one page of favorites; the account's
    # structure has its own budget (test_account.py)
    photo_calls = {m: c for m, c in fake.calls.items() if m not in ACCOUNT_METHODS}
    assert photo_calls == {"flickr.test.login": 1, "flickr.photosets.getList": 1,
                           "flickr.people.getPhotos": 1, "flickr.favorites.getList": 1}
    assert not fake.media_requests
    assert f"{n} already complete" in r.stderr
    after = {p: p.read_bytes() for p in before}
    assert after == before, "an unchanged account must not rewrite the archive"
    verify_archive(synced, account)


def test_resync_cost_grows_with_pages_not_photos(tmp_path):
    from conftest import Archiver
    from fake_flickr import FakeFlickr, generate_account
    big = generate_account(1_150, seed=7)
    with FakeFlickr(big) as fake:
        archiver = Archiver(fake, tmp_path)
        sync_at(archiver, T0, "--no-favorites")
        fake.reset_counters()
        sync_at(archiver, T1, "--no-favorites")
        n = len(big.photos)
        assert fake.calls["flickr.people.getPhotos"] == math.ceil(n / 500)
        assert fake.total_api_calls <= n / 500 + 10, dict(fake.calls)


def test_edited_title_description_and_tags_keep_earlier_values(synced, fake, account):
    pid = account.public
    old = meta(synced, "my_photos", pid)
    account.edit(pid, EDIT, title="Grandpa Joe, summer 1962", description="Found the date!",
                 tags=["grandpa", "1962"])
    sync_at(synced, T1)
    m = meta(synced, "my_photos", pid)
    assert m["title"] == "Grandpa Joe, summer 1962"
    assert m["description"] == "Found the date!"
    assert m["tags"] == ["grandpa", "1962"]
    assert history_of(m, "title") == [old["title"]]
    assert history_of(m, "description") == [old["description"]]
    assert history_of(m, "tags") == [old["tags"]]
    h = next(h for h in m["history"] if h["field"] == "title")
    assert h["replaced_at"] == T1 and h["replaced_at_formatted"].endswith("Z")
    # only the edited photo was asked about, and its media was not fetched again
    assert fake.calls["flickr.photos.getInfo"] == 1
    assert not fake.media_requests
    index = {e["id"]: e for e in synced.load("my_photos_index.json")}
    assert index[pid]["title"] == "Grandpa Joe, summer 1962"
    # a second edit adds to the history, keeping the first
    account.edit(pid, T1 + 10, title="Grandpa Joe")
    sync_at(synced, T1 + 86_400)
    assert history_of(meta(synced, "my_photos", pid), "title") == [
        old["title"], "Grandpa Joe, summer 1962"]


def test_new_and_removed_comments(synced, fake, account):
    pid = account.many_comments
    photo = account.photo(pid)
    gone = photo.comments[3]
    before = {c["id"]: c for c in synced.load("my_photos", pid, "comments.json")}
    account.remove_comment(pid, gone.id, EDIT)
    new = account.add_comment(pid, account.owner.nsid, "Remember this day? ❤", EDIT + 60)
    sync_at(synced, T1)
    comments = synced.load("my_photos", pid, "comments.json")
    by_id = {c["id"]: c for c in comments}
    assert set(by_id) == set(before) | {new.id}
    assert by_id[new.id]["text"] == "Remember this day? ❤"
    assert "removed" not in by_id[new.id]
    kept = by_id[gone.id]
    assert kept["removed"] is True and kept["text"] == before[gone.id]["text"]
    assert kept["last_seen"] == T0
    assert sum(1 for c in comments if c.get("removed")) == 1
    # still in Flickr's (chronological) order, the removed one in its place
    dates = [int(c["date_created"]) for c in comments]
    assert dates == sorted(dates)
    assert meta(synced, "my_photos", pid)["count_comments"] == len(photo.comments)
    # and it stays marked, with the same date, on later syncs
    account.add_comment(pid, account.owner.nsid, "one more", T1 + 100)
    sync_at(synced, T1 + 86_400)
    again = {c["id"]: c for c in synced.load("my_photos", pid, "comments.json")}
    assert again[gone.id]["removed"] is True and again[gone.id]["last_seen"] == T0


def test_comment_of_a_closed_account_keeps_its_author(synced, fake, account):
    pid = account.many_comments
    photo = account.photo(pid)
    author = account.user(photo.comments[0].author)
    before = synced.load("my_photos", pid, "comments.json")[0]
    author.is_deleted = True
    author.realname = ""
    account.edit(pid, EDIT)
    sync_at(synced, T1)
    after = synced.load("my_photos", pid, "comments.json")[0]
    assert after["author_is_deleted"] is True
    assert after["realname"] == before["realname"] != ""
    assert synced.load("users_cache.json")[author.nsid]["realname"] == before["realname"]


def test_people_keep_their_names_when_a_later_record_lacks_them(synced, fake, account):
    """users_cache.json knows every name any record ever gave: a record without one (a fave
    has no path_alias; a closed account's comment no realname) never erases it."""
    pid = account.many_comments
    author = account.user(account.photo(pid).comments[0].author)
    author.realname = None
    author.path_alias = None
    account.edit(pid, EDIT)
    sync_at(synced, T1)
    users = synced.load("users_cache.json")
    lost = set()
    for path in synced.archive.glob("*/*/*.json"):
        data = synced.load(path.parts[-3], path.parts[-2], path.name)
        if path.name == "metadata.json":
            records = [data.get("owner") or {}, *data.get("people", [])]
        elif path.name in ("comments.json", "favorites.json"):
            records = data
        else:
            continue
        for rec in records:
            nsid = rec.get("author") or rec.get("nsid")
            for key in ("realname", "path_alias"):
                if rec.get(key) and not users[nsid].get(key):
                    lost.add((nsid, key))
    assert not lost


def test_new_and_withdrawn_faves(synced, fake, account):
    pid = account.many_faves
    photo = account.photo(pid)
    withdrawn = photo.faves[5].nsid
    newcomers = [u for u in account.users if u not in {f.nsid for f in photo.faves}
                 and u != account.owner.nsid][:2]
    account.remove_fave(pid, withdrawn)
    for k, nsid in enumerate(newcomers):
        account.add_fave(pid, nsid, EDIT + k)
    sync_at(synced, T1)
    faves = synced.load("my_photos", pid, "favorites.json")
    by_nsid = {f["nsid"]: f for f in faves}
    assert len(faves) == 132
    assert by_nsid[withdrawn]["removed"] is True and by_nsid[withdrawn]["last_seen"] == T0
    assert all("removed" not in by_nsid[n] for n in newcomers)
    dates = [int(f["favedate"]) for f in faves]
    assert dates == sorted(dates, reverse=True)
    assert meta(synced, "my_photos", pid)["count_faves"] == 131
    # only this photo's faves were fetched again (3 pages of 50)
    assert fake.calls["flickr.photos.getFavorites"] == 3


def test_photo_deleted_upstream_stays_marked(synced, fake, account):
    pid = account.geo
    files = sorted(p.name for p in synced.item_dir("my_photos", pid).iterdir())
    account.delete_photo(pid)
    r = sync_at(synced, T1)
    assert "no longer on Flickr" in r.stderr
    assert sorted(p.name for p in synced.item_dir("my_photos", pid).iterdir()) == files
    m = meta(synced, "my_photos", pid)
    # Flickr's code 1 is "not found or not permitted": it does not say deleted
    assert m["upstream"]["status"] == "unavailable" and m["upstream"]["flickr_error"] == 1
    assert m["upstream"]["last_seen"] == T0
    assert m["upstream"]["detected_at"] == T1
    assert m["location"] is not None and m["title"]
    index = {e["id"]: e for e in synced.load("my_photos_index.json")}
    assert index[pid]["upstream"]["status"] == "unavailable"
    # confirmed with one getInfo, and not asked again next time
    assert fake.calls["flickr.photos.getInfo"] == 1
    fake.reset_counters()
    sync_at(synced, T1 + 86_400)
    assert fake.calls["flickr.photos.getInfo"] == 0
    assert meta(synced, "my_photos", pid)["upstream"]["detected_at"] == T1
    for album in synced.load("albums_index.json"):
        if pid in album.get("photo_ids", []):
            pytest.fail("the album listing should reflect Flickr's current membership")


def test_a_listing_glitch_marks_nothing(synced, fake, account):
    """A photo missing from the listing but still on Flickr is not marked deleted."""
    pid = account.public
    photo = account.photo(pid)
    account.photos.remove(photo)
    account.elsewhere.append(photo)
    account.touch()
    sync_at(synced, T1)
    assert "upstream" not in meta(synced, "my_photos", pid)


def test_unfavorited_and_new_favorite(synced, fake, account):
    old_fav = account.favorites[0][0].id
    account.unfavorite(old_fav)
    newcomer = account.photo(account.public)   # any photo object will do as a template
    from dataclasses import replace
    new_fav = replace(newcomer, id="99000000001", owner=list(account.users)[3],
                      title="A new favorite", comments=[], faves=[])
    account.add_favorite(new_fav, EDIT)
    sync_at(synced, T1)
    m = meta(synced, "favorited_photos", old_fav)
    assert m["upstream"]["status"] == "unfavorited"
    assert (synced.item_dir("favorited_photos", old_fav) / "complete.flag").is_file()
    new = meta(synced, "favorited_photos", "99000000001")
    assert new["title"] == "A new favorite"
    index = {e["id"] for e in synced.load("favorites_index.json")}
    assert {old_fav, "99000000001"} <= index


def test_refavorited_photo_loses_its_mark(synced, fake, account):
    photo, account_fave_date_before = account.favorites[0]
    account.unfavorite(photo.id)
    sync_at(synced, T1)
    assert meta(synced, "favorited_photos", photo.id)["upstream"]["status"] == "unfavorited"
    account.elsewhere.remove(photo)
    account.add_favorite(photo, T1 + 5)
    sync_at(synced, T1 + 86_400)
    m = meta(synced, "favorited_photos", photo.id)
    assert "upstream" not in m
    assert history_of(m, "upstream")[0]["status"] == "unfavorited"
    assert m["date_faved"] == str(T1 + 5)
    assert history_of(m, "date_faved") == [str(account_fave_date_before)]


def test_album_changes_cost_one_album_listing(synced, fake, account):
    album = account.albums[1]
    pid = next(p.id for p in account.photos if p.id not in album.photo_ids)
    account.add_to_album(album.id, pid, EDIT)
    sync_at(synced, T1)
    assert fake.calls["flickr.photosets.getPhotos"] == 1
    m = meta(synced, "my_photos", pid)
    assert {"id": album.id, "title": album.title} in m["albums"]
    assert history_of(m, "albums")
    entry = next(a for a in synced.load("albums_index.json") if a["id"] == album.id)
    assert entry["photo_ids"][-1] == pid


def test_album_deleted_upstream_is_kept(synced, fake, account):
    album = account.albums.pop(0)
    account.touch()
    sync_at(synced, T1)
    albums = {a["id"]: a for a in synced.load("albums_index.json")}
    assert albums[album.id]["upstream"]["status"] == "deleted"
    assert albums[album.id]["photo_ids"] == album.photo_ids
    assert len(albums) == 3
    # asked once to be sure, and never again once marked
    assert fake.calls["flickr.photosets.getInfo"] == 1
    fake.reset_counters()
    sync_at(synced, T1 + 86_400)
    assert "flickr.photosets.getInfo" not in fake.calls
    assert synced.load("albums_index.json")[-1]["upstream"]["status"] == "deleted"


def test_album_back_on_flickr_keeps_its_mark_in_history(synced, fake, account):
    album = account.albums.pop(0)
    account.touch()
    sync_at(synced, T1)
    account.albums.insert(0, album)
    account.touch()
    sync_at(synced, T1 + 86_400)
    entry = next(a for a in synced.load("albums_index.json") if a["id"] == album.id)
    assert "upstream" not in entry
    past = [h["value"] for h in entry["history"] if h["field"] == "upstream"]
    assert past[0]["status"] == "deleted"


def test_an_unlisted_album_is_not_marked_on_a_transient_error(synced, fake, account):
    album = account.albums.pop(0)
    account.touch()
    fake.add_fault("error105", match="flickr.photosets.getInfo", count=None)
    sync_at(synced, T1)
    entry = next(a for a in synced.load("albums_index.json") if a["id"] == album.id)
    assert "upstream" not in entry
    fake.clear_faults()
    sync_at(synced, T1 + 86_400)
    entry = next(a for a in synced.load("albums_index.json") if a["id"] == album.id)
    assert entry["upstream"]["status"] == "deleted"


def test_views_follow_the_listing_without_api_calls(synced, fake, account):
    pid = account.public
    account.photo(pid).views += 42
    account.touch()
    sync_at(synced, T1)
    assert meta(synced, "my_photos", pid)["views"] == account.photo(pid).views
    assert "flickr.photos.getInfo" not in fake.calls


def test_refresh_fetches_everything_and_loses_nothing(synced, fake, account):
    """A change Flickr does not signal (no lastupdate, same counts) needs --refresh."""
    pid = account.many_comments
    comment = account.photo(pid).comments[0]
    was = comment.text
    comment.text = "edited quietly"
    account.touch()
    sync_at(synced, T1)
    assert synced.load("my_photos", pid, "comments.json")[0]["text"] == was
    sync_at(synced, T1 + 1, "--refresh")
    # --refresh lists the galleries again, and their photos are fetched again too
    n = len(account.photos) + len(account.favorites) + \
        sum(len(g.photos) for g in account.galleries)
    assert fake.calls["flickr.photos.getInfo"] == n
    assert not fake.media_requests
    first = synced.load("my_photos", pid, "comments.json")[0]
    assert first["text"] == "edited quietly"
    assert first["history"][0]["value"] == was


def test_refresh_of_an_unchanged_account_records_no_edit(synced, fake, account):
    """Everything fetched again and nothing changed: no history anywhere (coordinates such as
    51.64 + 0.09 read back from metadata.json must equal the ones just fetched)."""
    sync_at(synced, T1, "--refresh")
    edited = {}
    for path in synced.archive.glob("*/*/*.json"):
        data = synced.load(path.parts[-3], path.parts[-2], path.name)
        entries = data if isinstance(data, list) else [data]
        fields = [h.get("field", "entry") for x in entries if isinstance(x, dict)
                  for h in x.get("history", [])]
        if fields:
            edited[f"{path.parts[-2]}/{path.name}"] = fields
    assert not edited


def test_original_offered_later_is_fetched_and_the_smaller_file_kept(archiver, fake, account):
    """A free account's photo archived at its largest size; after going Pro the original arrives."""
    from conftest import expected_photo_media
    pid = account.public
    photo = account.photo(pid)
    photo.original_available = False
    account.touch()
    synced = archiver
    sync_at(synced, T0)
    before = synced.load("my_photos", pid, "sizes.json")
    assert before["original_available"] is False
    small = (synced.item_dir("my_photos", pid) / "original.jpg").read_bytes()
    photo.original_available = True
    account.touch()
    sync_at(synced, T1)
    name, data, label = expected_photo_media(photo)
    assert label == "Original"
    item = synced.item_dir("my_photos", pid)
    assert (item / name).read_bytes() == data
    assert (item / f"replaced-{T1}-original.jpg").read_bytes() == small
    sizes = synced.load("my_photos", pid, "sizes.json")
    assert sizes["original_available"] is True and sizes["archived"]["original"] is True
    assert sizes["replaced"][0]["file"] == f"replaced-{T1}-original.jpg"
    assert sizes["replaced"][0]["original"] is False
    assert meta(synced, "my_photos", pid)["original_archived"] is True
    # and it is settled: the next sync fetches nothing for it
    fake.reset_counters()
    sync_at(synced, T1 + 86_400)
    assert "flickr.photos.getInfo" not in fake.calls and not fake.media_requests


def test_replaced_photo_keeps_the_earlier_original(synced, fake, account):
    pid = account.png
    item = synced.item_dir("my_photos", pid)
    old = (item / "original.png").read_bytes()
    account.edit(pid, EDIT, original_secret="0123456789", original_format="jpg")
    sync_at(synced, T1)
    assert (item / f"replaced-{T1}-original.png").read_bytes() == old
    assert not (item / "original.png").exists()
    assert (item / "original.jpg").stat().st_size > 0
    sizes = synced.load("my_photos", pid, "sizes.json")
    assert "0123456789" in sizes["archived"]["source"]
    assert [r["file"] for r in sizes["replaced"]] == [f"replaced-{T1}-original.png"]
    # a later refresh carries the record of the replaced file along
    account.edit(pid, T1 + 10, title="New title")
    sync_at(synced, T1 + 86_400)
    sizes = synced.load("my_photos", pid, "sizes.json")
    assert [r["file"] for r in sizes["replaced"]] == [f"replaced-{T1}-original.png"]


def test_a_failed_upgrade_keeps_the_record_and_retries(archiver, fake, account):
    """The original is offered, its download fails: nothing is claimed, the next run gets it."""
    from conftest import expected_photo_media
    photo = account.photo(account.public)
    photo.original_available = False
    account.touch()
    sync_at(archiver, T0)
    item = archiver.item_dir("my_photos", photo.id)
    small = (item / "original.jpg").read_bytes()
    photo.original_available = True
    account.touch()
    fake.add_fault("http500", match="media", count=None)
    r = archiver.sync(env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=T1))
    assert r.returncode == 1, r.stderr
    sizes = archiver.load("my_photos", photo.id, "sizes.json")
    assert sizes["archived"]["original"] is False
    assert "replaced" not in sizes
    assert (item / "original.jpg").read_bytes() == small
    assert not list(item.glob("replaced-*"))
    fake.clear_faults()
    sync_at(archiver, T1 + 60)
    name, data, _ = expected_photo_media(photo)
    assert (item / name).read_bytes() == data
    assert archiver.load("my_photos", photo.id, "sizes.json")["archived"]["original"] is True


def test_an_archive_of_the_original_tool_is_completed(synced, fake, account):
    """The Python tool's records (no last_update, its own sizes.json) are refreshed once, kept."""
    import json
    pid = account.public
    item = synced.item_dir("my_photos", pid)
    m = meta(synced, "my_photos", pid)
    seed_meta = {k: m[k] for k in ("id", "title", "description", "date_uploaded",
                                   "date_uploaded_formatted", "date_taken", "tags", "views",
                                   "location", "albums", "media")}
    (item / "metadata.json").write_text(json.dumps(seed_meta))
    large = {"label": "Large", "width": 1024, "height": 768,
             "source": "https://live.staticflickr.com/1/x_b.jpg"}
    (item / "sizes.json").write_text(json.dumps({"original": large, "all_sizes": [large]}))
    (item / "favorites.json").write_text(json.dumps(
        synced.load("my_photos", pid, "favorites.json")[:1]))
    (item / "manifest-sha256.txt").unlink()    # the tool wrote none: nothing to hold them to
    sync_at(synced, T1)
    assert fake.calls["flickr.photos.getInfo"] == 1
    sizes = synced.load("my_photos", pid, "sizes.json")
    assert sizes["all_sizes"] == [large]             # the tool's own keys are kept
    assert sizes["archived"]["original"] is True      # the original replaced the Large
    assert sizes["replaced"][0]["label"] == "Large"
    assert (item / f"replaced-{T1}-original.jpg").is_file()
    assert meta(synced, "my_photos", pid)["last_update"]


def test_a_transient_error_while_checking_marks_nothing(synced, fake, account):
    pid = account.geo
    account.delete_photo(pid)
    fake.add_fault("error105", match="flickr.photos.getInfo", count=None)
    r = synced.sync(env=synced.env(FLICKR_ARCHIVE_FAKE_NOW=T1))
    assert r.returncode == 0, r.stderr
    assert "will ask again" in r.stderr
    assert "upstream" not in meta(synced, "my_photos", pid)
    fake.clear_faults()
    sync_at(synced, T1 + 86_400)
    up = meta(synced, "my_photos", pid)["upstream"]
    # last seen is still the last listing that had it, not the failed run
    assert up["status"] == "unavailable" and up["last_seen"] == T0
