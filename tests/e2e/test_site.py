"""The site (flickr-archive site, and the end of every sync): a static website in the
archive that works from disk.

Checked without a browser: every item has a page with what the archive knows of it;
every local link and image resolves to a file; nothing is loaded from the network;
hostile titles, descriptions and comments cannot inject markup or script; a run with
nothing changed rewrites nothing; a changed title rewrites that page and the lists
that show it, and no other photo page.
"""
import dataclasses
import html
import json
import os
import pathlib
import re
import urllib.parse
from html.parser import HTMLParser

import pytest

from conftest import error_lines, shown_items, temp_files

SEARCH_PREFIX = "window.FA_SEARCH_INDEX = "
HOSTILE_TITLE = '</title><script>alert("t")</script>"\' & <b>bold?</b>'
HOSTILE_DESCRIPTION = ('<script>alert(1)</script>Safe words <a href="javascript:alert(2)">js</a> '
                       '<img src="x" onerror="alert(3)"> <a href="https://ok.example/?a=1&b=2" '
                       'onclick="alert(4)">fine link</a> <iframe src="https://evil.example/"></iframe>')
HOSTILE_COMMENT = ('<a href="jav&#x61;script:alert(5)">click</a> <style>*{}</style>'
                   '<b onmouseover="alert(6)">zebracorn</b> </div></li></ol><script>alert(7)</script>')


# ---- reading the site ----------------------------------------------------------------

class Page(HTMLParser):
    """Tags with their attributes, ids, and the page's text (whitespace collapsed)."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []          # (tag, {attr: value})
        self.ids = {}
        self.chunks = []
        self.feed(text)
        self.close()
        self.text = re.sub(r"\s+", " ", "".join(self.chunks))

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        self.tags.append((tag, d))
        if "id" in d:
            self.ids[d["id"]] = d

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.chunks.append(data)

    def all(self, tag, **want):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in want.items())]


def read_page(path):
    return Page(pathlib.Path(path).read_text(encoding="utf-8"))


def site_files(root):
    root = pathlib.Path(root)
    return [root / "index.html"] + sorted(p for p in (root / "site").rglob("*") if p.is_file())


def html_files(root):
    return [p for p in site_files(root) if p.suffix == ".html"]


def load_search_index(root):
    text = (pathlib.Path(root) / "site" / "search-index.js").read_text(encoding="ascii")
    start = text.index(SEARCH_PREFIX) + len(SEARCH_PREFIX)
    return json.loads(text[start:].rstrip().rstrip(";"))


def squash(text):
    """Text without white space, to compare text that markup may have split."""
    return re.sub(r"\s+", "", text)


def plain(markup):
    """Flickr's markup as the text a reader sees (good enough for comparing)."""
    markup = re.sub(r"<(script|style)\b.*?</\1\s*>", "", markup or "", flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def snapshot(root):
    """{path: (mtime_ns, bytes)} of the site's files."""
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in site_files(root)}


def changed(before, after):
    return sorted(str(p) for p in after if p not in before or before[p] != after[p])


def archived_data(root):
    """{path: (mtime_ns, size)} of everything but the site."""
    root = pathlib.Path(root)
    out = {}
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if p.is_file() and rel.parts[0] not in ("site", "index.html"):
            st = p.stat()
            out[rel.as_posix()] = (st.st_mtime_ns, st.st_size)
    return out


LOCAL_REF_ATTRS = {"img": ["src"], "script": ["src"], "link": ["href"], "video": ["src", "poster"],
                   "source": ["src"], "audio": ["src"], "iframe": ["src"], "embed": ["src"],
                   "object": ["data"], "input": ["src"]}


