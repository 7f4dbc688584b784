"""The completeness ledger: every listing counted against what Flickr says exists.

Each test turns on one of the fake's listing quirks (tests/fake_flickr/README.md,
"Listing quirks"), then checks that the archive ends complete and that the summary
and sync_report.json tell the truth; what cannot be recovered is named, the sync
exits 1, and the next run (the quirk gone) completes.
"""
import json
import re

from conftest import assert_same_as_reference, verify_archive

SAFESEARCH = "https://www.flickr.com/account/prefs/safesearch"


def listed_line(stderr):
    lines = [line for line in stderr.splitlines() if line.startswith("Listed ")]
    assert len(lines) == 1, stderr
    return lines[0]


def expected_line(account, photos=None, favorites=None, albums=None, with_favorites=True,
                  photos_counted=None):
    n_photos = len(account.photos) if photos is None else photos
    n_faves = len(account.favorites) if favorites is None else favorites
    n_albums = len(account.albums) if albums is None else albums
    counted = len(account.photos) if photos_counted is None else photos_counted
    line = f"Listed {n_photos} of {counted} photos and videos"
    if with_favorites:
        line += f", {n_faves} of {len(account.favorites)} favorites"
    return line + f", {n_albums} of {len(account.albums)} albums"


def completeness(archiver):
    return {e["listing"]: e for e in archiver.load("sync_report.json")["completeness"]}


def assert_all_complete(archiver, account):
    report = completeness(archiver)
    assert all(e["complete"] for e in report.values()), report
    assert report["photostream"]["expected"] == report["photostream"]["got"] == \
        len(account.photos)
    assert report["favorites"]["got"] == len(account.favorites)
    assert report["albums"]["got"] == len(account.albums)
    members = sum(len(a.photo_ids) for a in account.albums)
    assert report["album members"] == {"listing": "album members", "expected": members,
                                       "got": members, "complete": True}


def windowed(fake, method):
    keys = {"flickr.people.getPhotos": "min_upload_date",
            "flickr.favorites.getList": "min_fave_date"}
    return [p for m, p in fake.listing_requests if m == method and keys[method] in p]


def photo_not_in_albums(account, skip=()):
    in_albums = {pid for a in account.albums for pid in a.photo_ids}
    return next(p for p in account.photos
                if p.id not in in_albums and p.id not in skip and not p.is_video)


def test_listed_line_is_exact_on_every_run(archiver, fake, account):
    first = archiver.sync()
    assert first.returncode == 0, first.stderr
    assert listed_line(first.stderr) == expected_line(account)
    assert_all_complete(archiver, account)
    fake.reset_counters()
    again = archiver.sync()
    assert again.returncode == 0, again.stderr
    assert listed_line(again.stderr) == expected_line(account)
    assert_all_complete(archiver, account)
    # an unchanged account is listed once: no date windows, no page asked twice
    assert fake.calls["flickr.people.getPhotos"] == 1
    assert fake.calls["flickr.favorites.getList"] == 1
    no_faves = archiver.sync("--no-favorites")
    assert no_faves.returncode == 0, no_faves.stderr
    assert listed_line(no_faves.stderr) == expected_line(account, with_favorites=False)


def test_a_short_page_is_asked_for_again(archiver, fake, account):
    fake.listing_max_per_page = 10  # the sample's 52 photos come in 6 pages
    fake.short_page_once = True
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)
    assert listed_line(r.stderr) == expected_line(account)
    assert_all_complete(archiver, account)
    pages = [p.get("page") for m, p in fake.listing_requests if m == "flickr.people.getPhotos"]
    # each of the 5 pages before the last came short once and was asked for again
    assert sorted(pages) == ["1", "1", "2", "2", "3", "3", "4", "4", "5", "5", "6"]
    assert windowed(fake, "flickr.people.getPhotos") == []


def test_items_the_whole_listing_misses_come_from_date_windows(archiver, fake, account):
    fake.listing_max_per_page = 10
    missed = [account.photos[i].id for i in (3, 17, 40)] + [account.favorites[2][0].id]
    fake.short_listing_ids = set(missed)
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)
    assert listed_line(r.stderr) == expected_line(account)
    assert_all_complete(archiver, account)
    assert windowed(fake, "flickr.people.getPhotos")
    assert windowed(fake, "flickr.favorites.getList")
    # the quirk gone, an unchanged re-sync lists each listing once again
    fake.short_listing_ids = set()
    fake.listing_requests.clear()
    again = archiver.sync()
    assert again.returncode == 0, again.stderr
    assert listed_line(again.stderr) == expected_line(account)
    assert windowed(fake, "flickr.people.getPhotos") == []
    assert windowed(fake, "flickr.favorites.getList") == []


