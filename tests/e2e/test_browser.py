"""The site in a real browser: headless Chromium (Debian's chromium, driven by
playwright-core from npm: tests/browser/drive_site.mjs) opens the site of a synced
sample account from file://, with no server and no network.

One sync and one browser run serve every test here: the driver visits the pages a
plan names and reports what it saw (what loaded, what the page says, where a key or
a click led); these tests check that against the archive's files.  Screenshots of
every page, desktop and phone, are kept in BUILD/browser-artifacts/ (or
$FLICKR_ARCHIVE_ARTIFACTS).

Needs Chromium, a Node.js that the pinned playwright-core accepts and
tests/browser/node_modules at the pinned version (scripts/install-deps.sh installs
them; `make check` runs it; the tests themselves never install anything).  Without a browser the tests skip, loudly; where CI
is set they fail instead, since CI installs one.
"""
import datetime
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import unicodedata

import pytest

from conftest import BIN, ROOT, Archiver, error_lines
from fake_flickr import FakeFlickr, sample_account
from test_site import plain

DRIVER_DIR = ROOT / "tests" / "browser"
DRIVER = DRIVER_DIR / "drive_site.mjs"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PHONE_WIDTH = 390
AVATAR_SIZE = 48  # the fake's buddy icons are 48x48
DRIVER_DEADLINE = 300  # seconds for the whole browser run (it takes about 20)


def artifacts_dir():
    """Where screenshots are kept: beside the binary under test (build/), unless told."""
    return pathlib.Path(os.environ.get("FLICKR_ARCHIVE_ARTIFACTS") or
                        pathlib.Path(BIN).resolve().parent / "browser-artifacts")


