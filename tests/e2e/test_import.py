"""flickr-archive import: Flickr's own export read into the archive (issue 16).

The export's ZIPs are written by export_fixture.py from the sample account, in the format
../shared/flickr-export.md describes: both media-name styles, both `geo` forms.
"""
import hashlib
import json
import re
import shutil
import signal
import time
import zipfile
from xml.etree import ElementTree

import pytest

from conftest import temp_files
from export_fixture import (EXPORT_ONLY_GALLERY, EXPORT_ONLY_GROUP, FOLLOWER, account_members,
                            media_name, original_bytes, write_export, write_zip)

STYLES = [("slug", "array"), ("id", "object")]


def media_files(d):
    """The item's media file(s): original.<ext>, not its XMP sidecar."""
    return sorted(p for p in d.glob("original.*") if p.suffix != ".xmp")


def run_import(archiver, *paths, extra=()):
    return archiver.run("import", "--archive", str(archiver.archive), *extra,
                        *[str(p) for p in paths], env=archiver.env(credentials=False))


def verify_clean(archiver):
    r = archiver.run("verify", "--archive", str(archiver.archive),
                     env=archiver.env(credentials=False))
    assert r.returncode == 0, r.stdout + r.stderr


def report(archiver):
    return archiver.load("export", "import_report.json")


@pytest.fixture(scope="module")
def full_size_export(tmp_path_factory):
    """Media drawn at the size Flickr reports (the fake's own are scaled down)."""
    from fake_flickr import sample_account
    return write_export(tmp_path_factory.mktemp("export-full"), sample_account(),
                        "http://127.0.0.1:1", style="id", geo_form="object", full_size=True)


def sidecar_title(media):
    """dc:title of the XMP sidecar beside media (it must exist and be valid XML)."""
    root = ElementTree.parse(media.with_name(media.name + ".xmp")).getroot()
    ns = {"dc": "http://purl.org/dc/elements/1.1/",
          "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
    li = root.find(".//dc:title/rdf:Alt/rdf:li", ns)
    return li.text if li is not None else None


@pytest.mark.parametrize("style,geo_form", STYLES)
def test_import_into_an_empty_archive(archiver, fake, account, tmp_path, style, geo_form):
    zips = write_export(tmp_path / "export", account, fake.url, style=style, geo_form=geo_form)
    r = run_import(archiver, *reversed(zips))  # any order: the media before the JSON
    assert r.returncode == 0, r.stderr
    for p in account.photos:
        d = archiver.item_dir("my_photos", p.id)
        assert (d / "complete.flag").is_file(), p.id
        [media] = media_files(d)
        assert media.read_bytes() == original_bytes(p), p.id
        meta = archiver.load("my_photos", p.id, "metadata.json")
        assert meta["source"] == "flickr-export" and meta["title"] == p.title
        assert sidecar_title(media) == p.title  # photo managers read it at once
        assert meta["media"] == ("video" if p.is_video else "photo")
        assert meta["count_faves"] == len(p.faves)
        assert set(meta["synced"]["missing"]) == {"info", "comments", "favorites"}
        assert archiver.load("my_photos", p.id, "favorites.json") == []
        comments = archiver.load("my_photos", p.id, "comments.json")
        assert [c["author"] for c in comments] == [c.author for c in p.comments]
        sizes = archiver.load("my_photos", p.id, "sizes.json")
        assert sizes["source"] == "flickr-export" and sizes["archived"]["original"] is True
        if p.geo:
            assert meta["location"]["latitude"] == pytest.approx(p.geo["latitude"], abs=1e-6)
            assert meta["location"]["longitude"] == pytest.approx(p.geo["longitude"], abs=1e-6)
        else:
            assert meta["location"] is None
        in_albums = sorted(a.id for a in account.albums if p.id in a.photo_ids)
        assert sorted(a["id"] for a in meta["albums"]) == in_albums
    # everything else of the account data is kept verbatim under export/
    with zipfile.ZipFile(zips[0]) as z:
        for name in ("account_profile.json", "albums.json", "contacts_part001.json",
                     "received_flickrmail_part001.json"):
            assert (archiver.archive / "export" / name).read_bytes() == z.read(name)
        assert (archiver.archive / "export" / "photos" / f"photo_{account.photos[0].id}.json") \
            .read_bytes() == z.read(f"photo_{account.photos[0].id}.json")
    assert len(archiver.load("my_photos_index.json")) == len(account.photos)
    assert {a["id"] for a in archiver.load("albums_index.json")} == {a.id for a in account.albums}
    # the site and the search work, verify is clean
    assert (archiver.archive / "index.html").is_file()
    assert (archiver.archive / "site" / "photo" / f"{account.photos[0].id}.html").is_file()
    photo = account.photos[0]
    s = archiver.run("search", "--archive", str(archiver.archive), "--json", photo.title,
                     env=archiver.env(credentials=False))
    assert s.returncode == 0, s.stderr
    assert photo.id in {m["id"] for m in json.loads(s.stdout)}
    verify_clean(archiver)
    assert temp_files(archiver.archive) == []

    # a following API sync completes what the export lacks, and keeps the originals
    before = {p.id: media_files(archiver.item_dir("my_photos", p.id))[0].read_bytes()
              for p in account.photos if not p.is_video}
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    for p in account.photos:
        meta = archiver.load("my_photos", p.id, "metadata.json")
        assert "missing" not in meta["synced"], (p.id, meta["synced"])
        assert meta["owner"]["realname"] == account.owner.realname
        faves = archiver.load("my_photos", p.id, "favorites.json")
        assert len([f for f in faves if not f.get("removed")]) == len(p.faves)
        for c in archiver.load("my_photos", p.id, "comments.json"):
            assert c["author_name"] == account.users[c["author"]].username
        if not p.is_video:
            assert media_files(archiver.item_dir("my_photos", p.id))[0] \
                .read_bytes() == before[p.id]
    verify_clean(archiver)


def refused_originals_archive(archiver, fake):
    """A free account's sync: every photo original refused, the largest other size kept."""
    fake.quirk_url_o_refused = 403
    fake.quirk_url_o_refusals = None
    r = archiver.sync()
    assert r.returncode == 1, r.stderr  # originals missing, tried again next run


def test_import_replaces_the_originals_a_free_account_was_refused(archiver, fake, account,
                                                                  full_size_export):
    refused_originals_archive(archiver, fake)
    earlier = {}
    for p in account.photos:
        sizes = archiver.load("my_photos", p.id, "sizes.json")
        # every photo's original was refused; a video without an original has a transcode
        assert sizes["archived"]["original"] is (p.is_video and p.video_original_available)
        if not sizes["archived"]["original"]:
            [f] = media_files(archiver.item_dir("my_photos", p.id))
            earlier[p.id] = (f.name, f.read_bytes())
    r = run_import(archiver, *full_size_export)
    assert r.returncode == 0, r.stderr
    rep = report(archiver)
    assert rep["replaced"] == len(earlier) and rep["created"] == 0
    assert rep["same"] == len(account.photos) - len(earlier)  # the videos' originals
    for p in account.photos:
        if p.id not in earlier:
            continue
        d = archiver.item_dir("my_photos", p.id)
        sizes = archiver.load("my_photos", p.id, "sizes.json")
        assert sizes["source"] == "flickr-export" and sizes["archived"]["original"] is True
        if not p.is_video:
            assert (sizes["archived"]["width"], sizes["archived"]["height"]) == \
                (p.o_width, p.o_height)
        assert (d / sizes["archived"]["file"]).read_bytes() == original_bytes(p, full_size=True)
        [kept] = sizes["replaced"]
        assert kept["file"].startswith("replaced-") and kept["file"].endswith(earlier[p.id][0])
        assert (d / kept["file"]).read_bytes() == earlier[p.id][1]
        meta = archiver.load("my_photos", p.id, "metadata.json")
        assert meta["original_archived"] is True and "original" not in meta["synced"].get(
            "missing", {})
        assert sidecar_title(d / sizes["archived"]["file"]) == p.title
    verify_clean(archiver)
    # the next sync (originals still refused) has nothing left to fetch for the account's
    # own photos, and keeps them; only the favorites (not in the export) still lack theirs
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    assert "my_photos/" not in "".join(l for l in r.stderr.splitlines() if "refused" in l)
    assert not [w for w in archiver.load("sync_report.json")["without_original"]
                if w["kind"] == "my_photos"]
    for p in account.photos:
        if not p.is_video:
            sizes = archiver.load("my_photos", p.id, "sizes.json")
            assert sizes["archived"]["original"] is True
            d = archiver.item_dir("my_photos", p.id)
            assert (d / sizes["archived"]["file"]).read_bytes() == \
                original_bytes(p, full_size=True)
    verify_clean(archiver)


def test_an_original_that_fails_the_check_is_not_taken(archiver, fake, account, tmp_path):
    refused_originals_archive(archiver, fake)
    p = account.photo(account.public)
    # the fake's own file is drawn at 160 px: not the 2048 px Flickr reported
    z = write_zip(tmp_path / "data-download-1.zip", [(media_name(p, "slug"), original_bytes(p))])
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    [f] = media_files(archiver.item_dir("my_photos", p.id))
    before = f.read_bytes()
    r = run_import(archiver, *acct, z)
    assert r.returncode == 1
    assert f"my_photos/{p.id}" in r.stderr and "Flickr reported the original as 2048x1536" \
        in r.stderr
    assert f.read_bytes() == before
    assert not list(archiver.item_dir("my_photos", p.id).glob("replaced-*"))
    assert [x["id"] for x in report(archiver)["rejected"]] == [p.id]
    verify_clean(archiver)


def test_an_item_folder_that_is_a_link_is_never_followed(archiver, fake, account, tmp_path):
    """my_photos/<id> made a symbolic link (by hand, or by a tool): the import writes
    nothing through it, names it, and makes every other item."""
    zips = write_export(tmp_path / "export", account, fake.url)
    p = account.photos[0]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (archiver.archive / "my_photos").mkdir(parents=True)
    archiver.item_dir("my_photos", p.id).symlink_to(elsewhere)
    r = run_import(archiver, *zips, extra=("--no-site",))
    assert r.returncode == 1, r.stderr
    assert list(elsewhere.iterdir()) == []
    rejected = {x["id"]: x["problem"] for x in report(archiver)["rejected"]}
    assert "symbolic link" in rejected[p.id], rejected
    for q in account.photos[1:]:
        assert (archiver.item_dir("my_photos", q.id) / "complete.flag").is_file(), q.id


@pytest.mark.parametrize("folder", ["my_photos", "favorited_photos", "gallery_photos",
                                    ".flickr-archive/import-pending", "export", "export/photos"])
def test_a_folder_of_the_archive_that_is_a_link_stops_the_import(archiver, fake, account,
                                                                  tmp_path, folder):
    """my_photos (or another kind's folder, which opening the archive sweeps), the folder of
    the media kept aside, export/ or export/photos/ made a symbolic link: the import names it
    in one line, exits 3 and writes nothing through it."""
    zips = write_export(tmp_path / "export", account, fake.url)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = archiver.archive / folder
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere)
    # media without their JSON first: they would be kept aside
    for args in ([zips[1]], zips):
        r = run_import(archiver, *args, extra=("--no-site",))
        assert r.returncode == 3, r.stderr
        assert r.stderr.strip().splitlines() == [r.stderr.strip()]
        assert str(link) in r.stderr and "symbolic link" in r.stderr
        assert list(elsewhere.iterdir()) == []
    assert not (archiver.archive / "my_photos").is_dir() or folder == "my_photos" or \
        list((archiver.archive / "my_photos").iterdir()) == []
    link.unlink()
    r = run_import(archiver, *zips, extra=("--no-site",))
    assert r.returncode == 0, r.stderr
    verify_clean(archiver)