def check_links(root):
    """Every reference in every page resolves to a file; only <a> may leave the archive."""
    root = pathlib.Path(root).resolve()
    problems = []
    for f in html_files(root):
        page = read_page(f)
        refs = [(t, a, v) for t, attrs in page.tags for a, v in attrs.items()
                if (t == "a" and a == "href") or (t == "form" and a == "action") or
                a in LOCAL_REF_ATTRS.get(t, [])]
        for tag, attr, value in refs:
            scheme = urllib.parse.urlsplit(value).scheme.lower()
            if tag == "a" and scheme in ("http", "https", "mailto"):
                continue
            if scheme or value.startswith("//"):
                problems.append(f"{f.relative_to(root)}: <{tag} {attr}={value!r}> is not local")
                continue
            path = urllib.parse.unquote(urllib.parse.urlsplit(value).path)
            if not path:
                continue  # "#main", "?q="
            target = (f.parent / path).resolve()
            if not target.is_relative_to(root):
                problems.append(f"{f.relative_to(root)}: {value!r} leaves the archive")
            elif not target.is_file():
                problems.append(f"{f.relative_to(root)}: {value!r} does not exist")
    return problems


def check_no_script_injection(root):
    """Scripts only from the site's assets; no event handler or javascript: anywhere."""
    problems = []
    for f in html_files(root):
        page = read_page(f)
        for tag, attrs in page.tags:
            if tag in ("iframe", "object", "embed", "style", "base", "meta") and \
                    not (tag == "meta" and set(attrs) <= {"charset", "name", "content"}):
                problems.append(f"{f}: <{tag}>")
            if tag == "script" and not re.fullmatch(r"(\.\./)*(site/)?(assets/[a-z]+\.js|"
                                                    r"search-index\.js)", attrs.get("src") or ""):
                problems.append(f"{f}: <script {attrs}>")
            for name, value in attrs.items():
                if name.startswith("on"):
                    problems.append(f"{f}: <{tag} {name}=...>")
                if value and "javascript:" in value.replace("\t", "").lower():
                    problems.append(f"{f}: <{tag} {name}={value!r}>")
    return problems


def all_items(archiver):
    out = []
    for kind, slug in (("my_photos", "photo"), ("favorited_photos", "fave")):
        for d in sorted((archiver.archive / kind).iterdir()):
            out.append((kind, slug, d.name))
    return out


def page_of(archiver, slug, pid):
    return archiver.archive / "site" / slug / f"{pid}.html"


def sync_ok(archiver, *extra):
    r = archiver.sync(*extra)
    assert r.returncode == 0, r.stderr
    assert error_lines(r.stderr) == [], r.stderr
    return r


# ---- the tests ------------------------------------------------------------------------

def test_sync_makes_a_site_that_shows_everything(archiver, account):
    r = sync_ok(archiver)
    index = archiver.archive / "index.html"
    assert index.is_file()
    assert f"open {index.resolve()}" in r.stderr
    assert temp_files(archiver.archive) == []
    people = archiver.load("users_cache.json")
    for kind, slug, pid in all_items(archiver):
        page = read_page(page_of(archiver, slug, pid))
        text = squash(page.text)
        meta = archiver.load(kind, pid, "metadata.json")
        assert page.ids["photo-title"] is not None
        assert squash(meta["title"] or "Untitled") in text, (pid, meta["title"])
        if meta.get("description"):
            assert squash(plain(meta["description"])) in text, pid
        for c in archiver.load(kind, pid, "comments.json"):
            assert squash(plain(c["text"])) in text, (pid, c["text"])
            assert squash(c.get("display_name") or c["author_name"]) in text, (pid, c["author"])
            assert page.all("li", **{"data-author": c["author"]}), (pid, c["author"])
        faves = archiver.load(kind, pid, "favorites.json")
        for f in faves:
            assert squash(f.get("display_name") or f["username"]) in text, (pid, f["nsid"])
            assert page.all("li", **{"data-nsid": f["nsid"]}), (pid, f["nsid"])
        assert len(page.all("li", **{"class": "fave"})) == len(faves)
        for tag in (t["raw"] for t in meta.get("tags_detail") or []):
            assert page.all("a", **{"class": "tag", "data-tag": tag}), (pid, tag)
        for album in meta.get("albums") or []:
            assert page.all("a", **{"data-album-id": album["id"]}), (pid, album)
        loc = meta.get("location") or {}
        if loc.get("latitude") is not None:
            osm = page.ids["osm-link"]["href"]
            assert osm.startswith("https://www.openstreetmap.org/?mlat=")
            assert f"mlat={loc['latitude']:.6f}" in osm and f"mlon={loc['longitude']:.6f}" in osm
            assert squash(loc["locality"]["_content"]) in text, pid
        exif = archiver.load(kind, pid, "exif.json")
        if exif.get("camera"):
            assert page.all("dd", **{"data-exif": "camera"}), pid
            assert squash(exif["camera"]) in text
        if meta["media"] == "video":
            [video] = page.all("video")
            assert "controls" in video
            [source] = page.all("source")
            assert source["src"].startswith(f"../../{kind}/{pid}/original.")
            assert video["poster"] == f"../../{kind}/{pid}/poster.jpg"
        else:
            assert page.ids["photo-image"]["alt"] == (meta["title"] or f"Photo {pid}")
    # avatars: each comment and fave shows an image (the icon, or the placeholder)
    page = read_page(page_of(archiver, "photo", account.unicode_html))
    assert len(page.all("img", alt="")) >= 7
    assert {u["nsid"] for u in people.values()} >= {a["data-nsid"] for a in
                                                     page.all("a", **{"class": "person person-link"})}


