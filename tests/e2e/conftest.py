"""Fixtures for the end-to-end tests: the fake Flickr and a runner for the real binary."""
import difflib
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from fake_flickr import FakeFlickr, sample_account  # noqa: E402
from fake_flickr.media import buddy_icon, photo_file, video_file  # noqa: E402

BIN = os.environ.get("FLICKR_ARCHIVE_BIN") or str(ROOT / "build" / "flickr-archive")
ITEM_FILES = ["metadata.json", "comments.json", "favorites.json", "exif.json", "sizes.json",
              "complete.flag"]
TEMP_NAME = re.compile(r"^\..*\.tmp-[A-Za-z0-9]{6}$")
# The wall clock every run that is compared with the reference archive sees
# (FLICKR_ARCHIVE_FAKE_NOW): archived_at, date_create_formatted and the like then match.
FAKE_NOW = 1767225600  # 2026-01-01T00:00:00Z

# what the account's structure costs a re-sync (profile, collections, galleries, groups,
# contacts): measured by test_account.py, left out where only the photos' cost is measured
ACCOUNT_METHODS = {"flickr.people.getInfo", "flickr.profile.getProfile",
                   "flickr.collections.getTree", "flickr.galleries.getList",
                   "flickr.galleries.getPhotos", "flickr.people.getGroups",
                   "flickr.groups.getInfo", "flickr.groups.pools.getPhotos",
                   "flickr.contacts.getList"}


@pytest.fixture
def account():
    return sample_account()


@pytest.fixture
def fake(account):
    with FakeFlickr(account) as server:
        yield server


class Archiver:
    """Runs build/flickr-archive against a fake, with an isolated config home.

    With `now`, every run sees that wall clock (FLICKR_ARCHIVE_FAKE_NOW).
    """

    def __init__(self, fake, tmp_path, now=None):
        self.fake = fake
        self.archive = tmp_path / "archive"
        self.config_home = tmp_path / "config"
        self.config_home.mkdir()
        # the count of API calls that runs share ($XDG_STATE_HOME/flickr-archive), per test
        self.state_home = tmp_path / "state"
        self.now = now

    def env(self, credentials=True, **extra):
        acc = self.fake.account
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLICKR_")}
        # FLICKR_STATIC_URL: the buddy icons (whose URLs the tool builds) come from the fake
        env.update(FLICKR_API_URL=self.fake.api_url, FLICKR_OAUTH_URL=self.fake.oauth_url,
                   FLICKR_STATIC_URL=self.fake.url, XDG_CONFIG_HOME=str(self.config_home),
                   XDG_STATE_HOME=str(self.state_home),
                   FLICKR_ARCHIVE_RETRY_BASE_MS="20", LC_ALL="C.UTF-8")
        if self.now is not None:
            env["FLICKR_ARCHIVE_FAKE_NOW"] = str(self.now)
        if credentials:
            env.update(FLICKR_API_KEY=acc.api_key, FLICKR_API_SECRET=acc.api_secret,
                       FLICKR_OAUTH_TOKEN=acc.oauth_token,
                       FLICKR_OAUTH_TOKEN_SECRET=acc.oauth_token_secret)
        env.update({k: str(v) for k, v in extra.items() if v is not None})
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
        return env

    def run(self, *args, env=None, input=None, timeout=600):
        return subprocess.run([BIN, *args], env=env or self.env(), input=input,
                              capture_output=True, text=True, timeout=timeout)

    def sync_args(self, *extra):
        return ["sync", "--archive", str(self.archive), "--calls-per-hour", "0", *extra]

    def sync(self, *extra, env=None, timeout=600):
        return self.run(*self.sync_args(*extra), env=env, timeout=timeout)

    def popen(self, *args, env=None, **kw):
        return subprocess.Popen([BIN, *args], env=env or self.env(), text=True, **kw)

    def item_dir(self, kind, photo_id):
        return self.archive / kind / photo_id

    def load(self, *parts):
        return json.loads(self.archive.joinpath(*parts).read_text(encoding="utf-8"))


@pytest.fixture
def archiver(fake, tmp_path):
    return Archiver(fake, tmp_path)


def pinned_archiver(fake, tmp_path):
    """An Archiver whose runs all see FAKE_NOW, so its archive can equal the reference."""
    # the pinned clock signs OAuth requests too: the fake must not refuse old timestamps
    fake.oauth_time_window = None
    return Archiver(fake, tmp_path, now=FAKE_NOW)


@pytest.fixture
def pinned(fake, tmp_path):
    return pinned_archiver(fake, tmp_path)


# The site (flickr-archive site, made at the end of every sync) is a view made from
# the archive, not archived data: it records file times (site/state.json).
SITE_PARTS = ("site", "index.html")


