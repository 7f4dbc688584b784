"""A full sync of the sample account: every file of the archive checked."""
import re

import pytest

from conftest import (ITEM_FILES, best_stream, expected_faves, expected_photo_media, stream_of, temp_files,
                      video_media)

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def synced(archiver):
    result = archiver.sync()
    assert result.returncode == 0, result.stderr
    return archiver, result


def all_items(account):
    yield from (("my_photos", p) for p in account.photos)
    yield from (("favorited_photos", p) for p, _ in account.favorites)


def test_every_item_has_every_file(synced, account):
    archiver, _ = synced
    for kind, photo in all_items(account):
        d = archiver.item_dir(kind, photo.id)
        for name in ITEM_FILES:
            assert (d / name).is_file(), f"{kind}/{photo.id}/{name} missing"
        media = [p.name for p in d.iterdir()
                 if p.name.startswith("original.") and p.suffix != ".xmp"]
        assert len(media) == 1, (kind, photo.id, media)
        assert (d / f"{media[0]}.xmp").is_file()  # its XMP sidecar (test_xmp.py)
        if photo.is_video:
            assert (d / "poster.jpg").is_file()
    assert temp_files(archiver.archive) == []


def test_photo_media_is_byte_identical(synced, account):
    archiver, _ = synced
    for kind, photo in all_items(account):
        if photo.is_video:
            continue
        name, data, label = expected_photo_media(photo)
        path = archiver.item_dir(kind, photo.id) / name
        assert path.read_bytes() == data, f"{kind}/{photo.id}/{name}"
        sizes = archiver.load(kind, photo.id, "sizes.json")
        assert sizes["archived"]["file"] == name
        assert sizes["archived"]["label"] == label
        assert sizes["original_available"] is (label == "Original")


def test_png_and_gif_originals_keep_their_format(synced, account):
    archiver, _ = synced
    png, gif = account.special["png"], account.special["gif"]
    assert (archiver.item_dir("my_photos", png) / "original.png").read_bytes()[:8] == \
        b"\x89PNG\r\n\x1a\n"
    assert (archiver.item_dir("my_photos", gif) / "original.gif").read_bytes()[:6] == b"GIF89a"


