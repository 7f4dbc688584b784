"""XMP sidecars (issue 15): original.<ext>.xmp beside every original, read back by a real
reader (exiftool, Debian's libimage-exiftool-perl) and found equal to metadata.json."""
import hashlib
import html.parser
import json
import math
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import error_lines
from fake_flickr import Raw

EXIFTOOL = shutil.which("exiftool")


@pytest.fixture(autouse=True)
def need_exiftool():
    # the "done when": a real reader reads the sidecars; not a test to skip
    if not EXIFTOOL:
        pytest.fail("exiftool missing: apt-get install libimage-exiftool-perl "
                    "(scripts/install-deps.sh, run by make check, installs it)")

KINDS = ("my_photos", "favorited_photos", "gallery_photos")
# what a keyword hierarchy's separator becomes inside a name (see src/archive/xmp.h)
LOOK_ALIKE = {"|": "\u00a6", "/": "\u2215"}


def media_of(item):
    [media] = [p for p in item.iterdir()
               if p.name.startswith("original.") and p.suffix != ".xmp"]
    return media


def sidecars(archive):
    """{item folder: its sidecar} for every item of the archive."""
    found = {}
    for kind in KINDS:
        if not (archive / kind).is_dir():
            continue
        for item in sorted((archive / kind).iterdir()):
            found[item] = item / f"{media_of(item).name}.xmp"
    return found


def read_back(paths):
    """exiftool's reading of each file (-n: GPS as signed decimal degrees)."""
    r = subprocess.run([EXIFTOOL, "-j", "-struct", "-n", "-charset", "utf8", *map(str, paths)],
                       capture_output=True, text=True, check=True)
    return {entry["SourceFile"]: entry for entry in json.loads(r.stdout)}


def as_list(v):
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


class _Text(html.parser.HTMLParser):
    """Flickr's description HTML as the sidecar carries it: text, a link's target after it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.href, self.link_start = [], None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.out.append("\n")
        elif tag == "a":
            self.href, self.link_start = dict(attrs).get("href") or None, len("".join(self.out))

    def handle_endtag(self, tag):
        if tag == "a" and self.href:
            text = "".join(self.out)[self.link_start:]
            if not text:
                self.out.append(self.href)
            elif text != self.href:
                self.out.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data):
        self.out.append(data)


def description_text(description):
    p = _Text()
    p.feed(description or "")
    p.close()
    return "".join(p.out).strip()


def expected_date(meta):
    """Date taken as exiftool prints it, cut to Flickr's granularity; None when unknown."""
    if meta.get("date_taken_unknown"):
        return None
    date = meta["date_taken"].replace("-", ":")
    keep = {4: 7, 6: 4, 8: 4}.get(meta.get("date_taken_granularity", 0), 19)
    return date[:keep]


def keywords(meta, sep):
    tags = [t.replace(sep, LOOK_ALIKE[sep]) for t in meta["tags"]]
    return tags + [f"Albums{sep}" + (a["title"] or a["id"]).replace(sep, LOOK_ALIKE[sep])
                   for a in meta.get("albums") or []]


def person(p):
    return p.get("display_name") or p.get("realname") or p.get("username")


def assert_sidecar_matches(meta, got, where):
    """exiftool's reading of a sidecar against the item's metadata.json."""
    if meta["title"]:
        assert str(got["Title"]) == meta["title"], where
    else:
        assert "Title" not in got, where
    text = description_text(meta["description"])
    assert str(got.get("Description", "")) == text, where
    assert str(got.get("ImageDescription", "")) == text, where
    assert as_list(got.get("Subject")) == meta["tags"], where
    assert as_list(got.get("HierarchicalSubject")) == keywords(meta, "|"), where
    assert as_list(got.get("TagsList")) == keywords(meta, "/"), where
    date = expected_date(meta)
    for tag in ("DateTimeOriginal", "CreateDate", "DateCreated"):
        assert (str(got[tag]) if tag in got else None) == date, (where, tag)
    loc = meta["location"]
    if loc:
        assert math.isclose(got["GPSLatitude"], loc["latitude"], abs_tol=1e-6), where
        assert math.isclose(got["GPSLongitude"], loc["longitude"], abs_tol=1e-6), where
    else:
        assert "GPSLatitude" not in got and "GPSLongitude" not in got, where
    assert as_list(got.get("Creator")) == [person(meta["owner"])], where
    assert got["UsageTerms"] == meta["license"]["name"], where
    if meta["license"]["url"]:
        assert got["WebStatement"] == meta["license"]["url"], where
    assert got["Source"] == meta["urls"]["photopage"], where
    assert str(got["Identifier"]) == meta["id"], where
    assert as_list(got.get("PersonInImage")) == [person(p) for p in meta.get("people") or []], \
        where