def test_every_link_resolves_and_nothing_comes_from_the_network(archiver):
    sync_ok(archiver)
    assert check_links(archiver.archive) == []
    assert check_no_script_injection(archiver.archive) == []
    for f in (archiver.archive / "site" / "assets").iterdir():
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"(?i)@import|url\(\s*['\"]?(https?:)?//", text), f
        assert "fetch(" not in text and "XMLHttpRequest" not in text, f
    for f in html_files(archiver.archive):
        text = f.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">"), f
        assert '<meta charset="utf-8">' in text and 'name="viewport"' in text, f
        page = read_page(f)
        assert page.ids.get("main") is not None and page.all("header") and page.all("nav"), f
        assert page.all("a", **{"class": "skip-link", "href": "#main"}), f
        for img in page.all("img"):
            assert "alt" in img and img.get("width") and img.get("height"), (f, img)


def test_lists_albums_people_and_search_index(archiver, account):
    sync_ok(archiver)
    root = archiver.archive
    stream = read_page(root / "index.html")
    ids = [a["data-id"] for a in stream.all("li") if a.get("data-kind") == "photo"]
    index = archiver.load("my_photos_index.json")
    posted = {e["id"]: int(e["date_uploaded"]) for e in index}
    assert sorted(ids) == sorted(posted)  # 52 photos: one page
    assert [posted[i] for i in ids] == sorted(posted.values(), reverse=True)
    taken = read_page(root / "site" / "taken.html")
    by_taken = [a["data-id"] for a in taken.all("li") if a.get("data-kind") == "photo"]
    dates = {e["id"]: e.get("date_taken") or "" for e in index}
    assert sorted(by_taken) == sorted(ids)
    assert [dates[i] for i in by_taken] == sorted(dates.values(), reverse=True)
    assert stream.ids["sort-taken"]["href"] == "site/taken.html"
    assert taken.ids["sort-posted"]["href"] == "../index.html"
    for img in stream.all("img"):
        if img["src"].startswith("site/thumbs/"):
            assert img["loading"] == "lazy"
    favs = read_page(root / "site" / "favorites.html")
    assert len([a for a in favs.all("li") if a.get("data-kind") == "fave"]) == len(account.favorites)
    assert "by" in favs.text
    for album in archiver.load("albums_index.json"):
        page = read_page(root / "site" / "album" / f"{album['id']}.html")
        shown = [a["data-id"] for a in page.all("li") if a.get("data-kind") == "photo"]
        assert shown == album["photo_ids"], album["id"]
    # a person who commented: their page lists the comment and the photo
    c = archiver.load("my_photos", account.unicode_html, "comments.json")[0]
    person = read_page(root / "site" / "person" / f"{c['author']}.html")
    assert squash(plain(c["text"])) in squash(person.text)
    assert person.all("li", **{"data-id": account.unicode_html})
    # the search index holds every item, each comment's text, and people
    idx = load_search_index(root)
    assert len(idx["items"]) == shown_items(account)
    item = next(i for i in idx["items"] if i[1] == account.unicode_html)
    assert "Pozdrowienia" in " ".join(text for _, text in item[8])
    assert any(p[0] == c["author"] for p in idx["people"])


