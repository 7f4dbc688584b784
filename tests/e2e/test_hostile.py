"""Hostile answers: one bad item of a listing costs that item at most.

The fake serves, for ONE photo, raw bytes or wrongly typed fields
(fake.mutate_photo).  Each case must end with that item archived leniently or
failed with one clear line, every other item archived, nothing written outside
the archive, and exit 0 (or 1 when an item failed).
"""
import json

import pytest

from conftest import error_lines
from fake_flickr import DELETE, Raw

LISTING = "flickr.people.getPhotos"
INFO = "flickr.photos.getInfo"
COMMENTS = "flickr.photos.comments.getList"
FFFD = "\ufffd"


def all_items(account):
    return ([("my_photos", p.id) for p in account.photos] +
            [("favorited_photos", p.id) for p, _ in account.favorites])


def warnings(stderr):
    return [l for l in stderr.splitlines() if l.startswith("flickr-archive: warning: ")]


def assert_contained(archiver, tmp_path):
    """Nothing outside the archive, and only id directories inside it."""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "config"]
    assert [p for p in archiver.config_home.rglob("*")] == []
    root = archiver.archive.resolve()
    for p in archiver.archive.rglob("*"):
        assert p.resolve().is_relative_to(root), p
    for kind in ("my_photos", "favorited_photos"):
        for d in (archiver.archive / kind).iterdir():
            assert d.is_dir() and d.name.isdigit(), d


def assert_others_complete(archiver, account, bad_id):
    for kind, pid in all_items(account):
        if pid != bad_id:
            assert (archiver.item_dir(kind, pid) / "complete.flag").is_file(), (kind, pid)


def sync(archiver):
    r = archiver.sync()
    assert error_lines(r.stderr) == [], r.stderr
    return r


def assert_one_failure(archiver, r, *words):
    """Exit 1, one warning line for the item, one entry in sync_report.json."""
    assert r.returncode == 1, r.stderr
    [line] = warnings(r.stderr)
    for w in words:
        assert w in line, line
    [failed] = archiver.load("sync_report.json")["failed"]
    for w in words:
        assert w in failed["error"], failed


@pytest.fixture
def target(account):
    return account.photo(account.special["unicode_html"])  # a photo with comments


def test_invalid_utf8_in_texts_is_replaced(archiver, fake, account, target, tmp_path):
    fake.mutate_photo(target.id, {"title": Raw(b'"caf\xe9 \xff"'),
                                  "description": Raw(b'{"_content":"a\\u0000b\xc3("}')},
                      method=LISTING)
    fake.mutate_photo(target.id, {"title": Raw(b'{"_content":"caf\xe9 \xff"}'),
                                  "description": Raw(b'{"_content":"a\\u0000b\xc3("}')},
                      method=INFO)

    def bad_comment(comments):
        comments["comment"][0]["_content"] = Raw(b'"bad \xfe\xfe comment \\ud800"')
        comments["comment"][0]["authorname"] = Raw(b'"J\xf6rg"')
    fake.mutate_photo(target.id, bad_comment, method=COMMENTS)

    r = sync(archiver)
    assert r.returncode == 0, r.stderr
    assert_others_complete(archiver, account, None)
    m = archiver.load("my_photos", target.id, "metadata.json")
    assert m["title"] == f"caf{FFFD} {FFFD}"
    assert m["description"] == f"a{FFFD}b{FFFD}("
    comments = archiver.load("my_photos", target.id, "comments.json")
    assert comments[0]["text"] == f"bad {FFFD}{FFFD} comment {FFFD}"
    assert comments[0]["author_name"] == f"J{FFFD}rg"
    assert len(comments) == len(target.comments)
    assert_contained(archiver, tmp_path)


def test_a_duplicate_key_costs_nothing(archiver, fake, account, target, tmp_path):
    fake.mutate_photo(target.id, {"title": Raw(b'"first", "title": "second"')}, method=LISTING)
    r = sync(archiver)
    assert r.returncode == 0, r.stderr
    assert_others_complete(archiver, account, None)
    assert (archiver.item_dir("my_photos", target.id) / "complete.flag").is_file()
    assert_contained(archiver, tmp_path)


def test_wrongly_typed_fields_are_archived_leniently(archiver, fake, account, target,
                                                     tmp_path):
    fake.mutate_photo(target.id, {"title": 42, "tags": {"a": 1}, "dateupload": [1],
                                  "views": {"x": 1}, "latitude": "north", "media": 7,
                                  "url_o": 5, "ownername": ["x"]}, method=LISTING)
    fake.mutate_photo(target.id, {"title": 7, "tags": "none", "dates": [], "owner": "x",
                                  "location": 5, "urls": 3, "notes": "x", "comments": [],
                                  "visibility": 1, "people": "y", "media": {"a": 1}},
                      method=INFO)
    fake.mutate_photo(target.id, lambda c: c.update(comment={"_content": 9, "id": [],
                                                              "author": 3}),
                      method=COMMENTS)
    r = sync(archiver)
    # one comment where the photo counts more: archived leniently, and said to be short
    assert r.returncode == 1, r.stderr
    short = [e for e in archiver.load("sync_report.json")["completeness"] if not e["complete"]]
    assert [(e["listing"], e["expected"], e["got"]) for e in short] == \
        [(f"comments of my_photos/{target.id}", len(target.comments), 1)]
    assert archiver.load("sync_report.json")["failed"] == []
    assert_others_complete(archiver, account, None)
    assert (archiver.item_dir("my_photos", target.id) / "complete.flag").is_file()
    m = archiver.load("my_photos", target.id, "metadata.json")
    assert m["id"] == target.id and m["title"] == "" and m["tags"] == []
    assert m["location"] is None
    [c] = archiver.load("my_photos", target.id, "comments.json")
    assert c["text"] == ""
    assert_contained(archiver, tmp_path)