def manifest_digest(item, name):
    for line in (item / "manifest-sha256.txt").read_text().splitlines():
        digest, path = line.split(" ", 1)
        if path.strip().endswith(f"/{name}"):
            return digest
    return None


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_every_sidecar_matches(archiver):
    found = sidecars(archiver.archive)
    got = read_back(found.values())
    assert len(got) == len(found)
    for item, sidecar in found.items():
        where = str(item.relative_to(archiver.archive))
        assert_sidecar_matches(json.loads((item / "metadata.json").read_text()),
                               got[str(sidecar)], where)
        ET.parse(sidecar)  # well-formed XML, by a strict parser too
        assert manifest_digest(item, sidecar.name) == sha(sidecar), where
    return found


def assert_verified(archiver):
    v = archiver.run("verify", "--archive", str(archiver.archive))
    assert v.returncode == 0, v.stdout + v.stderr
    return v


def test_every_sidecar_reads_back_with_exiftool(archiver, account):
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    found = assert_every_sidecar_matches(archiver)
    gallery_photos = {pid for g in account.galleries for pid, _comment in g.photos}
    assert gallery_photos, "the sample account has a gallery"
    assert len(found) == len(account.photos) + len(account.favorites) + len(gallery_photos)
    metas = [json.loads((i / "metadata.json").read_text()) for i in found]
    # the sample covers what the sidecar must get right
    assert any(m["location"] for m in metas)
    assert any(m["albums"] for m in metas)
    assert any(m.get("people") for m in metas)
    assert any("<a " in m["description"] for m in metas)
    assert {m.get("date_taken_granularity") for m in metas} >= {0, 4, 6}
    assert any(m.get("date_taken_unknown") for m in metas)
    assert any(m["media"] == "video" for m in metas)
    # the originals are never touched: their bytes are the ones downloaded and recorded
    for item in found:
        assert manifest_digest(item, media_of(item).name) == sha(media_of(item))
    v = assert_verified(archiver)
    assert "unrecorded" not in v.stdout


def unrecord_sidecars(archiver):
    """The archive as a version before sidecars left it: none, and none in any manifest."""
    for item, sidecar in sidecars(archiver.archive).items():
        sidecar.unlink()
        m = item / "manifest-sha256.txt"
        m.write_text("".join(l for l in m.read_text().splitlines(True) if ".xmp" not in l))
    root = archiver.archive / "manifest-sha256.txt"
    root.write_text("".join(l for l in root.read_text().splitlines(True) if ".xmp" not in l))


def test_an_archive_from_before_sidecars_gets_them_without_api_calls(archiver, fake, account):
    gone = account.photos[3].id
    assert archiver.sync().returncode == 0
    account.delete_photo(gone)  # unlisted items get theirs too
    assert archiver.sync().returncode == 0
    fake.reset_counters()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    unchanged = dict(fake.calls)

    unrecord_sidecars(archiver)
    fake.reset_counters()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert error_lines(r.stderr) == []
    assert dict(fake.calls) == unchanged  # not one call more than an unchanged re-sync
    assert sum(fake.media_requests.values()) == 0  # nor a download
    found = assert_every_sidecar_matches(archiver)
    assert (archiver.item_dir("my_photos", gone) / "original.jpg.xmp") in found.values()
    v = assert_verified(archiver)
    assert "unrecorded" not in v.stdout


def test_an_unchanged_resync_rewrites_no_sidecar(archiver, fake):
    assert archiver.sync().returncode == 0
    before = {p: p.stat().st_mtime_ns for p in sidecars(archiver.archive).values()}
    assert archiver.sync().returncode == 0
    assert {p: p.stat().st_mtime_ns for p in sidecars(archiver.archive).values()} == before