def find_chromium():
    given = os.environ.get("FLICKR_ARCHIVE_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


def pinned_playwright():
    """The playwright-core tests/browser/package-lock.json pins: its entry (version, engines)."""
    lock = json.loads((DRIVER_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/playwright-core"]


def playwright_problem(pin):
    """Why tests/browser/node_modules cannot serve: not installed, or not at the pinned version."""
    installed = DRIVER_DIR / "node_modules" / "playwright-core" / "package.json"
    if not installed.is_file():
        return "no tests/browser/node_modules (npm ci)"
    version = json.loads(installed.read_text(encoding="utf-8")).get("version")
    if version != pin["version"]:
        return f"tests/browser/node_modules has playwright-core {version}, the lockfile pins {pin['version']}"
    return None


def version_tuple(text):
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def node_problem(node, pin):
    """Why this Node.js cannot run the pinned playwright-core (its engines, ">=X[.Y.Z]"), or None."""
    want = (pin.get("engines") or {}).get("node", "").strip()
    if not re.fullmatch(r">=\s*\d+(\.\d+){0,2}", want):
        return None
    have = subprocess.run([node, "--version"], capture_output=True, text=True,
                          timeout=60).stdout.strip().lstrip("v")
    if version_tuple(have) >= version_tuple(want):
        return None
    return (f"Node.js {have} cannot run playwright-core {pin['version']} (it needs node {want}); "
            "see scripts/install-deps.sh --check")


def browser_tools():
    """(chromium, node), or why not: installing them is scripts/install-deps.sh's job."""
    chromium, node = find_chromium(), shutil.which("node")
    pin = pinned_playwright()
    missing = [what for what, ok in (("no Chromium (" + "/".join(CHROMIUM_NAMES) + ")", chromium),
                                     ("no node", node)) if not ok]
    problem = playwright_problem(pin)
    if problem:
        missing.append(problem)
    if missing:
        return None, "; ".join(missing) + "; run scripts/install-deps.sh"
    problem = node_problem(node, pin)
    if problem:
        return None, problem
    return (chromium, node), None


def squashed(text):
    return " ".join((text or "").split())


def shown_date(iso):
    """A comment's date as the site prints it: 5 Oct 2010, 14:24 UTC."""
    d = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return f"{d.day} {d:%b %Y, %H:%M} UTC"


class Browsed:
    """The synced archive, the plan the driver followed and what it reported."""

    def __init__(self, archiver, account, plan, report):
        self.archiver, self.account, self.plan, self.report = archiver, account, plan, report
        self.pages = report["pages"]

    def load(self, *parts):
        return self.archiver.load(*parts)

    def grid_ids(self):
        """The photostream's order: newest posted first."""
        index = self.load("my_photos_index.json")
        return [e["id"] for e in sorted(index, key=lambda e: -int(e["date_uploaded"]))]

    def people(self):
        return self.load("users_cache.json")


def make_plan(archiver, account, chromium, word):
    root = archiver.archive
    photo = account.unicode_html  # comments, faves, tags, an album, a place, EXIF
    videos = [f"site/{slug}/{d.name}.html" for kind, slug in (("my_photos", "photo"),
                                                              ("favorited_photos", "fave"))
              for d in sorted((root / kind).iterdir())
              if archiver.load(kind, d.name, "metadata.json")["media"] == "video"]
    albums = [f"site/album/{a['id']}.html" for a in archiver.load("albums_index.json")]
    commenter = archiver.load("my_photos", photo, "comments.json")[0]["author"]
    return {
        "root": str(root), "chromium": chromium, "artifacts": str(artifacts_dir()),
        "grid": "index.html", "photo": f"site/photo/{photo}.html", "albums": albums,
        "videos": videos, "search_word": word, "tag": "Kraków",
        "phone_pages": ["index.html", f"site/photo/{photo}.html",
                        f"site/photo/{account.special['many_comments']}.html",
                        f"site/photo/{account.special['many_faves']}.html", videos[0],
                        albums[0], "site/albums.html", "site/favorites.html", "site/people.html",
                        f"site/person/{commenter}.html", "site/taken.html",
                        f"site/search.html?q={word}"],
    }


def run_driver(node, tmp):
    """Runs drive_site.mjs on tmp/plan.json and returns its report.

    In a process group of its own, so that a driver killed for taking too long
    takes its Chromium with it."""
    log_path = tmp / "driver.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen([node, str(DRIVER), str(tmp / "plan.json")], cwd=DRIVER_DIR,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                env={**os.environ, "TMPDIR": str(tmp)}, start_new_session=True)
        try:
            status = proc.wait(timeout=DRIVER_DEADLINE + 60)
        except subprocess.TimeoutExpired:
            status = "killed"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    log = log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
    report_path = tmp / "report.json"
    if not report_path.is_file():
        pytest.fail(f"the browser driver wrote no report (status {status}):\n{log}")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert status == 0 and "fatal" not in report, \
        f"the browser driver failed (status {status}): {report.get('fatal')}\n{log}"
    return report


@pytest.fixture(scope="module")
def tools():
    return browser_tools()


_SKIP_SAID = False  # the skip is said out loud once, not for every test


@pytest.fixture
def need_browser(tools, capsys):
    found, why = tools
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"no browser in CI, whose scripts/install-deps.sh installs one: {why}")
    global _SKIP_SAID
    if not _SKIP_SAID:
        _SKIP_SAID = True
        with capsys.disabled():
            sys.stderr.write(f"\n*** flickr-archive: BROWSER TESTS SKIPPED: {why} ***\n")
    pytest.skip(f"browser tests skipped: {why}")


@pytest.fixture(scope="module")
def browsed(tools, tmp_path_factory):
    found, _ = tools
    if not found:
        return None
    chromium, node = found
    tmp = tmp_path_factory.mktemp("browser")
    account = sample_account()
    word = "snickerdoodles"  # in one comment of account.search_comment, nowhere else
    with FakeFlickr(account) as server:
        archiver = Archiver(server, tmp)
        r = archiver.sync()
        assert r.returncode == 0, r.stderr
        assert error_lines(r.stderr) == [], r.stderr
    plan = make_plan(archiver, account, chromium, word)
    plan.update(report=str(tmp / "report.json"), deadline_seconds=DRIVER_DEADLINE)
    shutil.rmtree(artifacts_dir(), ignore_errors=True)
    (tmp / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    report = run_driver(node, tmp)
    return Browsed(archiver, account, plan, report)


@pytest.fixture
def site(need_browser, browsed):
    return browsed


# ---- the tests ------------------------------------------------------------------------

def test_the_grid_shows_every_photo_newest_first_and_its_thumbnails_load(site):
    grid = site.pages["grid"]
    items = [i for i in grid["items"] if i["kind"] == "photo"]
    assert [i["id"] for i in items] == site.grid_ids()
    assert len(items) == len(site.account.photos)
    for i in items:
        assert i["href"] == f"site/photo/{i['id']}.html"
        assert i["thumb"]["src"] == f"site/thumbs/photo/{i['id']}.jpg", i
        assert i["thumb"]["natural_width"] > 0, f"thumbnail of {i['id']} did not load"
    assert grid["title"].startswith("Photostream")


def test_a_photo_page_shows_comments_faves_and_what_the_archive_knows(site):
    pid = site.account.unicode_html
    page = site.pages["photo"]
    meta = site.load("my_photos", pid, "metadata.json")
    people = site.people()
    assert page["h1"] == meta["title"]
    assert page["image"]["natural_width"] > 0

    def check_avatar(nsid, avatar):
        if people.get(nsid, {}).get("avatar"):
            assert avatar["src"] == f"../../avatars/{nsid}.jpg", nsid
            assert avatar["natural_width"] == AVATAR_SIZE, f"avatar of {nsid} did not load"
        else:
            assert avatar["src"] == "../assets/avatar.svg", nsid
            assert avatar["natural_width"] > 0, nsid

    comments = site.load("my_photos", pid, "comments.json")
    assert len(comments) == len(page["comments"]) > 0
    assert any(people.get(c["author"], {}).get("avatar") for c in comments)
    for c, shown in zip(comments, page["comments"]):
        assert shown["id"] == f"comment-{c['id']}"
        assert shown["author"] == c["author"]
        assert shown["name"] == (c.get("display_name") or c["author_name"])
        assert shown["text"] == squashed(plain(c["text"]))
        assert shown["datetime"] == c["date_created_formatted"]
        assert shown["date"] == shown_date(c["date_created_formatted"])
        check_avatar(c["author"], shown["avatar"])
    faves = site.load("my_photos", pid, "favorites.json")
    assert [f["nsid"] for f in page["faves"]] == [f["nsid"] for f in faves] and faves
    for f, shown in zip(faves, page["faves"]):
        assert shown["name"] == (f.get("display_name") or f["username"])
        check_avatar(f["nsid"], shown["avatar"])
    assert page["tags"] == [t["raw"] for t in meta["tags_detail"]]
    assert [(a["id"], a["text"]) for a in page["albums"]] == \
        [(a["id"], a["title"]) for a in meta["albums"]]
    loc = meta["location"]
    assert loc["locality"]["_content"] in page["place"]
    assert page["osm"].startswith("https://www.openstreetmap.org/?mlat=")
    assert f"mlat={loc['latitude']:.6f}&mlon={loc['longitude']:.6f}" in page["osm"]
    exif = site.load("my_photos", pid, "exif.json")
    assert page["exif"]["camera"] == exif["camera"]
    assert all(page["exif"].values())


def test_an_album_page_lists_its_photos(site):
    albums = site.load("albums_index.json")
    assert len(site.pages["albums"]) == len(albums)
    for album in albums:
        page = site.pages["albums"][f"site/album/{album['id']}.html"]
        assert [i["id"] for i in page["items"]] == album["photo_ids"], album["id"]
        for i in page["items"]:
            assert i["href"] == f"../photo/{i['id']}.html"
            assert i["thumb"]["natural_width"] > 0, (album["id"], i["id"])
        assert page["title"].startswith(album["title"])


def test_arrow_keys_go_to_the_older_and_back_to_the_newer_photo(site):
    ids = site.grid_ids()
    pid = site.account.unicode_html
    older = ids[ids.index(pid) + 1]
    keys = site.pages["keyboard"]
    assert keys["start"]["id"] == pid
    assert keys["right"]["id"] == older
    assert keys["right"]["url"].endswith(f"/site/photo/{older}.html")
    title = site.load("my_photos", older, "metadata.json")["title"]
    assert keys["right"]["h1"] == title and keys["right"]["title"].startswith(title)
    assert keys["left"]["id"] == pid and keys["left"]["url"] == keys["start"]["url"]
    # in the search box the arrows move the caret, not the page
    assert keys["typing"]["url"] == keys["start"]["url"]


def test_the_search_box_finds_a_word_of_one_comment(site):
    word = site.plan["search_word"]
    target = site.account.search_comment
    # the premise: the word is in one comment of one item, and nowhere else
    holders = []
    for kind in ("my_photos", "favorited_photos"):
        for d in (site.archiver.archive / kind).iterdir():
            for name in ("metadata.json", "comments.json"):
                if word in (d / name).read_text(encoding="utf-8").lower():
                    holders.append((d.name, name))
    assert holders == [(target, "comments.json")]
    # flickr-archive search finds it, and only it
    r = site.archiver.run("search", "--archive", str(site.archiver.archive), word,
                          env=site.archiver.env(credentials=False))
    assert r.returncode == 0, r.stderr
    assert [line.split("  ", 1)[0] for line in r.stdout.splitlines()] == [target]
    # the header's box, then the search page's own box (typed, in capitals)
    found = site.pages["search"]
    assert found["submitted"]["url"].endswith(f"/site/search.html?q={word}")
    for how in ("submitted", "typed"):
        results = found[how]["results"]
        assert [(r["kind"], r["id"], r["match"]) for r in results] == \
            [("photo", target, "comment")], how
        assert results[0]["href"] == f"photo/{target}.html"
        assert results[0]["where"].startswith("Comment by Sarah Hughes-Patel:")
        assert word in results[0]["where"]
        assert found[how]["status"].startswith("1 item for"), how
    opened = found["opened"]
    assert opened["id"] == target and opened["url"].endswith(f"/site/photo/{target}.html")
    assert word in opened["comments"]


def fold(text):
    """As the search page compares: lower case, accents off."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower())
                   if not unicodedata.combining(c))


def test_a_tag_lists_what_has_it(site):
    want = fold(site.plan["tag"])
    tagged = []
    faves = {d.name for d in (site.archiver.archive / "favorited_photos").iterdir()}
    for kind, slug in (("my_photos", "photo"), ("favorited_photos", "fave"),
                       ("gallery_photos", "gallery-photo")):
        folder = site.archiver.archive / kind
        for d in folder.iterdir() if folder.is_dir() else ():
            if kind == "gallery_photos" and d.name in faves:
                continue   # shown and found as the favorite
            meta = site.load(kind, d.name, "metadata.json")
            if any(fold(t["raw"]) == want for t in meta.get("tags_detail") or []):
                tagged.append((slug, d.name))
    assert site.account.unicode_html in [pid for _, pid in tagged]
    found = site.pages["tag"]
    assert "?tag=" in found["url"]
    assert sorted((r["kind"], r["id"]) for r in found["results"]) == sorted(tagged)
    assert found["status"].endswith(f"tagged \u201c{site.plan['tag']}\u201d")


def test_videos_play(site):
    assert site.plan["videos"], "the sample account has videos"
    for rel, seen in site.pages["videos"].items():
        slug, pid = rel.split("/")[1], rel.split("/")[2][:-len(".html")]
        kind = {"photo": "my_photos", "fave": "favorited_photos"}[slug]
        sizes = site.load(kind, pid, "sizes.json")
        media = next(p.name for p in (site.archiver.archive / kind / pid).iterdir()
                     if p.name.startswith("original.") and p.suffix != ".xmp")
        loaded, after = seen["loaded"], seen["after"]
        assert loaded["src"] == f"../../{kind}/{pid}/{media}", rel
        assert loaded["current_src"].endswith(f"/{kind}/{pid}/{media}"), (rel, loaded)
        assert loaded["error"] is None and loaded["ready_state"] >= 1, (rel, loaded, sizes)
        duration = site.load(kind, pid, "metadata.json")["video"]["duration"]
        assert loaded["duration"] == pytest.approx(duration, abs=0.1), rel
        # the fake's video is one picture the size of its poster, which the page declares
        assert (loaded["video_width"], loaded["video_height"]) == \
            (loaded["width"], loaded["height"]), rel
        assert seen["played"] is True, (rel, seen["played"])
        assert after["ready_state"] >= 2 and after["current_time"] > 0, (rel, after)
        assert loaded["poster"] == f"../../{kind}/{pid}/poster.jpg"


def test_nothing_leaves_file_urls_and_no_page_has_errors(site):
    report = site.report
    assert report["offsite"] == [], "requests left file://"
    assert report["failed"] == [], "local files that did not load"
    assert report["console_errors"] == []
    assert report["page_errors"] == []


def test_a_phone_has_no_horizontal_scrolling(site):
    for rel, seen in site.pages["phone"].items():
        assert seen["viewport"] == PHONE_WIDTH, rel
        assert seen["scroll_width"] <= seen["viewport"], (rel, seen)


def test_every_image_of_every_page_loads(site):
    """On the phone every image is loaded at once (made eager): none is missing or undecodable."""
    for rel, seen in site.pages["phone"].items():
        assert seen["broken"] == [], rel
    assert sum(seen["images"] for seen in site.pages["phone"].values()) > 300


def test_screenshots_are_kept(site):
    shots = [pathlib.Path(p) for p in site.report["screenshots"]]
    names = {p.name for p in shots}
    expected = len(site.plan["albums"]) + len(site.plan["videos"]) + 3 + \
        len(site.plan["phone_pages"])
    assert len(names) == expected
    assert any(n.startswith("phone-") for n in names) and any(n.startswith("desktop-")
                                                            for n in names)
    for p in shots:
        assert p.parent == artifacts_dir() and p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", p