@pytest.mark.parametrize("bad_id", [["1"], DELETE, "../../etc", "12/34", "", "1" * 40,
                                    "..", "123\n456"])
def test_bad_ids_fail_that_item_only(archiver, fake, account, target, tmp_path, bad_id):
    fake.mutate_photo(target.id, {"id": bad_id}, method=LISTING)
    r = sync(archiver)
    assert_one_failure(archiver, r, "is not a Flickr id")
    assert "will retry" not in r.stderr and "skipped" in r.stderr
    assert archiver.load("sync_report.json")["failed"][0]["retried_next_run"] is False
    # that entry never reached the disk; the item itself did, from its album, which lists
    # it under its own id (album members the photostream lacks are archived all the same)
    assert any(target.id in a.photo_ids for a in account.albums)
    assert_others_complete(archiver, account, None)
    assert len(archiver.load("my_photos_index.json")) == len(account.photos)
    assert_contained(archiver, tmp_path)
    assert not (tmp_path / "etc").exists()


def test_info_with_another_id_keeps_the_listing_id(archiver, fake, account, target, tmp_path):
    fake.mutate_photo(target.id, {"id": "../../etc"}, method=INFO)
    r = sync(archiver)
    assert r.returncode == 0, r.stderr
    m = archiver.load("my_photos", target.id, "metadata.json")
    assert m["id"] == target.id
    [entry] = [e for e in archiver.load("my_photos_index.json") if e["id"] == target.id]
    assert entry["path"] == f"my_photos/{target.id}"
    assert_contained(archiver, tmp_path)


def test_huge_description_is_archived(archiver, fake, account, target, tmp_path):
    huge = "x" * (5 * 1024 * 1024)
    fake.mutate_photo(target.id, {"description": {"_content": huge}}, method=LISTING)
    fake.mutate_photo(target.id, {"description": {"_content": huge}}, method=INFO)
    r = sync(archiver)
    assert r.returncode == 0, r.stderr
    assert_others_complete(archiver, account, None)
    m = archiver.load("my_photos", target.id, "metadata.json")
    assert m["description"] == huge
    assert_contained(archiver, tmp_path)


def test_deeply_nested_info_fails_that_item(archiver, fake, account, target, tmp_path):
    depth = 100_000
    fake.mutate_photo(target.id, {"description": Raw(b"[" * depth + b"]" * depth)},
                      method=INFO)
    r = sync(archiver)
    assert_one_failure(archiver, r, INFO, "depth")
    assert f"my_photos/{target.id}: " in r.stderr
    assert not (archiver.item_dir("my_photos", target.id) / "complete.flag").exists()
    assert_others_complete(archiver, account, target.id)
    assert_contained(archiver, tmp_path)


def test_moderately_nested_info_is_archived(archiver, fake, account, target, tmp_path):
    depth = 1000
    fake.mutate_photo(target.id, {"extra": Raw(b'{"a":' * depth + b"1" + b"}" * depth)},
                      method=INFO)
    r = sync(archiver)
    assert r.returncode == 0, r.stderr
    assert (archiver.item_dir("my_photos", target.id) / "complete.flag").is_file()
    assert_contained(archiver, tmp_path)


def test_terminal_control_characters_are_not_printed(archiver, fake, account, target):
    """A hostile error text must not drive the terminal or add lines."""
    fake.add_fault("api_error", INFO, count=None, code=1,
                   message="gone\x1b]0;pwned\x07\n\rflickr-archive: fake line")
    r = sync(archiver)
    assert r.returncode == 1, r.stderr
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "\r" not in r.stderr
    assert not any(l.startswith("flickr-archive: fake line") for l in r.stderr.splitlines())


def test_mutation_hook_serves_raw_bytes(fake, account, target):
    """The hook itself: raw bytes reach the wire unchanged, other photos are untouched."""
    from fake_flickr import FlickrClient
    fake.mutate_photo(target.id, {"title": Raw(b'"\xff"'), "views": DELETE}, method=LISTING,
                      count=1)
    client = FlickrClient(fake)
    status, _, body = client.signed(LISTING, user_id="me", extras="views", per_page=500)
    assert status == 200
    assert b'"title":"\xff"' in body
    doc = json.loads(body.decode("utf-8", "replace"))
    [item] = [p for p in doc["photos"]["photo"] if p["id"] == target.id]
    assert "views" not in item
    assert all("views" in p for p in doc["photos"]["photo"] if p["id"] != target.id)
    # count=1: the next answer is clean again
    status, _, body = client.signed(LISTING, user_id="me", per_page=500)
    assert status == 200 and b"\xff" not in body
    client.close()