def test_an_edit_rewrites_that_sidecar(archiver, fake, account):
    pid = account.photos[0].id
    assert archiver.sync().returncode == 0
    found = sidecars(archiver.archive)
    before = {p: p.stat().st_mtime_ns for p in found.values()}
    account.edit(pid, account.photos[0].last_update + 100, title="Grandpa <Joe> & co",
                 description='New <a href="https://example.org/">caption</a>',
                 tags=["grandpa", "AC/DC", "a|b"])
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert_every_sidecar_matches(archiver)
    sidecar = found[archiver.item_dir("my_photos", pid)]
    got = read_back([sidecar])[str(sidecar)]
    assert got["Title"] == "Grandpa <Joe> & co"
    assert got["Description"] == "New caption (https://example.org/)"
    assert got["Subject"] == ["grandpa", "AC/DC", "a|b"]
    changed = [p for p in found.values() if p.stat().st_mtime_ns != before[p]]
    assert changed == [sidecar]
    assert_verified(archiver)


def test_a_damaged_sidecar_is_made_again_without_api_calls(archiver, fake, account):
    assert archiver.sync().returncode == 0
    fake.reset_counters()
    assert archiver.sync().returncode == 0
    unchanged = dict(fake.calls)
    item = archiver.item_dir("my_photos", account.photos[1].id)
    sidecar = item / f"{media_of(item).name}.xmp"
    good = sidecar.read_bytes()
    # another program writes its own sidecar under the same name (darktable does)
    sidecar.write_bytes(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    fake.reset_counters()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert dict(fake.calls) == unchanged
    assert sidecar.read_bytes() == good
    [kept] = [p for p in item.iterdir() if p.name.startswith("damaged-")]
    assert kept.name.endswith("-" + sidecar.name)
    assert kept.read_bytes() == b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
    assert_every_sidecar_matches(archiver)
    assert_verified(archiver)  # the kept copy is only "unrecorded", a warning


def test_hostile_texts_make_valid_xml(archiver, fake, account):
    target = account.photo(account.special["unicode_html"])
    fake.mutate_photo(target.id, {
        "title": Raw(b'{"_content":"a]]>b<c&d\\u0001\\u001b[31m \\"e\\" \xff"}'),
        "description": Raw(b'{"_content":"x\\u0007y <b>]]></b> &amp;&#1; <a href=\\"javascript:'
                           b'alert(1)\\">z</a>\\r\\n\xc3("}'),
        "tags": {"tag": [{"id": "t1", "author": target.owner, "raw": "<tag>&\\u0002",
                          "_content": "tag", "machine_tag": 0}]}},
        method="flickr.photos.getInfo")
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    item = archiver.item_dir("my_photos", target.id)
    sidecar = item / f"{media_of(item).name}.xmp"
    ET.parse(sidecar)
    got = read_back([sidecar])[str(sidecar)]
    assert got["Title"] == 'a]]>b<c&d[31m "e" \ufffd'
    assert got["Description"] == "xy ]]> & z (javascript:alert(1))\n\ufffd("
    meta = json.loads((item / "metadata.json").read_text())
    assert as_list(got.get("Subject")) == [t.replace("\u0002", "") for t in meta["tags"]]
    assert_verified(archiver)


def test_joining_an_album_rewrites_the_sidecar_without_getinfo(archiver, fake, account):
    photo = next(p for p in account.photos
                 if not any(p.id in a.photo_ids for a in account.albums) and not p.is_video)
    album = account.albums[0]
    assert archiver.sync().returncode == 0
    account.add_to_album(album.id, photo.id, photo.last_update + 100)
    fake.reset_counters()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert "flickr.photos.getInfo" not in fake.calls  # the listing says enough
    sidecar = archiver.item_dir("my_photos", photo.id) / "original.jpg.xmp"
    got = read_back([sidecar])[str(sidecar)]
    assert as_list(got["HierarchicalSubject"])[-1] == f"Albums|{album.title}"
    assert as_list(got["TagsList"])[-1] == f"Albums/{album.title}"
    assert_every_sidecar_matches(archiver)
    assert_verified(archiver)