def test_video_original_and_poster(synced, account):
    archiver, _ = synced
    photo = account.photo(account.special["video"])
    name, data = video_media(photo, "orig")
    d = archiver.item_dir("my_photos", photo.id)
    assert (d / name).read_bytes() == data
    sizes = archiver.load("my_photos", photo.id, "sizes.json")
    assert sizes["archived"]["label"] == "Video Original"
    assert sizes["archived"]["original"] is True
    assert (d / "poster.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    assert sizes["poster"]["file"] == "poster.jpg"
    assert archiver.load("my_photos", photo.id, "metadata.json")["media"] == "video"


def test_video_without_original_gets_best_stream(synced, account):
    archiver, _ = synced
    photo = account.photo(account.special["video_streams_only"])
    sizes = archiver.load("my_photos", photo.id, "sizes.json")
    stream = stream_of(sizes["archived"]["source"])
    assert stream == best_stream(photo) != "orig", sizes["archived"]
    name, data = video_media(photo, stream)
    assert (archiver.item_dir("my_photos", photo.id) / name).read_bytes() == data
    assert sizes["original_available"] is False


def test_favorited_video(synced, account):
    archiver, _ = synced
    photo = account.photo(account.special["fav_video"])
    d = archiver.item_dir("favorited_photos", photo.id)
    sizes = archiver.load("favorited_photos", photo.id, "sizes.json")
    stream = stream_of(sizes["archived"]["source"])
    assert stream == best_stream(photo)
    name, data = video_media(photo, stream)
    assert (d / name).read_bytes() == data
    assert (d / "poster.jpg").is_file()


def test_metadata_keeps_the_original_tools_keys(synced, account):
    archiver, _ = synced
    for kind, photo in all_items(account):
        m = archiver.load(kind, photo.id, "metadata.json")
        assert m["id"] == photo.id
        assert m["title"] == photo.title
        assert m["description"] == photo.description
        assert m["date_uploaded"] == str(photo.date_upload)
        assert ISO.match(m["date_uploaded_formatted"])
        assert m["date_taken"] == photo.date_taken
        assert m["tags"] == photo.tags
        assert m["views"] == photo.views and isinstance(m["views"], int)
        assert m["media"] == photo.media
        assert isinstance(m["albums"], list)
        if photo.geo:
            loc = m["location"]
            assert loc["latitude"] == pytest.approx(photo.geo["latitude"])
            assert loc["longitude"] == pytest.approx(photo.geo["longitude"])
        else:
            assert m["location"] is None
        assert m["owner"]["nsid"] == photo.owner
        assert m["count_comments"] == len(photo.comments)
        assert m["count_faves"] == len(expected_faves(account, photo))
        faves = archiver.load(kind, photo.id, "favorites.json")
        assert sorted(f["nsid"] for f in faves) == sorted(expected_faves(account, photo))
        if kind == "favorited_photos":
            assert m["date_faved"] == str(account.fave_date(photo.id))


def test_unicode_and_html_survive(synced, account):
    archiver, _ = synced
    photo = account.photo(account.special["unicode_html"])
    m = archiver.load("my_photos", photo.id, "metadata.json")
    assert m["title"] == photo.title and "🎉" in m["title"]
    assert "<a href=" in m["description"]
    comments = archiver.load("my_photos", photo.id, "comments.json")
    assert [c["text"] for c in comments] == [c.text for c in photo.comments]


def test_geo_place_names(synced, account):
    archiver, _ = synced
    photo = account.photo(account.special["geo"])
    loc = archiver.load("my_photos", photo.id, "metadata.json")["location"]
    for key in ("neighbourhood", "locality", "county", "region", "country"):
        if photo.geo.get(key):
            assert loc[key]["_content"] == photo.geo[key]


def test_visibilities(synced, account):
    archiver, _ = synced
    want = {"public": "public", "private": "private", "friends": "friends",
            "family": "family", "friends_family": "friends & family"}
    for key, label in want.items():
        m = archiver.load("my_photos", account.special[key], "metadata.json")
        assert m["visibility"]["label"] == label, key


def test_notes_people_machine_tags(synced, account):
    archiver, _ = synced
    photo = account.photo(account.special["notes_people"])
    m = archiver.load("my_photos", photo.id, "metadata.json")
    assert [n["text"] for n in m["notes"]] == [n.text for n in photo.notes]
    assert [p["nsid"] for p in m["people"]] == [p.nsid for p in photo.people]
    assert m["machine_tags"] == [t for t in photo.tags if ":" in t and "=" in t]
    assert m["license"]["id"] == photo.license
    assert m["urls"]["photopage"].endswith(f"/{photo.id}/")


def test_every_comment_with_its_author(synced, account):
    archiver, _ = synced
    photo = account.photo(account.special["many_comments"])
    comments = archiver.load("my_photos", photo.id, "comments.json")
    assert len(comments) == len(photo.comments) >= 100
    for got, want in zip(comments, photo.comments):
        user = account.user(want.author)
        assert got["id"] == want.id
        assert got["author"] == want.author
        assert got["author_name"] == user.username
        assert got["text"] == want.text
        assert got["date_created"] == str(want.date)
        assert got["permalink"]
        assert got["display_name"] == (user.realname or user.username)
        assert got["profile_url"].startswith("https://www.flickr.com/people/")
        if user.iconserver not in ("", "0"):
            assert got["avatar_url"] == (f"https://farm{user.iconfarm}.staticflickr.com/"
                                         f"{user.iconserver}/buddyicons/{user.nsid}.jpg")
        else:
            assert got["avatar_url"] == "https://www.flickr.com/images/buddyicon.gif"
        assert got["author_is_deleted"] is user.is_deleted
    assert any(c["author_is_deleted"] for c in comments)


def test_all_130_faves_across_pages(synced, account):
    archiver, _ = synced
    photo = account.photo(account.special["many_faves"])
    faves = archiver.load("my_photos", photo.id, "favorites.json")
    assert len(faves) == 130
    assert {f["nsid"] for f in faves} == {f.nsid for f in photo.faves}
    by_nsid = {f.nsid: f for f in photo.faves}
    for f in faves:
        assert f["favedate"] == str(by_nsid[f["nsid"]].date)
        assert f["username"] and f["display_name"] and f["avatar_url"] and f["profile_url"]


def test_favorite_without_original(synced, account):
    archiver, _ = synced
    photo = account.photo(account.special["fav_no_original"])
    sizes = archiver.load("favorited_photos", photo.id, "sizes.json")
    assert sizes["original_available"] is False
    assert sizes["archived"]["label"] != "Original"
    assert "original" in sizes["reason"]
    name, data, _ = expected_photo_media(photo)
    assert (archiver.item_dir("favorited_photos", photo.id) / name).read_bytes() == data


def test_exif_from_original_and_from_flickr(synced, account):
    archiver, _ = synced
    jpeg = next(p for p in account.photos if not p.is_video and p.original_format == "jpg")
    exif = archiver.load("my_photos", jpeg.id, "exif.json")
    assert exif["source"] == "original-file"
    tags = {e["tag"]: e["raw"] for e in exif["exif"]}
    assert tags["Make"] == jpeg.exif_value("Make")
    assert tags["Model"] == jpeg.exif_value("Model")
    # no original archived: EXIF comes from Flickr's getExif
    fav = account.photo(account.special["fav_no_original"])
    exif = archiver.load("favorited_photos", fav.id, "exif.json")
    assert exif["source"] == "flickr.photos.getExif"
    if fav.exif_hidden:
        assert exif.get("hidden") is True
    else:
        assert {e["tag"] for e in exif["exif"]} >= {"Make", "Model"}


def test_albums(synced, account):
    archiver, _ = synced
    albums = archiver.load("albums_index.json")
    assert [a["id"] for a in albums] == [a.id for a in account.albums]
    for got, want in zip(albums, account.albums):
        assert got["title"] == want.title
        assert got["description"] == want.description
        assert got["photo_ids"] == want.photo_ids
    for album in account.albums:
        for pid in album.photo_ids:
            m = archiver.load("my_photos", pid, "metadata.json")
            assert {"id": album.id, "title": album.title} in m["albums"]


def test_indexes_and_users_cache(synced, account):
    archiver, _ = synced
    mine = archiver.load("my_photos_index.json")
    assert {e["id"] for e in mine} == {p.id for p in account.photos}
    favs = archiver.load("favorites_index.json")
    assert {e["id"] for e in favs} == {p.id for p, _ in account.favorites}
    for e in favs:
        assert e["owner"]["nsid"] == account.photo(e["id"]).owner
    for e in mine:
        for key in ("id", "title", "date_uploaded", "date_taken", "tags", "media", "views",
                    "albums"):
            assert key in e
    users = archiver.load("users_cache.json")
    people = {c.author for p in account.photos for c in p.comments}
    people |= {f.nsid for p in account.photos for f in p.faves}
    people |= {c.author for p, _ in account.favorites for c in p.comments}
    people |= {f.nsid for p, _ in account.favorites for f in p.faves}
    assert people <= set(users)
    for nsid in people:
        u, want = users[nsid], account.user(nsid)
        assert u["username"] == want.username
        assert u["display_name"] == (want.realname or want.username)
        assert u["avatar_url"] and u["profile_url"]


def test_summary_reports_api_calls(synced, fake):
    _, result = synced
    m = re.search(r"API calls: (\d+)", result.stderr)
    assert m, result.stderr
    assert int(m.group(1)) == fake.total_api_calls


def test_rerun_downloads_nothing(synced, fake):
    archiver, _ = synced
    fake.reset_counters()
    again = archiver.sync()
    assert again.returncode == 0, again.stderr
    assert sum(fake.media_requests.values()) == 0
    assert "0 failed" in again.stderr


def test_free_account_original_over_1024_px(archiver, account):
    """Since May 2025 a free account's own originals over 1024 px are not offered."""
    photo = account.photo(account.special["public"])
    photo.original_available = False
    account.touch()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    sizes = archiver.load("my_photos", photo.id, "sizes.json")
    assert sizes["original_available"] is False
    assert sizes["archived"]["label"] == "Large"
    assert "free accounts" in sizes["reason"]
    name, data, _ = expected_photo_media(photo)
    assert (archiver.item_dir("my_photos", photo.id) / name).read_bytes() == data
    # without the original, EXIF comes from Flickr
    assert archiver.load("my_photos", photo.id, "exif.json")["source"] == \
        "flickr.photos.getExif"
    # this photo, the favorite whose owner forbids downloads, and the two videos
    # Flickr offers no original of: counted and named
    line = next(l for l in r.stderr.splitlines() if "archived without the original" in l)
    assert line.startswith("4 items were archived without the original")
    for pid, kind in ((photo.id, "my_photos"), (account.fav_no_original, "favorited_photos"),
                      (account.video_streams_only, "my_photos"),
                      (account.fav_video, "favorited_photos")):
        assert f"{kind}/{pid}" in line
    report = archiver.load("sync_report.json")
    assert report["original_not_available"] == 4
    assert not any(w["retried_next_run"] for w in report["without_original"])