def test_hostile_text_is_escaped_everywhere(archiver, account):
    pid = account.unicode_html
    account.edit(pid, 1700000000, title=HOSTILE_TITLE, description=HOSTILE_DESCRIPTION)
    account.add_comment(pid, account.photo(pid).comments[0].author, HOSTILE_COMMENT, 1700000100)
    sync_ok(archiver)
    assert check_no_script_injection(archiver.archive) == []
    assert check_links(archiver.archive) == []
    page = read_page(page_of(archiver, "photo", pid))
    raw = page_of(archiver, "photo", pid).read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "<title></title>" not in raw
    assert page.text.count(HOSTILE_TITLE) >= 1  # the title reads as written
    assert "Safe words" in page.text and "zebracorn" in page.text
    assert page.all("a", href="https://ok.example/?a=1&b=2")
    assert not page.all("iframe") and not page.all("style")
    # the page's structure survived the comment's stray end tags
    assert page.ids.get("faves") is not None and page.all("footer")
    js = (archiver.archive / "site" / "search-index.js").read_text(encoding="ascii")
    assert "<" not in js and ">" not in js
    item = next(i for i in load_search_index(archiver.archive)["items"] if i[1] == pid)
    assert item[2] == HOSTILE_TITLE
    stream = read_page(archiver.archive / "index.html")
    assert HOSTILE_TITLE in stream.text


def test_nothing_changed_rewrites_nothing(archiver):
    sync_ok(archiver)
    data = archived_data(archiver.archive)
    before = snapshot(archiver.archive)
    r = archiver.run("site", "--archive", str(archiver.archive))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str((archiver.archive / "index.html").resolve())
    assert "0 pages written" in r.stderr and "0 thumbnails made" in r.stderr
    assert changed(before, snapshot(archiver.archive)) == []
    assert archived_data(archiver.archive) == data  # archived files untouched
    sync_ok(archiver)  # an unchanged re-sync too
    assert changed(before, snapshot(archiver.archive)) == []
    assert archiver.run("verify", "--archive", str(archiver.archive)).returncode == 0


def test_changed_title_rewrites_its_page_and_the_lists_that_show_it(archiver, account):
    sync_ok(archiver)
    root = archiver.archive
    before = snapshot(root)
    pid = account.unicode_html
    account.edit(pid, 1800000000, title="Kraków, retitled")
    sync_ok(archiver)
    got = changed(before, snapshot(root))
    page = str(page_of(archiver, "photo", pid))
    assert page in got
    meta = archiver.load("my_photos", pid, "metadata.json")
    people = {c["author"] for c in archiver.load("my_photos", pid, "comments.json")}
    people |= {f["nsid"] for f in archiver.load("my_photos", pid, "favorites.json")}
    allowed = {page, str(root / "index.html"), str(root / "site" / "search-index.js"),
               str(root / "site" / "taken.html")}
    allowed |= {str(root / "site" / "album" / f"{a['id']}.html") for a in meta["albums"]}
    allowed |= {str(root / "site" / "person" / f"{n}.html") for n in people}
    if any(a["primary"] == pid for a in archiver.load("albums_index.json")):
        allowed.add(str(root / "site" / "albums.html"))  # the album's cover shows its title
    assert set(got) <= allowed, sorted(set(got) - allowed)
    assert "Kraków, retitled" in read_page(root / "index.html").text