def _is_compared(rel):
    # .flickr-archive/ is the work dir (lock, spooled listings), not archived data;
    # sync_report.json describes the last run (API calls, retries, items done then);
    # archive.db is the search index, derived from the files (it records their inodes
    # and mtimes) and rebuilt whenever it is missing or damaged.
    return rel.parts[0] not in (".flickr-archive", *SITE_PARTS) and \
        rel.as_posix() != "sync_report.json" and not rel.as_posix().startswith("archive.db")


def _normalised(data, fake_url):
    # Every URL Flickr hands out points at the fake, whose port is new for each
    # FakeFlickr; the archive keeps those URLs, so the address is replaced.
    if fake_url:
        data = data.replace(fake_url.split("//", 1)[1].encode(), b"FAKE-FLICKR")
    return data


def archive_snapshot(root, fake_url=None):
    """{relative path: sha256} of every file in the archive at root.

    Left out: only the work dir, sync_report.json and archive.db (see _is_compared).  With
    fake_url, the fake's address in file contents is normalised (see _normalised).
    """
    root = pathlib.Path(root)
    snap = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and _is_compared(rel):
            data = _manifest_paths(root, p) if p.name == "manifest-sha256.txt" else \
                _normalised(p.read_bytes(), fake_url)
            snap[rel.as_posix()] = hashlib.sha256(data).hexdigest()
    return snap


def _manifest_paths(root, manifest):
    """A manifest's paths, after checking each digest against the file.

    Digests of files holding the fake's (per-run) address differ between two
    fakes, so a manifest is compared by what it lists and by being true.
    """
    paths = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, rel = line.split(" ", 1)
        rel = rel.strip()
        actual = hashlib.sha256((root / rel).read_bytes()).hexdigest()
        assert actual == digest, f"{manifest}: wrong digest for {rel}"
        paths.append(rel)
    return "\n".join(paths).encode()


class Reference:
    """The archive of one undisturbed sync of the sample account at FAKE_NOW."""

    def __init__(self, root, fake_url):
        self.root = pathlib.Path(root)
        self.fake_url = fake_url
        self.snapshot = archive_snapshot(root, fake_url)

    def text(self, rel):
        return _normalised((self.root / rel).read_bytes(), self.fake_url).decode(errors="replace")

    def describe_difference(self, root, fake_url, snap):
        """Which files differ from the reference, with a diff of the first few."""
        missing = sorted(set(self.snapshot) - set(snap))
        extra = sorted(set(snap) - set(self.snapshot))
        changed = sorted(k for k in set(snap) & set(self.snapshot) if snap[k] != self.snapshot[k])
        lines = [f"missing: {missing[:20]}", f"extra: {extra[:20]}", f"changed: {changed[:20]}"]
        for rel in changed[:3]:
            ours = _normalised((pathlib.Path(root) / rel).read_bytes(), fake_url)
            lines += list(difflib.unified_diff(
                self.text(rel).splitlines(), ours.decode(errors="replace").splitlines(),
                f"reference/{rel}", f"archive/{rel}", n=1, lineterm=""))[:40]
        return "\n".join(lines)


def assert_same_as_reference(archiver, reference, root=None):
    """The archive (at archiver.archive, or root) holds exactly the reference's files."""
    root = root or archiver.archive
    snap = archive_snapshot(root, archiver.fake.url)
    assert snap == reference.snapshot, \
        reference.describe_difference(root, archiver.fake.url, snap)


def assert_subset_of_reference(archiver, reference, root=None, failed_items=()):
    """Every file under a final name is whole: it is the reference's file, byte for byte.

    Temp files (.NAME.tmp-XXXXXX) are left by a kill; the next run sweeps them.  After a
    run that ended with failed items ("my_photos/ID"), only the other items are compared:
    the index files then list what is on disk, and a failed item keeps a sizes.json of
    its attempts.
    """
    root = root or archiver.archive

    def compared(rel):
        if TEMP_NAME.match(rel.rsplit("/", 1)[-1]):
            return False
        if failed_items:
            return rel.count("/") == 2 and rel.rsplit("/", 1)[0] not in failed_items
        return True

    snap = {k: h for k, h in archive_snapshot(root, archiver.fake.url).items() if compared(k)}
    wrong = sorted(k for k, h in snap.items() if reference.snapshot.get(k) != h)
    assert not wrong, reference.describe_difference(
        root, archiver.fake.url, {**reference.snapshot, **{k: snap[k] for k in wrong}})


def rerun_to_reference(archiver, account, reference):
    """With faults and latencies gone, one more sync ends in exactly the reference."""
    archiver.fake.clear_faults()
    archiver.fake.api_latency = archiver.fake.media_latency = 0
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)
    assert_same_as_reference(archiver, reference)
    assert temp_files(archiver.archive) == []
    assert archiver.load("sync_report.json")["failed"] == []


