"""Self-healing: damage is never written into a manifest as the truth, and a plain sync repairs
what Flickr still has (the damaged copy kept as damaged-<t>-<name>); what it no longer has stays
damaged, reported by sync and by verify (issue 18).

Each test starts from a synced archive of the sample account and the photo I (with comments).
"""
import hashlib
import json
import os
import random
import shutil

import pytest

from conftest import ACCOUNT_METHODS, FAKE_NOW, archive_snapshot, verify_archive

I = "9140579933"   # sample account photo with 5 comments
MANIFEST = "manifest-sha256.txt"


@pytest.fixture
def synced(archiver):
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    return archiver


def verify(archiver):
    return archiver.run("verify", "--archive", str(archiver.archive),
                        env=archiver.env(credentials=False, FLICKR_API_URL=None))


def recorded(archiver, rel):
    """The digest the archive's manifest records for rel."""
    for line in (archiver.archive / MANIFEST).read_text().splitlines():
        digest, path = line.split(" ", 1)
        if path == rel:
            return digest
    return None


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def damaged_copies(item, name):
    return sorted(p for p in item.iterdir() if p.name.startswith("damaged-")
                  and p.name.endswith("-" + name))


def index_ids(archiver, name="my_photos_index.json"):
    return [e["id"] for e in archiver.load(name)]


def assert_whole(archiver, account):
    """verify exits 0 and the archive holds what Flickr has."""
    v = verify(archiver)
    assert v.returncode == 0, v.stdout + v.stderr
    verify_archive(archiver, account)


def test_an_emptied_original_is_repaired_not_blessed(synced, account):
    item = synced.item_dir("my_photos", I)
    good = (item / "original.jpg").read_bytes()
    digest = recorded(synced, f"my_photos/{I}/original.jpg")
    (item / "original.jpg").write_bytes(b"")
    os.utime(item / "metadata.json")
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert f"my_photos/{I}/original.jpg is damaged" in r.stderr
    assert (item / "original.jpg").read_bytes() == good
    assert recorded(synced, f"my_photos/{I}/original.jpg") == digest
    [kept] = damaged_copies(item, "original.jpg")
    assert kept.read_bytes() == b""
    assert synced.load("sync_report.json")["repaired"] == 1
    assert_whole(synced, account)


def test_without_flickr_the_damage_stays_damaged(synced, fake):
    """The same damage with Flickr's media host down: never blessed, reported, retried."""
    item = synced.item_dir("my_photos", I)
    digest = recorded(synced, f"my_photos/{I}/original.jpg")
    (item / "original.jpg").write_bytes(b"")
    fake.add_fault("http500", match="media", count=None)
    r = synced.sync()
    assert r.returncode == 1, r.stderr
    assert recorded(synced, f"my_photos/{I}/original.jpg") == digest
    report = synced.load("sync_report.json")
    assert {"path": f"my_photos/{I}/original.jpg",
            "problem": "changed since it was archived"} in report["damaged"]
    assert "restore it from a backup" in r.stderr
    v = verify(synced)
    assert v.returncode == 1
    assert f"changed: my_photos/{I}/original.jpg" in v.stdout
    fake.clear_faults()
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert verify(synced).returncode == 0


def test_a_deleted_original_is_downloaded_again(synced, account):
    item = synced.item_dir("my_photos", I)
    good = (item / "original.jpg").read_bytes()
    (item / "original.jpg").unlink()
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert "missing" in r.stderr
    assert (item / "original.jpg").read_bytes() == good
    assert recorded(synced, f"my_photos/{I}/original.jpg") == sha(item / "original.jpg")
    assert_whole(synced, account)