def test_an_original_cut_short_is_named_and_not_taken(archiver, fake, account, tmp_path):
    """Its header is whole and declares the right size; the rest of the file is missing."""
    refused_originals_archive(archiver, fake)
    before, cut = {}, []
    for p in account.photos:
        sizes = archiver.load("my_photos", p.id, "sizes.json")
        if sizes["archived"]["original"]:
            continue
        [f] = media_files(archiver.item_dir("my_photos", p.id))
        before[p.id] = (f, f.read_bytes())
        data = original_bytes(p, full_size=True)
        cut.append((media_name(p, "slug"), data[:len(data) * 2 // 3]))
    kinds = {n.rsplit(".", 1)[1] for n, _ in cut}
    assert {"jpg", "png", "gif"} <= kinds and kinds & {"mp4", "mov"}, kinds
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    z = write_zip(tmp_path / "data-download-1.zip", cut)
    r = run_import(archiver, *acct, z)
    assert r.returncode == 1
    rejected = {x["id"]: x["problem"] for x in report(archiver)["rejected"]}
    assert set(rejected) == set(before)
    assert all(why.startswith("cut short: ") for why in rejected.values()), rejected
    assert "the JPEG ends before its end marker (EOI)" in r.stderr
    for pid, (f, data) in before.items():
        d = archiver.item_dir("my_photos", pid)
        assert media_files(d) == [f] and f.read_bytes() == data
        assert not list(d.glob("replaced-*"))
    verify_clean(archiver)
    # into an empty archive: no item is made from a file cut short
    other = archiver.archive.parent / "empty-archive"
    r = archiver.run("import", "--archive", str(other), "--no-site", *map(str, acct), str(z),
                     env=archiver.env(credentials=False))
    assert r.returncode == 1
    assert not list(other.rglob("complete.flag"))
    assert {x["id"] for x in json.loads((other / "export" / "import_report.json")
                                        .read_text())["rejected"]} == set(before)


def test_an_archived_original_is_compared_never_overwritten(archiver, fake, account, tmp_path):
    assert archiver.sync().returncode == 0
    p = account.photo(account.public)
    d = archiver.item_dir("my_photos", p.id)
    [f] = media_files(d)
    before = f.read_bytes()
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    other = write_zip(tmp_path / "data-download-1.zip",
                      [(media_name(p, "slug"), original_bytes(p, full_size=True))])
    r = run_import(archiver, *acct, other)
    assert r.returncode == 1
    assert "differ" in r.stderr and p.id in r.stderr
    assert f.read_bytes() == before and not list(d.glob("replaced-*"))
    assert [x["id"] for x in report(archiver)["differs"]] == [p.id]
    # the same bytes: nothing to say
    same = write_zip(tmp_path / "same.zip", [(media_name(p, "id"), before)])
    r = run_import(archiver, *acct, same)
    assert report(archiver)["same"] == 1 and report(archiver)["differs"] == []
    # an archive made by sync: the items the export does not hold are named
    gone = account.photos[-1]
    partial = write_zip(tmp_path / "partial_part1.zip",
                        [(n, b) for n, b in account_members(account, fake.url)
                         if n != f"photo_{gone.id}.json"])
    shutil.rmtree(archiver.archive / "export")
    r = run_import(archiver, partial, same)
    assert report(archiver)["archived_not_in_export"] == [gone.id]
    assert "archived by sync that the export does not hold (1): " + gone.id in r.stderr
    verify_clean(archiver)


def test_a_truncated_zip_gives_its_whole_members_then_the_full_one_completes_it(
        archiver, fake, account, tmp_path):
    zips = write_export(tmp_path / "export", account, fake.url, media_zips=1)
    media = zips[1]
    cut = tmp_path / "cut" / media.name
    cut.parent.mkdir()
    data = media.read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    with zipfile.ZipFile(media) as z:
        infos = z.infolist()
    whole = [i.filename for i in infos if i.header_offset + 30 + len(i.filename.encode()) +
             i.compress_size + 64 < len(data) // 2]
    broken = next(i.filename for i in infos if i.filename not in whole)
    r = run_import(archiver, zips[0], cut)
    assert r.returncode == 1
    [line] = [l for l in r.stderr.splitlines() if "not imported" in l]
    assert broken in line and "cannot be read past it" in line
    rep = report(archiver)
    assert [d["member"] for d in rep["damaged"]] == [broken]
    created = {p.id for p in account.photos if (archiver.item_dir("my_photos", p.id) /
                                                "complete.flag").is_file()}
    by_name = {media_name(p, "slug"): p.id for p in account.photos}
    assert {by_name[n] for n in whole} <= created and by_name[broken] not in created
    assert set(rep["listed_without_media"]) == {p.id for p in account.photos} - created
    verify_clean(archiver)
    # the full ZIP, alone, completes it
    r = run_import(archiver, media)
    assert r.returncode == 0, r.stderr
    for p in account.photos:
        assert (archiver.item_dir("my_photos", p.id) / "complete.flag").is_file()
    assert report(archiver)["same"] == len(created)
    verify_clean(archiver)


# a crash before the records were written; or after, before the batch's flags were on disk
# (they are made durable by the next batch's sync)
@pytest.mark.parametrize("lost", [("complete.flag", "metadata.json", "manifest-sha256.txt"),
                                  ("complete.flag",)])
def test_an_interrupted_import_is_finished_and_folders_are_read(archiver, fake, account,
                                                               tmp_path, lost):
    zips = write_export(tmp_path / "export", account, fake.url)
    unpacked = tmp_path / "unpacked"
    for z in zips:
        with zipfile.ZipFile(z) as f:
            f.extractall(unpacked / z.stem)
    r = run_import(archiver, unpacked, extra=("--no-site",))
    assert r.returncode == 0, r.stderr
    p = account.photos[1]
    d = archiver.item_dir("my_photos", p.id)
    for name in lost:
        (d / name).unlink()
    r = run_import(archiver, unpacked, extra=("--no-site",))
    assert r.returncode == 0, r.stderr
    assert (d / "complete.flag").is_file()
    assert archiver.load("my_photos", p.id, "metadata.json")["source"] == "flickr-export"
    verify_clean(archiver)


def test_ctrl_c_while_the_zip_is_read_ahead_stops_at_once_and_the_next_run_completes(
        archiver, fake, account, tmp_path):
    """The media pass reads each ZIP on threads ahead of it: a Ctrl-C in the middle ends
    the run (status 130, no hang, nothing half-made counted as whole), and the next run
    completes the archive.  (The signal comes during the media pass: before, the test
    waited for complete.flags, which a batch writes only at its end.)"""
    export = tmp_path / "export"
    export.mkdir()
    write_zip(export / "72157724905358313_3ac1836c2225_part1.zip",
              account_members(account, fake.url))
    pad = bytes(range(256)) * (4 << 12)  # 4 MB after each JPEG's end: the run lasts a while
    with zipfile.ZipFile(export / "data-download-1.zip", "w", zipfile.ZIP_STORED) as z:
        for p in account.photos:
            data = original_bytes(p)
            if p.frame_format == "jpg" and not p.is_video:
                data += pad
            z.writestr(media_name(p, "slug"), data)
    proc = archiver.popen("import", "--no-site", "--archive", str(archiver.archive),
                          *map(str, sorted(export.iterdir())),
                          env=archiver.env(credentials=False), stdout=-1, stderr=-1)
    # the media pass says each item it has made ("[3/62] <id>"): the signal comes after the third
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if re.match(r"\[3/\d+\] ", line):
            proc.send_signal(signal.SIGINT)
            break
    else:
        raise AssertionError("the media pass said no third item:\n" + "".join(seen))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, "".join(seen) + err
    # the batch being made is not completed after a stop (its items are made again)
    done = len(list(archiver.archive.glob("my_photos/*/complete.flag")))
    assert done < len(account.photos) - 10, (done, err)
    r = run_import(archiver, *sorted(export.iterdir()), extra=("--no-site",))
    assert r.returncode == 0, r.stderr
    for p in account.photos:
        assert (archiver.item_dir("my_photos", p.id) / "complete.flag").is_file(), p.id
    verify_clean(archiver)


def pending(archiver):
    d = archiver.archive / ".flickr-archive" / "import-pending"
    return sorted(f.name for f in d.iterdir()) if d.is_dir() else []


def test_media_before_its_json_in_another_run_is_kept_aside_then_placed(archiver, fake, account,
                                                                       tmp_path):
    acct, media = write_export(tmp_path / "export", account, fake.url, media_zips=1)
    with zipfile.ZipFile(media) as z:
        names = sorted(z.namelist())
    # run 1: the media ZIP alone; no photo_<id>.json names them yet
    r = run_import(archiver, media, extra=("--no-site",))
    assert r.returncode == 1
    assert f"media files without a photo_<id>.json in the export ({len(names)})" in r.stderr
    # under their own names, made safe (the digits that tie them to their photo stay)
    assert pending(archiver) == sorted(re.sub(rb"[^A-Za-z0-9._-]", b"_", n.encode()).decode()
                                       for n in names)
    assert all("kept aside" in x["problem"] for x in report(archiver)["media_without_record"])
    assert not list(archiver.archive.rglob("complete.flag"))
    verify_clean(archiver)  # what waits in the work dir is not the archive's
    # run 2: the account data alone places every one of them
    r = run_import(archiver, acct)
    assert r.returncode == 0, r.stderr
    for p in account.photos:
        d = archiver.item_dir("my_photos", p.id)
        assert (d / "complete.flag").is_file(), p.id
        assert media_files(d)[0].read_bytes() == original_bytes(p), p.id
    assert pending(archiver) == [] and report(archiver)["created"] == len(account.photos)
    assert report(archiver)["media_without_record"] == []
    verify_clean(archiver)


def test_json_before_its_media_in_another_run(archiver, fake, account, tmp_path):
    acct, media = write_export(tmp_path / "export", account, fake.url, media_zips=1)
    r = run_import(archiver, acct, extra=("--no-site",))
    assert r.returncode == 1
    assert set(report(archiver)["listed_without_media"]) == {p.id for p in account.photos}
    r = run_import(archiver, media)
    assert r.returncode == 0, r.stderr
    assert report(archiver)["created"] == len(account.photos) and pending(archiver) == []
    for p in account.photos:
        assert (archiver.item_dir("my_photos", p.id) / "complete.flag").is_file(), p.id
    verify_clean(archiver)


INDEX_FILES = ("profile.json", "galleries_index.json", "groups_index.json", "contacts.json")


def index_files(archiver):
    return {n: archiver.load(n) for n in INDEX_FILES}


def by(entries, key):
    out = {}
    for e in entries:
        k = e.get(key) or e.get("profile_url")
        assert k not in out, f"{k} twice"  # never duplicated
        out[k] = e
    return out


def test_the_exports_account_files_join_what_sync_wrote(archiver, fake, account, tmp_path):
    assert archiver.sync().returncode == 0
    before = index_files(archiver)
    zips = write_export(tmp_path / "export", account, fake.url)
    r = run_import(archiver, *zips)
    assert r.returncode == 0, r.stderr
    assert "1 galleries" not in r.stderr and "2 galleries, 4 groups" in r.stderr
    after = index_files(archiver)
    # nothing the API wrote is replaced: entries only gain keys, and the export's mark
    prof = after["profile.json"]
    assert "source" not in prof and prof["also_in_export"] is True
    assert {k: prof[k] for k in before["profile.json"]} == before["profile.json"]
    for name, key, id_key in (("galleries_index.json", "galleries", "id"),
                              ("groups_index.json", "groups", "nsid"),
                              ("contacts.json", "contacts", "nsid")):
        was, now = by(before[name][key], id_key), by(after[name][key], id_key)
        for k, entry in was.items():
            assert {x: now[k][x] for x in entry} == entry, (name, k)
            assert now[k]["also_in_export"] is True and "source" not in now[k]
        added = {k: e for k, e in now.items() if k not in was}
        assert all(e["source"] == "flickr-export" for e in added.values()), name
        if key == "galleries":
            assert list(added) == [EXPORT_ONLY_GALLERY]
            assert added[EXPORT_ONLY_GALLERY]["photos"] == [{"id": "9400000000"}]
            assert added[EXPORT_ONLY_GALLERY]["photos_complete"] is False
        elif key == "groups":
            assert list(added) == [EXPORT_ONLY_GROUP] and added[EXPORT_ONLY_GROUP]["name"] == \
                "Steam Railways"
        else:
            assert list(added) == ["https://x/tom/"]  # no NSID, no alias: kept by its URL
    assert after["contacts.json"]["followers"] == [
        {"display_name": "Ann Follower", "profile_url": f"https://www.flickr.com/people/{FOLLOWER}/",
         "nsid": FOLLOWER, "source": "flickr-export"}]
    # the verbatim copies stay under export/
    with zipfile.ZipFile(zips[0]) as z:
        for name in ("galleries.json", "groups.json", "followers_part001.json"):
            assert (archiver.archive / "export" / name).read_bytes() == z.read(name)
    # again: nothing changes
    assert run_import(archiver, *zips).returncode == 0
    assert index_files(archiver) == after
    # and a later sync keeps them all, once
    assert archiver.sync().returncode == 0
    again = index_files(archiver)
    gal = by(again["galleries_index.json"]["galleries"], "id")
    assert len(gal) == 2 and gal[EXPORT_ONLY_GALLERY]["upstream"]["status"] == "deleted"
    assert gal[account.galleries[0].id]["also_in_export"] is True
    assert len(again["contacts.json"]["contacts"]) == len(account.contacts) + 1
    assert again["contacts.json"]["followers"] == after["contacts.json"]["followers"]
    verify_clean(archiver)


def test_a_sync_after_the_import_completes_its_account_files(archiver, fake, account, tmp_path):
    zips = write_export(tmp_path / "export", account, fake.url, media_zips=1)
    r = run_import(archiver, *zips)
    assert r.returncode == 0, r.stderr
    imported = index_files(archiver)
    prof = imported["profile.json"]
    assert (prof["source"], prof["nsid"], prof["username"], prof["realname"]) == \
        ("flickr-export", account.owner.nsid, account.owner.username, account.owner.realname)
    assert prof["join_date_formatted"] == "2008-01-01T00:00:00Z" and "email" not in prof
    gal = by(imported["galleries_index.json"]["galleries"], "id")
    assert set(gal) == {account.galleries[0].id.split("-")[1], EXPORT_ONLY_GALLERY}
    assert len(imported["groups_index.json"]["groups"]) == len(account.groups) + 1
    contacts = imported["contacts.json"]["contacts"]
    assert len(contacts) == len(account.contacts) + 1
    assert all(c["source"] == "flickr-export" for c in contacts)
    tom = account.users[account.contacts[0].nsid]
    assert by(contacts, "path_alias")[tom.path_alias]["display_name"] == tom.realname
    assert len(imported["contacts.json"]["followers"]) == 1

    assert archiver.sync().returncode == 0
    synced = index_files(archiver)
    prof = synced["profile.json"]
    assert "source" not in prof and prof["also_in_export"] is True
    assert prof["first_name"] == "Margaret" and prof["city"] == "Bristol"
    gal = by(synced["galleries_index.json"]["galleries"], "id")
    assert set(gal) == {account.galleries[0].id, EXPORT_ONLY_GALLERY}  # joined, not doubled
    g = gal[account.galleries[0].id]
    assert g["photos_complete"] is True and "source" not in g and g["also_in_export"] is True
    assert [p["comment"] for p in g["photos"]] == [c for _, c in account.galleries[0].photos]
    assert gal[EXPORT_ONLY_GALLERY]["upstream"]["status"] == "deleted"
    groups = by(synced["groups_index.json"]["groups"], "nsid")
    assert len(groups) == len(account.groups) + 1
    assert groups[account.groups[0].nsid]["members"] == 4211
    assert groups[account.groups[0].nsid]["also_in_export"] is True
    assert groups[EXPORT_ONLY_GROUP]["upstream"]["status"] == "not_a_member"
    contacts = synced["contacts.json"]["contacts"]
    assert len(contacts) == len(account.contacts) + 1
    for c in account.contacts:
        [entry] = [x for x in contacts if x.get("nsid") == c.nsid]
        assert entry["also_in_export"] is True and "source" not in entry
        assert entry["friend"] == bool(c.friend) and entry["family"] == bool(c.family)
    assert [x["profile_url"] for x in contacts if "nsid" not in x] == ["https://x/tom/"]
    assert synced["contacts.json"]["followers"] == imported["contacts.json"]["followers"]
    verify_clean(archiver)


def test_import_without_a_file_is_a_usage_error(archiver):
    r = run_import(archiver)
    assert r.returncode == 2 and "import needs" in r.stderr
    r = run_import(archiver, archiver.archive.parent / "nothing.zip")
    assert r.returncode == 3 and "nothing.zip" in r.stderr


def pools(archiver):
    return {g["nsid"]: g.get("photo_ids") for g in archiver.load("groups_index.json")["groups"]}


def account_counts(account, groups, group_photos):
    return {"profile": 1, "galleries": len(account.galleries) + 1, "groups": groups,
            "group_photos": group_photos, "contacts": len(account.contacts) + 1, "followers": 1,
            "skipped": 0}


def test_the_exports_group_photos_join_the_pools_sync_listed(archiver, fake, account, tmp_path):
    """photo_<id>.json's "groups" fill groups_index.json's photo_ids: a union with sync's."""
    bristol = account.groups[0]
    extra = next(p.id for p in account.photos if p.id not in bristol.pool_ids)
    bristol.pool_ids.append(extra)      # in the pool when sync listed it
    assert archiver.sync().returncode == 0
    bristol.pool_ids.remove(extra)      # ... and not in the export made later
    synced = pools(archiver)
    assert extra in synced[bristol.nsid] and EXPORT_ONLY_GROUP not in synced
    zips = write_export(tmp_path / "export", account, fake.url)
    r = run_import(archiver, *zips)
    assert r.returncode == 0, r.stderr
    after = pools(archiver)
    for g in account.groups:
        assert set(g.pool_ids) <= set(after[g.nsid]), g.nsid
        assert set(synced[g.nsid]) <= set(after[g.nsid]), g.nsid   # sync's ids stay
        assert len(after[g.nsid]) == len(set(after[g.nsid]))      # once each
    assert extra in after[bristol.nsid]
    assert after[EXPORT_ONLY_GROUP] == [account.photos[0].id]
    # what went into the index files, in the report and the summary
    in_pools = sum(len(g.pool_ids) for g in account.groups) + 1
    counts = account_counts(account, len(account.groups) + 1, in_pools)
    assert report(archiver)["account"] == counts
    assert (f"Account: the profile, 2 galleries, {len(account.groups) + 1} groups ({in_pools} of "
            f"the account's photos in their pools), {len(account.contacts) + 1} contacts, "
            "1 follower from the export") in r.stderr
    # the site's page of a group only the export has shows its photo
    page = (archiver.archive / "site" / "group" / f"{EXPORT_ONLY_GROUP}.html").read_text()
    assert f'href="../photo/{account.photos[0].id}.html"' in page
    assert "None of this archive's photos is in the pool" not in page
    # again: nothing changes
    assert run_import(archiver, *zips).returncode == 0
    assert pools(archiver) == after
    verify_clean(archiver)


def test_a_group_only_a_photo_names_is_added_with_its_photos(archiver, fake, account, tmp_path):
    lone = "70000002@N00"
    p = account.photos[2]
    members = []
    for name, data in account_members(account, fake.url):
        if name == f"photo_{p.id}.json":
            rec = json.loads(data)
            rec["groups"].append({"id": lone, "name": "<b>Lone</b> & Co",
                                  "url": f"https://www.flickr.com/groups/{lone}/"})
            rec["groups"].append({"id": "../../etc", "name": "bad", "url": ""})
            data = json.dumps(rec)
        members.append((name, data))
    acct = write_zip(tmp_path / "72157724905358313_3ac1836c2225_part1.zip", members)
    media = write_export(tmp_path / "m", account, fake.url, media_zips=1)[1]
    r = run_import(archiver, acct, media)
    assert r.returncode == 0, r.stderr
    groups = {g["nsid"]: g for g in archiver.load("groups_index.json")["groups"]}
    assert groups[lone]["photo_ids"] == [p.id] and groups[lone]["source"] == "flickr-export"
    assert groups[lone]["name"] == "<b>Lone</b> & Co" and "../../etc" not in groups
    for g in account.groups:
        assert sorted(groups[g.nsid].get("photo_ids", [])) == sorted(g.pool_ids)
    page = (archiver.archive / "site" / "group" / f"{lone}.html").read_text()
    assert f'href="../photo/{p.id}.html"' in page and "<b>Lone</b>" not in page
    assert report(archiver)["account"]["groups"] == len(account.groups) + 2
    # the item's metadata.json names its groups as sync's does, and search finds it by them
    meta = archiver.load("my_photos", p.id, "metadata.json")
    assert {"id": lone, "name": "<b>Lone</b> & Co"} in meta["groups"]
    assert "../../etc" not in {g["id"] for g in meta["groups"]}
    s = archiver.run("search", "--archive", str(archiver.archive), "--json", "Lone",
                     env=archiver.env(credentials=False))
    assert s.returncode == 0, s.stderr
    assert p.id in {m["id"] for m in json.loads(s.stdout)}
    verify_clean(archiver)


def test_followers_and_contacts_without_an_nsid_are_on_the_site(archiver, fake, account,
                                                               tmp_path):
    """The export may name a person by a path alias or a bare URL: they are shown, escaped."""
    from test_site import check_no_script_injection, read_page
    hostile = {'"><script>alert(1)</script>': "javascript:alert(1)",
               "<img src=x onerror=alert(2)>": 'https://www.flickr.com/people/a"b/'}
    members = []
    for name, data in account_members(account, fake.url):
        if name == "contacts_part001.json":
            doc = json.loads(data)
            doc["contacts"].update(hostile)
            data = json.dumps(doc)
        elif name == "followers_part001.json":
            doc = json.loads(data)
            doc["followers"]["Bob <b>Alias</b>"] = "https://www.flickr.com/photos/bob-alias/"
            data = json.dumps(doc)
        members.append((name, data))
    acct = write_zip(tmp_path / "72157724905358313_3ac1836c2225_part1.zip", members)
    r = run_import(archiver, acct, write_export(tmp_path / "m", account, fake.url,
                                                media_zips=1)[1])
    assert r.returncode == 0, r.stderr
    site = archiver.archive
    people = read_page(site / "site" / "people.html")
    contacts = archiver.load("contacts.json")["contacts"]
    cards = people.all("li", **{"class": "person-card contact-card"})
    assert len(cards) == len(contacts) == len(account.contacts) + 1 + len(hostile)
    # a contact known by a path alias only, and one by a URL that names neither
    alias = next(c["path_alias"] for c in contacts if "nsid" not in c and "path_alias" in c)
    assert people.all("li", **{"class": "person-card contact-card", "data-alias": alias})
    assert "Tom" in people.text and people.all("a", href="https://x/tom/")
    assert '"><script>alert(1)</script>' in people.text
    # the followers: one with an NSID (linked to their page), one with a path alias
    followers = people.all("li", **{"class": "person-card follower-card"})
    assert [f.get("data-nsid") for f in followers] == [FOLLOWER, None]
    assert followers[1]["data-alias"] == "bob-alias" and "Bob <b>Alias</b>" in people.text
    assert people.all("a", href=f"person/{FOLLOWER}.html")
    ann = read_page(site / "site" / "person" / f"{FOLLOWER}.html")
    assert "follower-badge" in ann.ids and "Ann Follower" in ann.text
    assert "link-followers" in read_page(site / "index.html").ids
    assert check_no_script_injection(site) == []
    verify_clean(archiver)


def a_photo(account):
    return next(p for p in account.photos if not p.is_video)


@pytest.mark.parametrize("length", ["short", "255 bytes"])
def test_two_files_of_one_name_waiting_for_their_json_are_both_kept(archiver, fake, account,
                                                                   tmp_path, length):
    p = a_photo(account)
    name = media_name(p, "slug")
    if length != "short":  # a long title's slug: the name and "2-<name>" must still fit
        name = "a-long-title-" * 20 + name
        name = name[len(name) - 255:]
    a, b = original_bytes(p), original_bytes(p, full_size=True)
    assert a != b
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    z1 = write_zip(tmp_path / "1" / "data-download-1.zip", [(name, a)])
    z2 = write_zip(tmp_path / "2" / "data-download-1.zip", [(name, b)])
    for z in (z1, z2, z1):  # the same bytes again are kept once
        assert run_import(archiver, z, extra=("--no-site",)).returncode == 1
    waiting = archiver.archive / ".flickr-archive" / "import-pending"
    assert len(pending(archiver)) == 2
    assert sorted((waiting / f).read_bytes() for f in pending(archiver)) == sorted([a, b])
    assert all(re.search(rf"_{p.id}_o\.", f) for f in pending(archiver))
    assert all(len(f.encode()) <= 243 for f in pending(archiver)), pending(archiver)
    # the JSON comes: one is placed, the other compared with it (it differs: kept, named)
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    r = run_import(archiver, *acct, extra=("--no-site",))
    assert r.returncode == 1
    [media] = media_files(archiver.item_dir("my_photos", p.id))
    placed = media.read_bytes()
    assert placed in (a, b)
    [left] = pending(archiver)
    assert (waiting / left).read_bytes() == ({a, b} - {placed}).pop()
    rep = report(archiver)
    assert rep["created"] == 1 and [(x["id"], x["member"]) for x in rep["differs"]] == \
        [(p.id, left)]
    verify_clean(archiver)


def test_two_files_of_one_id_in_one_run_the_second_is_compared(archiver, fake, account,
                                                                tmp_path):
    p = a_photo(account)
    a, b = original_bytes(p), original_bytes(p, full_size=True)
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    z = write_zip(tmp_path / "data-download-1.zip",
                  [(media_name(p, "slug"), a), (media_name(p, "id"), b)])
    r = run_import(archiver, *acct, z, extra=("--no-site",))
    assert r.returncode == 1
    [media] = media_files(archiver.item_dir("my_photos", p.id))
    assert media.read_bytes() == a  # the first: never overwritten by the second
    rep = report(archiver)
    assert rep["created"] == 1
    assert [(x["id"], x["member"]) for x in rep["differs"]] == [(p.id, media_name(p, "id"))]
    verify_clean(archiver)


def video_and_poster(account):
    """A video, its file in the export and its JPEG poster frame (the JSON's "original")."""
    from fake_flickr.media import jpeg_image
    v = next(p for p in account.photos if p.is_video)
    poster = jpeg_image(f"poster/{v.id}", 320, 240)
    return v, (media_name(v, "slug"), original_bytes(v)), (f"{v.id}_{v.secret}_o.jpg", poster)


def check_video_with_poster(archiver, v, video, poster):
    d = archiver.item_dir("my_photos", v.id)
    [media] = media_files(d)
    assert media.suffix != ".jpg" and media.read_bytes() == video
    assert (d / "poster.jpg").read_bytes() == poster
    assert not (d / "original.jpg").exists() and not (d / "original.jpg.xmp").exists()
    assert media.with_name(media.name + ".xmp").is_file()
    meta = archiver.load("my_photos", v.id, "metadata.json")
    sizes = archiver.load("my_photos", v.id, "sizes.json")
    assert meta["media"] == "video" and meta["export"]["file"] == media.name
    assert sizes["archived"]["file"] == media.name and sizes["archived"]["original"] is True
    assert sizes["archived"]["label"] == "Video Original"
    assert sizes["poster"]["file"] == "poster.jpg" and sizes["poster"]["original"] is False
    assert [x["media"] for x in archiver.load("my_photos_index.json") if x["id"] == v.id] == \
        ["video"]
    verify_clean(archiver)


@pytest.mark.parametrize("poster_first", [True, False])
@pytest.mark.parametrize("runs", [1, 2])
def test_a_videos_poster_frame_and_the_video_in_either_order(archiver, fake, account, tmp_path,
                                                             poster_first, runs):
    v, (vname, video), (pname, poster) = video_and_poster(account)
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    files = [(pname, poster), (vname, video)] if poster_first else \
        [(vname, video), (pname, poster)]
    if runs == 1:
        z = write_zip(tmp_path / "data-download-1.zip", files)
        r = run_import(archiver, *acct, z)
    else:
        for n, member in enumerate(files):
            (tmp_path / str(n)).mkdir()
            z = write_zip(tmp_path / str(n) / "data-download-1.zip", [member])
            r = run_import(archiver, *acct, z)
    assert v.id not in report(archiver)["listed_without_media"]
    assert report(archiver)["rejected"] == [] and report(archiver)["differs"] == []
    check_video_with_poster(archiver, v, video, poster)
    page = (archiver.archive / "site" / "photo" / f"{v.id}.html").read_text()
    assert "<video" in page and "poster.jpg" in page
    # the poster again: the same bytes, left alone
    again = write_zip(tmp_path / "again.zip", [(pname, poster)])
    r = run_import(archiver, *acct, again)
    assert report(archiver)["same"] == 1 and report(archiver)["posters"] == 0
    assert report(archiver)["differs"] == []
    check_video_with_poster(archiver, v, video, poster)


def test_a_synced_videos_poster_gives_way_only_to_a_larger_one(archiver, fake, account,
                                                               tmp_path):
    from fake_flickr.media import jpeg_image
    assert archiver.sync().returncode == 0
    v, _, (pname, _) = video_and_poster(account)
    d = archiver.item_dir("my_photos", v.id)
    [video] = media_files(d)
    synced, video_bytes = (d / "poster.jpg").read_bytes(), video.read_bytes()
    had = archiver.load("my_photos", v.id, "sizes.json")["poster"]
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    small = write_zip(tmp_path / "small.zip", [(pname, jpeg_image("small", 16, 16))])
    r = run_import(archiver, *acct, small)
    assert r.returncode == 1 and "archived poster frame" in r.stderr
    assert (d / "poster.jpg").read_bytes() == synced
    assert [x["id"] for x in report(archiver)["differs"]] == [v.id]
    bigger = jpeg_image("big", had["width"] * 2, had["height"] * 2)
    r = run_import(archiver, *acct, write_zip(tmp_path / "big.zip", [(pname, bigger)]))
    assert report(archiver)["posters"] == 1 and report(archiver)["differs"] == []
    assert (d / "poster.jpg").read_bytes() == bigger
    [kept] = d.glob("replaced-*-poster.jpg")
    assert kept.read_bytes() == synced
    sizes = archiver.load("my_photos", v.id, "sizes.json")
    assert sizes["poster"]["from"] == "flickr-export"
    assert sizes["replaced"][-1]["file"] == kept.name
    assert video.read_bytes() == video_bytes and media_files(d) == [video]
    verify_clean(archiver)
    # a following sync keeps both
    assert archiver.sync().returncode == 0
    assert (d / "poster.jpg").read_bytes() == bigger and kept.read_bytes() == synced
    verify_clean(archiver)


def test_a_run_stopped_after_the_poster_was_linked_is_finished(archiver, fake, account, tmp_path):
    """As if killed right after poster.jpg was linked to the picture: the video still comes in."""
    v, (vname, video), (pname, poster) = video_and_poster(account)
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    r = run_import(archiver, *acct, write_zip(tmp_path / "p.zip", [(pname, poster)]),
                   extra=("--no-site",))
    d = archiver.item_dir("my_photos", v.id)
    (d / "poster.jpg").hardlink_to(d / "original.jpg")
    r = run_import(archiver, *acct, write_zip(tmp_path / "v.zip", [(vname, video)]))
    assert report(archiver)["rejected"] == [], r.stderr
    check_video_with_poster(archiver, v, video, poster)


def account_zip_saying_video(tmp_path, account, fake, v, sign):
    """The account ZIP, v's photo_<id>.json with a sign that it is a video: a "media" key,
    or an "original" URL naming a video file (the export has no key known to say so)."""
    members = []
    for name, data in account_members(account, fake.url):
        if name == f"photo_{v.id}.json":
            doc = json.loads(data)
            if sign == "media":
                doc["media"] = "video"
            else:
                doc["original"] = f"{fake.url}/static/video/{v.id}_{v.secret}_o.mov?s=1"
            data = json.dumps(doc)
        members.append((name, data))
    (tmp_path / "acct").mkdir()
    return write_zip(tmp_path / "acct" / "72157724905358313_3ac1836c2225_part1.zip", members)


@pytest.mark.parametrize("sign", ["media", "url"])
def test_a_videos_poster_frame_without_its_video_is_the_video_missing(archiver, fake, account,
                                                                      tmp_path, sign):
    v, (vname, video), (pname, poster) = video_and_poster(account)
    acct = account_zip_saying_video(tmp_path, account, fake, v, sign)
    r = run_import(archiver, acct, write_zip(tmp_path / "p.zip", [(pname, poster)]))
    assert r.returncode == 1, r.stderr  # the video is missing from the export
    d = archiver.item_dir("my_photos", v.id)
    assert (d / "complete.flag").is_file()
    assert (d / "poster.jpg").read_bytes() == poster
    assert list(d.glob("original.*")) == []
    meta = archiver.load("my_photos", v.id, "metadata.json")
    sizes = archiver.load("my_photos", v.id, "sizes.json")
    assert meta["media"] == "video" and meta["original_archived"] is False
    assert "original" in meta["synced"]["missing"] and "file" not in meta["export"]
    assert sizes["poster"]["file"] == "poster.jpg" and "archived" not in sizes
    rep = report(archiver)
    assert v.id in rep["listed_without_media"] and rep["created"] == 1
    assert rep["rejected"] == [] and rep["differs"] == []
    assert v.id in r.stderr and "media it did not hold" in r.stderr
    assert [x["media"] for x in archiver.load("my_photos_index.json") if x["id"] == v.id] == \
        ["video"]
    assert (archiver.archive / "site" / "photo" / f"{v.id}.html").is_file()
    verify_clean(archiver)
    # the poster again is the same; then the video completes the item
    r = run_import(archiver, acct, write_zip(tmp_path / "p2.zip", [(pname, poster)]))
    assert report(archiver)["same"] == 1 and report(archiver)["rejected"] == []
    r = run_import(archiver, acct, write_zip(tmp_path / "v.zip", [(vname, video)]))
    rep = report(archiver)
    assert rep["replaced"] == 1 and rep["rejected"] == [], r.stderr
    assert v.id not in rep["listed_without_media"]
    check_video_with_poster(archiver, v, video, poster)
    meta = archiver.load("my_photos", v.id, "metadata.json")
    assert meta["original_archived"] is True and "original" not in meta["synced"]["missing"]


def rewriting(archiver, v):
    """The marker a run leaves while it rewrites the item (store_begin_rewrite)."""
    m = archiver.archive / ".flickr-archive" / "rewriting" / f"my_photos-{v.id}"
    m.parent.mkdir(parents=True, exist_ok=True)
    m.write_text("")


def stopped_between_picture_and_video(archiver, account, acct, tmp_path, stop, installed):
    """The item as a run stopped between the steps of video_over_poster() leaves it, its
    installed video's bytes being installed (the whole video, or what a crash left)."""
    v, (vname, video), (pname, poster) = video_and_poster(account)
    d = archiver.item_dir("my_photos", v.id)
    if stop == "records written":
        run_import(archiver, *acct, write_zip(tmp_path / "pv.zip",
                                              [(pname, poster), (vname, video)]))
        (d / "original.jpg").hardlink_to(d / "poster.jpg")
    else:
        run_import(archiver, *acct, write_zip(tmp_path / "p.zip", [(pname, poster)]),
                   extra=("--no-site",))
        (d / "poster.jpg").hardlink_to(d / "original.jpg")
    (d / f"original.{v.original_format}").write_bytes(installed)
    if stop == "picture's name gone":
        (d / "original.jpg").unlink()
    rewriting(archiver, v)


@pytest.mark.parametrize("stop", ["video installed", "picture's name gone", "records written"])
@pytest.mark.parametrize("then", ["video", "picture"])
def test_a_run_stopped_while_the_picture_gave_way_to_its_video_is_finished(
        archiver, fake, account, tmp_path, stop, then):
    """Stopped between the steps of video_over_poster(): original.jpg and the video both, or
    the picture's name left beside its poster; the next run, whichever file it brings, ends
    with the video as the original and the picture as poster.jpg, no file lost."""
    v, (vname, video), (pname, poster) = video_and_poster(account)
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    d = archiver.item_dir("my_photos", v.id)
    stopped_between_picture_and_video(archiver, account, acct, tmp_path, stop, video)
    member = (vname, video) if then == "video" else (pname, poster)
    r = run_import(archiver, *acct, write_zip(tmp_path / "again.zip", [member]))
    rep = report(archiver)
    assert rep["rejected"] == [] and rep["differs"] == [], r.stderr
    assert v.id not in rep["listed_without_media"]
    check_video_with_poster(archiver, v, video, poster)
    assert sorted(p.name for p in d.iterdir() if not p.name.startswith("manifest")) == sorted(
        ["complete.flag", "poster.jpg", f"original.{v.original_format}",
         f"original.{v.original_format}.xmp", "metadata.json", "sizes.json", "exif.json",
         "comments.json", "favorites.json"])
    assert not (archiver.archive / ".flickr-archive" / "rewriting" / f"my_photos-{v.id}").exists()


@pytest.mark.parametrize("stop", ["video installed", "records written"])
@pytest.mark.parametrize("then", ["video", "picture"])
def test_a_video_a_stopped_run_left_cut_short_is_kept_aside_and_the_exports_taken(
        archiver, fake, account, tmp_path, stop, then):
    """A crash before the batch's sync may leave the video a run installed cut short (the
    rewrite marker is durable, the video's bytes not yet): it is never taken as the original;
    its bytes are kept as damaged-*, and the export's video, when it comes, is the original."""
    v, (vname, video), (pname, poster) = video_and_poster(account)
    acct = write_export(tmp_path / "acct", account, fake.url, media_zips=0)
    d = archiver.item_dir("my_photos", v.id)
    cut = video[:len(video) // 3]
    stopped_between_picture_and_video(archiver, account, acct, tmp_path, stop, cut)
    member = (vname, video) if then == "video" else (pname, poster)
    r = run_import(archiver, *acct, write_zip(tmp_path / "again.zip", [member]))
    assert "cut short" in r.stderr and r.returncode in (0, 1), r.stderr
    [kept] = list(d.glob("damaged-*"))
    assert kept.read_bytes() == cut
    if then == "picture":
        rep = report(archiver)
        assert rep["rejected"] == [] and rep["differs"] == [], r.stderr
        # not yet the video: the picture the original again, or the video still missing
        assert not list(d.glob(f"original.{v.original_format}"))
        verify_clean(archiver)
        r = run_import(archiver, *acct, write_zip(tmp_path / "v.zip", [(vname, video)]))
    rep = report(archiver)
    assert rep["rejected"] == [] and rep["differs"] == [], r.stderr
    check_video_with_poster(archiver, v, video, poster)
    assert kept.read_bytes() == cut
    assert not (archiver.archive / ".flickr-archive" / "rewriting" / f"my_photos-{v.id}").exists()


def test_a_sync_after_an_import_keeps_the_pools_the_export_named(archiver, fake, account,
                                                                 tmp_path):
    """Ids the export put in a pool stay after a sync that lists the pool without them, unless
    Flickr says the photo left (as for an album: the pool listed whole, and the photo still
    on Flickr); a photo Flickr deleted keeps the pools it was in, as it keeps its files."""
    bristol, first = account.groups[0], account.photos[0].id
    gone, left = [p.id for p in account.photos if p.id not in bristol.pool_ids][:2]
    bristol.pool_ids += [gone, left]   # in the pool when the export was made
    zips = write_export(tmp_path / "export", account, fake.url)
    assert run_import(archiver, *zips).returncode == 0
    imported = pools(archiver)
    assert {gone, left} <= set(imported[bristol.nsid])
    account.delete_photo(gone)         # then deleted on Flickr, which no longer lists it
    bristol.pool_ids.remove(gone)
    bristol.pool_ids.remove(left)      # taken out of the pool, and still on Flickr
    r = archiver.sync()
    assert r.returncode in (0, 1), r.stderr
    after = pools(archiver)
    assert gone in after[bristol.nsid] and left not in after[bristol.nsid]
    for g in account.groups:
        assert set(imported[g.nsid] or []) - {left} <= set(after[g.nsid] or []), g.nsid
        assert len(after[g.nsid] or []) == len(set(after[g.nsid] or []))
    assert after[EXPORT_ONLY_GROUP] == [first]
    groups_of = {pid: [g["id"] for g in archiver.load("my_photos", pid, "metadata.json")["groups"]]
                 for pid in (gone, left)}
    assert bristol.nsid in groups_of[gone] and bristol.nsid not in groups_of[left]
    # a second sync (the pool's count unchanged) keeps them as they are
    assert archiver.sync().returncode in (0, 1)
    assert pools(archiver) == after


def test_a_sync_completes_the_video_an_export_held_only_the_poster_of(archiver, fake, account,
                                                                      tmp_path):
    """The export held a video's poster frame, not the video: the item is the video, missing;
    the user's first sync (an API key after all) brings the video and loses nothing."""
    v, (vname, video), (pname, poster) = video_and_poster(account)
    acct = account_zip_saying_video(tmp_path, account, fake, v, "media")
    assert run_import(archiver, acct, write_zip(tmp_path / "p.zip", [(pname, poster)])) \
        .returncode == 1
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    d = archiver.item_dir("my_photos", v.id)
    assert (d / "complete.flag").is_file()
    media = [f for f in media_files(d) if f.suffix != ".jpg"]
    assert len(media) == 1 and media[0].read_bytes() == video, media_files(d)
    # the export's poster frame is still there (as poster.jpg, or kept aside if sync's differs)
    assert any(f.read_bytes() == poster for f in d.iterdir() if f.is_file()), sorted(d.iterdir())
    meta = archiver.load("my_photos", v.id, "metadata.json")
    assert meta["media"] == "video"
    assert "original" not in meta.get("synced", {}).get("missing", {}), meta.get("synced")
    assert meta["original_archived"] is True
    verify_clean(archiver)


def test_the_video_of_a_poster_only_item_without_sizes_json_is_taken(archiver, fake, account,
                                                                      tmp_path):
    """A hand-edited or damaged item (its sizes.json gone) does not stop the import: the
    records start from an empty sizes.json, as a picture's do."""
    v, (vname, video), (pname, poster) = video_and_poster(account)
    acct = account_zip_saying_video(tmp_path, account, fake, v, "media")
    run_import(archiver, acct, write_zip(tmp_path / "p.zip", [(pname, poster)]))
    d = archiver.item_dir("my_photos", v.id)
    (d / "sizes.json").unlink()
    r = run_import(archiver, acct, write_zip(tmp_path / "v.zip", [(vname, video)]))
    assert r.returncode == 1, r.stderr  # 1: the other photos' media are not in this export
    assert report(archiver)["replaced"] == 1
    assert (d / f"original.{v.original_format}").read_bytes() == video
    assert archiver.load("my_photos", v.id, "sizes.json")["archived"]["file"] == \
        f"original.{v.original_format}"