def test_thumbnails_are_made_once_and_undecodable_images_get_a_placeholder(archiver, account):
    sync_ok(archiver)
    root = archiver.archive
    pid = account.public
    thumb = root / "site" / "thumbs" / "photo" / f"{pid}.jpg"
    assert thumb.read_bytes()[:2] == b"\xff\xd8"
    original = root / "my_photos" / pid / "original.jpg"
    original.write_bytes(b"this is not a JPEG at all" * 10)
    cut = root / "my_photos" / account.geo / "original.jpg"
    cut.write_bytes(cut.read_bytes()[:len(cut.read_bytes()) // 2])  # decodes, in part
    r = archiver.run("site", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    assert "VIPS" not in r.stderr and "GLib" not in r.stderr, r.stderr
    warnings = [l for l in r.stderr.splitlines() if "warning" in l]
    # the cut file may decode in part, or get a placeholder too: one line each at most
    [warning] = [l for l in warnings if f"my_photos/{pid}/" in l]
    assert len(warnings) <= 2 and all(f"my_photos/{account.geo}/" in l for l in warnings
                                      if l != warning), warnings
    assert f"my_photos/{pid}/original.jpg" in warning and "placeholder" in warning
    grid = read_page(root / "index.html")
    [img] = [a for a in grid.all("img") if a.get("alt") == account.photo(pid).title]
    assert img["src"] == "site/assets/placeholder-photo.svg"
    # remembered: no new attempt (nor warning) until the file changes
    before = snapshot(root)
    r = archiver.run("site", "--archive", str(root))
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr
    assert changed(before, snapshot(root)) == []


def test_gone_upstream_and_removed_comments_are_marked(archiver, account):
    sync_ok(archiver)
    gone = account.geo
    with_comments = account.unicode_html
    [first, _] = account.photo(with_comments).comments
    account.delete_photo(gone)
    account.remove_comment(with_comments, first.id, 1800000000)
    sync_ok(archiver)
    page = read_page(page_of(archiver, "photo", gone))
    assert page.ids["upstream-status"]["data-status"] == "unavailable"
    assert "No longer available on Flickr (deleted, or no longer shared with this account), " \
        "last seen" in page.text
    page = read_page(page_of(archiver, "photo", with_comments))
    [removed] = page.all("li", **{"class": "comment removed"})
    assert removed["id"] == f"comment-{first.id}"
    assert "removed from Flickr" in page.text
    grid = read_page(archiver.archive / "index.html")
    assert [a for a in grid.all("li") if a.get("data-id") == gone][0]["class"].endswith("is-gone")


def test_photo_pages_link_newer_and_older(archiver):
    sync_ok(archiver)
    ids = [a["data-id"] for a in read_page(archiver.archive / "index.html").all("li")
           if a.get("data-kind") == "photo"]
    for i, pid in enumerate(ids):
        page = read_page(page_of(archiver, "photo", pid))
        prev, nxt = page.ids.get("prev-link"), page.ids.get("next-link")
        assert (prev["href"] if prev else None) == (f"../photo/{ids[i - 1]}.html" if i else None)
        assert (nxt["href"] if nxt else None) == \
            (f"../photo/{ids[i + 1]}.html" if i + 1 < len(ids) else None)
    assert (archiver.archive / "site" / "assets" / "site.js").read_text().count("ArrowLeft") == 1


def test_no_site_option_and_site_errors(archiver, tmp_path):
    sync_ok(archiver, "--no-site")
    assert not (archiver.archive / "index.html").exists()
    assert not (archiver.archive / "site").exists()
    r = archiver.run("site", "--archive", str(tmp_path / "nowhere"))
    assert r.returncode == 3 and "no archive" in r.stderr and r.stdout == ""
    r = archiver.run("site", "--archive", str(archiver.archive))
    assert r.returncode == 0, r.stderr
    assert (archiver.archive / "index.html").is_file()
    assert "site" in archiver.run("--help").stdout


def test_pages_of_a_large_stream(archiver, account, fake):
    """Over 100 photos: the photostream is paginated, and pages link each other."""
    base = account.photos[0]
    for k in range(130):
        account.add_photo(dataclasses.replace(
            base, id=str(90_000_000_000 + k), title=f"Extra {k}", date_upload=1_750_000_000 + k,
            last_update=0, comments=[], faves=[], original_secret="", secret_h="", secret_k=""))
    sync_ok(archiver)
    root = archiver.archive
    first = read_page(root / "index.html")
    assert len([a for a in first.all("li") if a.get("data-kind") == "photo"]) == 100
    assert first.ids["next-link"]["href"] == "site/stream-2.html"
    second = read_page(root / "site" / "stream-2.html")
    assert second.ids["prev-link"]["href"] == "../index.html"
    assert len([a for a in second.all("li") if a.get("data-kind") == "photo"]) == \
        len(account.photos) - 100
    assert check_links(root) == []