def test_an_original_replaced_by_a_link_is_restored(synced, account, tmp_path):
    item = synced.item_dir("my_photos", I)
    good = (item / "original.jpg").read_bytes()
    outside = tmp_path / "elsewhere.jpg"
    outside.write_bytes(b"not the photo")
    (item / "original.jpg").unlink()
    (item / "original.jpg").symlink_to(outside)
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert "not a regular file" in r.stderr
    assert not (item / "original.jpg").is_symlink()
    assert (item / "original.jpg").read_bytes() == good
    [kept] = damaged_copies(item, "original.jpg")
    assert kept.is_symlink()                       # kept as it was, never followed
    assert outside.read_bytes() == b"not the photo"
    assert_whole(synced, account)


def test_a_damaged_video_and_its_poster_are_repaired(synced, account):
    video = next(p for p in account.photos if p.is_video)
    item = synced.item_dir("my_photos", video.id)
    [original] = [p for p in item.iterdir()
                  if p.name.startswith("original.") and p.suffix != ".xmp"]
    good = {p.name: p.read_bytes() for p in (original, item / "poster.jpg")}
    original.write_bytes(bytes(len(good[original.name])))
    (item / "poster.jpg").unlink()
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert {n: (item / n).read_bytes() for n in good} == good
    assert [p.name for p in item.iterdir() if p.name.startswith("damaged-")] == \
        [f"damaged-{p.name.split('-')[1]}-{original.name}" for p in
         damaged_copies(item, original.name)]
    assert damaged_copies(item, "poster.jpg") == []      # it was gone: nothing to keep
    assert_whole(synced, account)


def test_an_emptied_original_and_a_new_comment(synced, account):
    item = synced.item_dir("my_photos", I)
    good = (item / "original.jpg").read_bytes()
    (item / "original.jpg").write_bytes(b"")
    account.add_comment(I, account.photo(I).comments[0].author, "A new comment", FAKE_NOW)
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert (item / "original.jpg").read_bytes() == good
    comments = synced.load("my_photos", I, "comments.json")
    assert "A new comment" in json.dumps(comments)
    assert len(comments) == len(account.photo(I).comments)
    assert_whole(synced, account)


def test_corrupt_comments_of_a_photo_flickr_deleted(synced, account):
    item = synced.item_dir("my_photos", I)
    digest = recorded(synced, f"my_photos/{I}/comments.json")
    (item / "comments.json").write_text('[{"broken": ')
    account.delete_photo(I)
    r = synced.sync()
    assert r.returncode == 1, r.stderr
    assert f"my_photos/{I}/comments.json (changed since it was archived)" in r.stderr
    assert recorded(synced, f"my_photos/{I}/comments.json") == digest
    assert (item / "comments.json").read_text() == '[{"broken": '   # kept as it is
    assert I in index_ids(synced)
    report = synced.load("sync_report.json")
    assert [d["path"] for d in report["damaged"]] == [f"my_photos/{I}/comments.json"]
    v = verify(synced)
    assert v.returncode == 1
    assert f"changed: my_photos/{I}/comments.json" in v.stdout


