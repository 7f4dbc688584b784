"""Fixtures for the end-to-end tests: the fake Flickr and a runner for the real binary."""
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
from fake_flickr.media import photo_file, video_file  # noqa: E402

BIN = os.environ.get("FLICKR_ARCHIVE_BIN") or str(ROOT / "build" / "flickr-archive")
ITEM_FILES = ["metadata.json", "comments.json", "favorites.json", "exif.json", "sizes.json",
              "complete.flag"]
TEMP_NAME = re.compile(r"^\..*\.tmp-[A-Za-z0-9]{6}$")


@pytest.fixture
def account():
    return sample_account()


@pytest.fixture
def fake(account):
    with FakeFlickr(account) as server:
        yield server


class Archiver:
    """Runs build/flickr-archive against a fake, with an isolated config home."""

    def __init__(self, fake, tmp_path):
        self.fake = fake
        self.archive = tmp_path / "archive"
        self.config_home = tmp_path / "config"
        self.config_home.mkdir()

    def env(self, credentials=True, **extra):
        acc = self.fake.account
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLICKR_")}
        env.update(FLICKR_API_URL=self.fake.api_url, FLICKR_OAUTH_URL=self.fake.oauth_url,
                   XDG_CONFIG_HOME=str(self.config_home), FLICKR_ARCHIVE_RETRY_BASE_MS="20",
                   LC_ALL="C.UTF-8")
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
    m = re.search(r"/play/([^/]+)/", source_url)
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
    assert temp_files(archiver.archive) == []