def test_me_is_asked_of_people_getphotos_only(archiver, fake, account):
    fake.me_only_in_getphotos = True
    fake.photos_only_by_default = True
    shot = photo_not_in_albums(account)
    shot.content_type = 1  # a screenshot: listed only when asked for
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)
    assert listed_line(r.stderr) == expected_line(account)
    for method, params in fake.listing_requests:
        if method == "flickr.people.getPhotos":
            assert params["user_id"] == "me"
            assert params["content_types"] == "0,1,2,3" and params["safe_search"] == "3"
        else:
            assert params.get("user_id") == account.owner.nsid, (method, params)
    assert "flickr.people.getPhotos" in {m for m, _ in fake.listing_requests}


def test_album_members_the_photostream_lacks_are_archived(archiver, fake, account):
    member = account.albums[1].photo_ids[0]
    fake.stream_skips_ids = {member}
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)
    # the photostream counts and lists one fewer; the album gave it
    n = len(account.photos) - 1
    assert listed_line(r.stderr) == expected_line(account, photos=n, photos_counted=n)
    assert "1 album member the photostream did not list was archived from the albums" in r.stderr
    meta = archiver.load("my_photos", member, "metadata.json")
    assert {"id": account.albums[1].id, "title": account.albums[1].title} in meta["albums"]
    fake.reset_counters()
    again = archiver.sync()
    assert again.returncode == 0, again.stderr
    assert "flickr.photos.getInfo" not in fake.calls  # it stays current, like the others


def test_comments_and_faves_shorter_than_their_counts(archiver, fake, account):
    s = account.special
    photo = next(p for p in account.photos if p.comments and p.faves and
                 p.id not in (s["many_comments"], s["many_faves"]))
    # once: asked for again at once, and whole; for good: named, and fetched next run
    fake.short_counts = {s["many_comments"]: 1, s["many_faves"]: 1, photo.id: None}
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    for pid in (s["many_comments"], s["many_faves"]):
        p = account.photo(pid)
        assert len(archiver.load("my_photos", pid, "comments.json")) == len(p.comments)
        assert len(archiver.load("my_photos", pid, "favorites.json")) == len(p.faves)
    report = completeness(archiver)
    short = {k: v for k, v in report.items() if not v["complete"]}
    assert sorted(short) == [f"comments of my_photos/{photo.id}", f"faves of my_photos/{photo.id}"]
    assert (short[f"comments of my_photos/{photo.id}"]["expected"],
            short[f"comments of my_photos/{photo.id}"]["got"]) == \
        (len(photo.comments), len(photo.comments) - 1)
    assert (short[f"faves of my_photos/{photo.id}"]["expected"],
            short[f"faves of my_photos/{photo.id}"]["got"]) == (len(photo.faves), len(photo.faves) - 1)
    assert f"comments of my_photos/{photo.id}: Flickr listed {len(photo.comments) - 1} of the " \
        f"{len(photo.comments)} it counts" in r.stderr
    assert listed_line(r.stderr) == expected_line(account)
    fake.short_counts = {}
    fake.reset_counters()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert fake.calls["flickr.photos.comments.getList"] == 1
    assert fake.calls["flickr.photos.getFavorites"] == -(-len(photo.faves) // 50)
    verify_archive(archiver, account)
    assert all(e["complete"] for e in completeness(archiver).values())


def test_an_unrecoverable_gap_is_named_and_tried_again(archiver, fake, account):
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    gone = photo_not_in_albums(account)
    fave = account.favorites[0][0]
    fake.hidden_ids = {gone.id, fave.id}
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    assert listed_line(r.stderr) == expected_line(
        account, photos=len(account.photos) - 1, favorites=len(account.favorites) - 1)
    report = completeness(archiver)
    assert report["photostream"]["missing"] == [gone.id]
    assert report["photostream"]["complete"] is False
    assert report["favorites"]["missing"] == [fave.id]
    assert SAFESEARCH in report["favorites"]["hint"]
    assert re.search(rf"photostream: Flickr listed {len(account.photos) - 1} of the "
                     rf"{len(account.photos)} it counts; not listed: {gone.id}", r.stderr)
    assert f"not listed: {fave.id}" in r.stderr and SAFESEARCH in r.stderr
    # Flickr still has them: they are not marked deleted
    assert "upstream" not in archiver.load("my_photos", gone.id, "metadata.json")
    fake.hidden_ids = set()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert listed_line(r.stderr) == expected_line(account)
    assert_all_complete(archiver, account)


def test_a_gap_on_the_first_sync_names_its_dates(archiver, fake, account):
    hidden = photo_not_in_albums(account)
    fake.hidden_ids = {hidden.id}
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    report = completeness(archiver)
    stream = report["photostream"]
    assert (stream["expected"], stream["got"]) == (len(account.photos), len(account.photos) - 1)
    assert sum(g["expected"] - g["got"] for g in stream["gaps"]) == 1
    assert any(g["from_unix"] <= hidden.date_upload <= g["to_unix"] for g in stream["gaps"])
    assert not archiver.item_dir("my_photos", hidden.id).exists()
    gap = stream["gaps"][0]
    assert f"1 uploaded between {gap['from']} and {gap['to']}" in r.stderr
    fake.hidden_ids = set()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)
    assert_all_complete(archiver, account)