def test_damaged_metadata_of_a_deleted_photo_keeps_its_index_entry(synced, account):
    item = synced.item_dir("my_photos", I)
    entry = [e for e in synced.load("my_photos_index.json") if e["id"] == I][0]
    digest = recorded(synced, f"my_photos/{I}/metadata.json")
    data = (item / "metadata.json").read_bytes()
    (item / "metadata.json").write_bytes(data[:len(data) // 2])
    account.delete_photo(I)
    r = synced.sync()
    assert r.returncode == 1, r.stderr
    assert f"my_photos/{I}/metadata.json" in r.stderr
    assert [e for e in synced.load("my_photos_index.json") if e["id"] == I] == [entry]
    assert recorded(synced, f"my_photos/{I}/metadata.json") == digest
    assert (synced.archive / "site" / "photos" / f"{I}.html").exists() or \
        any(I in p.name for p in (synced.archive / "site").rglob("*.html"))
    v = verify(synced)
    assert v.returncode == 1
    assert f"changed: my_photos/{I}/metadata.json" in v.stdout
    s = synced.run("search", "--archive", str(synced.archive), entry["title"].split()[0])
    assert I in s.stdout, s.stdout + s.stderr


def test_altered_metadata_of_a_deleted_photo_is_shown_and_said(synced, account):
    """Valid JSON, but not the bytes archived (a flipped letter): sync cannot repair it, so
    the site shows it and says so, naming the file to restore."""
    item = synced.item_dir("my_photos", I)
    meta = json.loads((item / "metadata.json").read_text())
    meta["title"] = meta["title"] + " (altered)"
    (item / "metadata.json").write_text(json.dumps(meta))
    account.delete_photo(I)
    r = synced.sync()
    assert r.returncode == 1, r.stderr
    assert f"my_photos/{I}/metadata.json" in r.stderr
    site = synced.run("site", "--archive", str(synced.archive))
    assert site.returncode == 0, site.stderr
    said = [l for l in site.stderr.splitlines() if f"my_photos/{I}/metadata.json" in l]
    assert len(said) == 1 and "restore it from a backup" in said[0], site.stderr
    # an undamaged archive's site says nothing of the kind
    assert "is damaged" not in "\n".join(l for l in site.stderr.splitlines() if I not in l)


def test_invalid_json_is_a_warning_and_is_fetched_again(synced, account):
    item = synced.item_dir("my_photos", I)
    good = (item / "comments.json").read_bytes()
    (item / "comments.json").write_text("{not json")
    site = synced.run("site", "--archive", str(synced.archive))
    assert site.returncode == 0, site.stderr
    assert f"my_photos/{I}/comments.json" in site.stderr
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert f"my_photos/{I}/comments.json is damaged" in r.stderr
    assert (item / "comments.json").read_bytes() == good
    assert [p.read_text() for p in damaged_copies(item, "comments.json")] == ["{not json"]
    assert_whole(synced, account)


def test_site_warns_about_damaged_metadata(synced):
    item = synced.item_dir("my_photos", I)
    (item / "metadata.json").write_text('{"id": "' + I)
    site = synced.run("site", "--archive", str(synced.archive))
    assert site.returncode == 0, site.stderr
    assert f"my_photos/{I}/metadata.json" in site.stderr
    assert len([l for l in site.stderr.splitlines() if "metadata.json" in l]) == 1


def legacy_half_written(archiver, pid):
    """What the original Python tool leaves when killed: no flag, no manifest, its own
    sizes.json, and an original cut short."""
    item = archiver.item_dir("my_photos", pid)
    (item / "complete.flag").unlink()
    (item / MANIFEST).unlink()
    sizes = archiver.load("my_photos", pid, "sizes.json")
    archived = sizes.pop("archived")
    sizes["original"] = {"label": archived["label"], "source": archived["source"]}
    (item / "sizes.json").write_text(json.dumps(sizes))
    return item


def test_a_damaged_avatar_is_fetched_again_not_blessed(synced, fake):
    icon = sorted(synced.archive.glob("avatars/*.jpg"))[0]
    rel = f"avatars/{icon.name}"
    good, digest = icon.read_bytes(), recorded(synced, rel)
    icon.write_bytes(good[:len(good) // 2])
    # with the icons' host down the damage stays recorded as damage
    fake.add_fault("http500", match="icons", count=None)
    r = synced.sync()
    assert recorded(synced, rel) == digest
    assert (synced.archive / "avatars" / MANIFEST).read_text().count(digest) == 1
    v = verify(synced)
    assert v.returncode == 1 and f"changed: {rel}" in v.stdout, v.stdout
    fake.clear_faults()
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert f"{rel} was damaged: fetched again" in r.stderr
    assert icon.read_bytes() == good and recorded(synced, rel) == digest
    [kept] = damaged_copies(icon.parent, icon.name)
    assert kept.read_bytes() == good[:len(good) // 2]
    assert synced.load("sync_report.json")["avatars"]["repaired"] == 1
    assert verify(synced).returncode == 0


def assert_avatars_not_followed(r):
    """The sync ended not whole (1, no error line), saying why as it met it and in its summary."""
    assert r.returncode == 1, r.stderr
    assert "avatars is not a folder (a symbolic link?): it is never followed" in r.stderr
    assert "Avatars: none archived: avatars is not a folder (a symbolic link?)" in r.stderr
    assert [l for l in r.stderr.splitlines() if l.startswith("flickr-archive: ")
            and not l.startswith("flickr-archive: warning: ")] == []


def test_an_avatars_folder_that_is_a_link_is_never_followed(synced, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.move(synced.archive / "avatars", elsewhere)
    (synced.archive / "avatars").symlink_to(elsewhere)
    before = {p.name: p.stat().st_mtime_ns for p in elsewhere.iterdir()}
    r = synced.sync()
    assert_avatars_not_followed(r)
    assert {p.name: p.stat().st_mtime_ns for p in elsewhere.iterdir()} == before
    assert synced.load("sync_report.json")["avatars"]["folder_not_followed"] is True


def test_everything_else_is_archived_past_an_avatars_link(archiver, account, tmp_path):
    """A first sync into an archive whose avatars is a link: every item is archived, no icon."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    archiver.archive.mkdir(parents=True, exist_ok=True)
    (archiver.archive / "avatars").symlink_to(elsewhere)
    r = archiver.sync()
    assert_avatars_not_followed(r)
    assert list(elsewhere.iterdir()) == []
    report = archiver.load("sync_report.json")
    assert report["failed"] == [] and report["avatars"]["folder_not_followed"] is True
    for kind, photo in [("my_photos", p) for p in account.photos] + \
                       [("favorited_photos", p) for p, _ in account.favorites]:
        assert (archiver.item_dir(kind, photo.id) / "complete.flag").is_file(), photo.id
    assert len(archiver.load("my_photos_index.json")) == len(account.photos)

    (archiver.archive / "avatars").unlink()  # a folder again: the next sync makes it whole
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert "folder_not_followed" not in archiver.load("sync_report.json")["avatars"]
    assert_whole(archiver, account)


@pytest.mark.parametrize("name", ["users_cache.json", "albums_index.json"])
def test_a_damaged_index_file_is_said_and_rebuilt(synced, account, name):
    path = synced.archive / name
    good = json.loads(path.read_text())
    broken = path.read_bytes()[:len(path.read_bytes()) // 2]
    path.write_bytes(broken)
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert f"{name} is damaged (" in r.stderr
    assert json.loads(path.read_text()) == good
    kept = sorted(synced.archive.glob(f"damaged-*-{name}"))
    # the albums' list may be the only record of albums Flickr no longer lists
    assert [k.read_bytes() for k in kept] == ([broken] if name == "albums_index.json" else [])
    assert_whole(synced, account)


def test_a_half_written_item_of_the_python_tool_is_checked(synced, account):
    item = legacy_half_written(synced, I)
    good = (item / "original.jpg").read_bytes()
    with open(item / "original.jpg", "r+b") as f:
        f.truncate(1000)
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert (item / "original.jpg").read_bytes() == good
    [kept] = damaged_copies(item, "original.jpg")
    assert kept.stat().st_size == 1000
    assert_whole(synced, account)


def test_a_whole_original_of_the_python_tool_is_kept(synced, account):
    item = legacy_half_written(synced, I)
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert damaged_copies(item, "original.jpg") == []
    assert_whole(synced, account)


def test_an_item_folder_that_is_a_link_is_never_followed(synced, tmp_path):
    item = synced.item_dir("my_photos", I)
    outside = tmp_path / "outside"
    shutil.copytree(item, outside)
    (outside / "original.jpg").write_bytes(b"")
    (outside / MANIFEST).unlink()       # nor is a manifest written there
    shutil.rmtree(item)
    item.symlink_to(outside)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in outside.iterdir()}
    r = synced.sync()
    assert r.returncode == 1, r.stderr
    assert f"my_photos/{I}' is a symbolic link" in r.stderr
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in outside.iterdir()}
    assert after == before
    assert f"my_photos/{I}/" not in (synced.archive / MANIFEST).read_text()
    assert I not in index_ids(synced)                  # nor read through
    s = synced.run("search", "--archive", str(synced.archive), "Bristol")
    assert s.returncode in (0, 1) and I not in s.stdout, s.stdout + s.stderr
    assert verify(synced).returncode == 1


def test_an_interrupted_rewrite_is_not_taken_for_damage(synced, account):
    """A sync killed between rewriting a complete item and its manifest left its marker."""
    item = synced.item_dir("my_photos", I)
    marker = synced.archive / ".flickr-archive" / "rewriting" / f"my_photos-{I}"
    marker.parent.mkdir(exist_ok=True)
    marker.write_text("")
    m = synced.load("my_photos", I, "metadata.json")
    m["views"] += 1
    (item / "metadata.json").write_text(json.dumps(m))
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert "damaged" not in r.stderr
    assert damaged_copies(item, "metadata.json") == []
    assert not marker.exists()
    assert verify(synced).returncode == 0


def test_an_unchanged_resync_calls_only_the_listings(synced, fake):
    fake.reset_counters()
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert "damaged" not in r.stderr
    assert set(fake.calls) - ACCOUNT_METHODS == {
        "flickr.test.login", "flickr.photosets.getList", "flickr.people.getPhotos",
        "flickr.favorites.getList"}
    assert not fake.media_requests


# ---- random damage, one sync, the reference archive -------------------------------------

SEED = int(os.environ.get("FA_HEAL_SEED", "20261206"))
DAMAGED_FILES = 20


def damage(path, how, rng):
    data = path.read_bytes()
    if how == "zeroed":
        path.write_bytes(bytes(len(data)))
    elif how == "truncated":
        with open(path, "r+b") as f:
            f.truncate(rng.randrange(0, max(1, len(data))))
    elif how == "deleted":
        path.unlink()
    elif how == "bit-flipped":
        i = rng.randrange(len(data))
        path.write_bytes(data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:])
    else:  # broken JSON
        path.write_bytes(data[:max(1, len(data) // 3)] + b'\x00{"')


def test_random_damage_heals_to_the_reference(pinned, account, reference):
    r = pinned.sync()
    assert r.returncode == 0, r.stderr
    rng = random.Random(SEED)
    print(f"FA_HEAL_SEED={SEED}")
    files = sorted(p for pattern in ("my_photos/*/*", "favorited_photos/*/*", "avatars/*")
                   for p in pinned.archive.glob(pattern)
                   if p.is_file() and p.name not in (MANIFEST, "complete.flag"))
    chosen = rng.sample(files, DAMAGED_FILES)
    kept = []
    for p in chosen:
        how = rng.choice(["zeroed", "truncated", "deleted", "bit-flipped"] +
                         (["broken JSON"] * 2 if p.suffix == ".json" else []))
        if how == "bit-flipped" and p.stat().st_size == 0:
            how = "deleted"
        before = p.read_bytes()
        damage(p, how, rng)
        print(p.relative_to(pinned.archive), how)
        if how != "deleted" and (not p.exists() or p.read_bytes() != before):
            kept.append((p, p.read_bytes()))
    r = pinned.sync()
    assert r.returncode == 0, r.stderr
    assert verify(pinned).returncode == 0
    for p, data in kept:
        copies = damaged_copies(p.parent, p.name)
        assert [c.read_bytes() for c in copies] == [data], p
    # the damaged copies are all that is extra (and only they): the rest is the reference
    snap = archive_snapshot(pinned.archive, pinned.fake.url)
    extra = {k for k in snap if k.rsplit("/", 1)[-1].startswith("damaged-")}
    assert len(extra) == len(kept)
    for k in extra:
        del snap[k]
    assert snap == reference.snapshot, reference.describe_difference(
        pinned.archive, pinned.fake.url, snap)