@pytest.fixture(scope="session")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reference")
    acc = sample_account()
    with FakeFlickr(acc) as server:
        arch = pinned_archiver(server, tmp)
        r = arch.sync()
        assert r.returncode == 0, r.stderr
        verify_archive(arch, acc)
        return Reference(arch.archive, server.url)


def error_lines(stderr):
    """The error lines (not warnings) a run printed."""
    return [l for l in stderr.splitlines()
            if l.startswith("flickr-archive: ") and not l.startswith("flickr-archive: warning")]


def temp_files(root):
    return [p for p in pathlib.Path(root).rglob("*") if TEMP_NAME.match(p.name)]


def largest_label(photo):
    labels = photo.size_labels()
    if "Original" in labels:
        return "Original"
    return max(labels, key=lambda l: photo.dims(l)[0] * photo.dims(l)[1])


def expected_photo_media(photo):
    """(file name, bytes) the archive must hold for a photo."""
    label = largest_label(photo)
    data, ctype = photo_file(photo, label)
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}[ctype]
    return f"original.{ext}", data, label


def stream_of(source_url):
    # a play URL, or the CDN's /video/ID/SECRET/STREAM.mp4 that getStreamInfo can hand out
    m = re.search(r"/play/([^/]+)/", source_url) or \
        re.search(r"/video/\d+/[0-9a-f]+/([^/?]+)\.mp4", source_url)
    return m.group(1) if m else None


def video_media(photo, stream):
    data, ctype = video_file(photo, stream)
    ext = {"video/quicktime": "mov", "video/mp4": "mp4", "video/x-m4v": "m4v",
           "video/x-msvideo": "avi", "video/3gpp": "3gp"}[ctype.split(";")[0]]
    return f"original.{ext}", data


# best first, as yt-dlp / gallery-dl rank Flickr's stream types
STREAM_RANK = ["orig", "1080p", "hd", "720p", "appletv", "site", "360p", "288p", "700", "300",
               "mobile", "iphone_wifi", "100"]


def best_stream(photo):
    return min(photo.video_stream_names(), key=lambda s: STREAM_RANK.index(s)
               if s in STREAM_RANK else len(STREAM_RANK))


def expected_faves(account, photo):
    """NSIDs who faved photo: for a favorited photo that includes the account owner."""
    nsids = [f.nsid for f in photo.faves]
    if account.fave_date(photo.id) is not None and account.owner.nsid not in nsids:
        nsids.append(account.owner.nsid)
    return nsids


def verify_archive(archiver, account):
    """The archive holds every item, complete, with byte-identical media."""
    items = [("my_photos", p) for p in account.photos]
    items += [("favorited_photos", p) for p, _ in account.favorites]
    for kind, photo in items:
        d = archiver.item_dir(kind, photo.id)
        for name in ITEM_FILES:
            assert (d / name).is_file(), f"{kind}/{photo.id}/{name} missing"
        if photo.is_video:
            sizes = archiver.load(kind, photo.id, "sizes.json")
            name, data = video_media(photo, stream_of(sizes["archived"]["source"]))
            assert (d / "poster.jpg").is_file()
        else:
            name, data, _ = expected_photo_media(photo)
        assert (d / name).read_bytes() == data, f"{kind}/{photo.id}/{name}"
        m = archiver.load(kind, photo.id, "metadata.json")
        assert m["id"] == photo.id and m["title"] == photo.title
        assert len(archiver.load(kind, photo.id, "comments.json")) == len(photo.comments)
        assert len(archiver.load(kind, photo.id, "favorites.json")) == \
            len(expected_faves(account, photo))
    assert len(archiver.load("my_photos_index.json")) == len(account.photos)
    assert len(archiver.load("favorites_index.json")) == len(account.favorites)
    verify_avatars(archiver, account)
    assert temp_files(archiver.archive) == []


def verify_avatars(archiver, account):
    """avatars/ holds exactly the icon of every user who has one, as the fake serves it now;
    users with Flickr's default icon are marked and have none."""
    users = archiver.load("users_cache.json")
    expected = {"manifest-sha256.txt"}
    for nsid, u in users.items():
        user = account.users[nsid]
        if user.iconserver == "0":
            assert u["avatar_default"] is True and "avatar" not in u, nsid
            continue
        assert u["avatar_default"] is False, nsid
        assert (u["avatar"], u["avatar_iconserver"]) == (f"avatars/{nsid}.jpg", user.iconserver)
        assert archiver.archive.joinpath(u["avatar"]).read_bytes() == \
            buddy_icon(nsid, user.iconserver), nsid
        expected.add(f"{nsid}.jpg")
    assert {p.name for p in archiver.archive.joinpath("avatars").iterdir()} == expected