def test_an_album_short_of_its_count_points_at_safesearch(archiver, fake, account):
    album = account.albums[0]
    restricted = next(pid for pid in album.photo_ids
                      if pid not in {p for a in account.albums[1:] for p in a.photo_ids})
    fake.hidden_ids = {restricted}
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    report = completeness(archiver)
    entry = report[f"album {album.id}"]
    assert (entry["expected"], entry["got"], entry["title"]) == \
        (len(album.photo_ids), len(album.photo_ids) - 1, album.title)
    assert SAFESEARCH in entry["hint"]
    assert f"album {album.id}: Flickr listed {len(album.photo_ids) - 1} of the " \
        f"{len(album.photo_ids)} it counts" in r.stderr
    # the album is unchanged next run, but its list was short: it is listed again
    fake.hidden_ids = set()
    fake.reset_counters()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert fake.calls["flickr.photosets.getPhotos"] == 1
    index = {a["id"]: a for a in archiver.load("albums_index.json")}
    assert index[album.id]["photo_ids"] == album.photo_ids
    assert all(e["complete"] for e in completeness(archiver).values())
    assert json.dumps(completeness(archiver))  # the report stays plain JSON


def listing_quirks_on(fake, account):
    """Every recoverable listing quirk; the photostream then lists all but one album member."""
    fake.listing_max_per_page = 10
    fake.short_page_once = True
    fake.short_listing_ids = {account.photos[5].id, account.photos[33].id,
                              account.favorites[4][0].id}
    fake.stream_skips_ids = {account.albums[2].photo_ids[-1]}
    fake.me_only_in_getphotos = True
    fake.photos_only_by_default = True
    fake.short_counts = {account.special["many_comments"]: 1, account.special["many_faves"]: 1}


def test_every_recoverable_quirk_at_once_leaves_the_reference_archive(pinned, fake, account,
                                                                      reference):
    listing_quirks_on(fake, account)
    r = pinned.sync()
    assert r.returncode == 0, r.stderr
    assert_same_as_reference(pinned, reference)
    r = pinned.sync()
    assert r.returncode == 0, r.stderr
    assert_same_as_reference(pinned, reference)


def test_a_refused_date_window_keeps_what_the_whole_listing_gave(archiver, fake, account):
    from fake_flickr.api import ApiError

    whole = fake.api.m_people_getPhotos

    def refuse_windows(params, viewer):
        if "min_upload_date" in params:
            raise ApiError(3, "Unknown date format")
        return whole(params, viewer)

    fake.api.m_people_getPhotos = refuse_windows
    missed = photo_not_in_albums(account)
    fake.short_listing_ids = {missed.id}
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    assert "listing the photos and videos again by date failed" in r.stderr
    assert listed_line(r.stderr) == expected_line(account, photos=len(account.photos) - 1)
    stream = completeness(archiver)["photostream"]
    assert (stream["expected"], stream["got"], stream["complete"]) == \
        (len(account.photos), len(account.photos) - 1, False)
    others = [p for p in account.photos if p.id != missed.id]
    assert all((archiver.item_dir("my_photos", p.id) / "complete.flag").is_file() for p in others)
    fake.api.m_people_getPhotos = whole
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)


def test_a_failed_second_try_keeps_the_first_list(archiver, fake, account):
    from fake_flickr.api import ApiError

    photo = next(p for p in account.photos if len(p.comments) > 1)
    fake.short_counts = {photo.id: None}
    calls = []
    comments = fake.api.m_photos_comments_getList

    def second_fails(params, viewer):
        if params.get("photo_id") == photo.id:
            calls.append(1)
            if len(calls) == 2:
                raise ApiError(2, "Comments not available right now")
        return comments(params, viewer)

    fake.api.m_photos_comments_getList = second_fails
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    assert len(calls) == 2
    assert archiver.load("sync_report.json")["failed"] == []
    assert (archiver.item_dir("my_photos", photo.id) / "complete.flag").is_file()
    assert len(archiver.load("my_photos", photo.id, "comments.json")) == len(photo.comments) - 1
    entry = completeness(archiver)[f"comments of my_photos/{photo.id}"]
    assert (entry["expected"], entry["got"]) == (len(photo.comments), len(photo.comments) - 1)


def test_many_short_lists_do_not_bury_the_summary(archiver, fake, account):
    items = [p for p in account.photos + [p for p, _ in account.favorites]
             if p.comments or p.faves]
    fake.short_counts = {p.id: None for p in items}
    fake.hidden_ids = {account.albums[0].photo_ids[0]}  # the photostream and albums short too
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    short = [e for e in archiver.load("sync_report.json")["completeness"] if not e["complete"]]
    # a favorite's faves include the account's own: never short of it
    expected = len(short)
    assert expected >= sum(bool(p.comments) + bool(p.faves) for p in account.photos)
    assert len(short) == expected > 20
    assert len([line for line in r.stderr.splitlines()
                if line.startswith("flickr-archive: warning: ") and
                ": Flickr listed " in line]) == 20
    assert f"{expected - 20} more listings are short: see \"completeness\" in " \
        "sync_report.json" in r.stderr
