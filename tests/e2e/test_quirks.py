"""The real Flickr's quirks (tests/fake_flickr README "Quirks"), each switched on.

Each test turns one on and checks that the archive ends complete and the report says what
happened: originals first from every source, a refused part that does not lose the item,
and what Flickr said said plainly.  The last one turns them all on at once.
"""
import hashlib
import json
import pathlib
import re

import pytest

from conftest import archive_snapshot, assert_same_as_reference, verify_archive
from test_auth import run_auth
from test_ledger import listing_quirks_on


def lines_with(stderr, text):
    return [l for l in stderr.splitlines() if text in l]


def video_original_of(reference_root, pid):
    [f] = [p for p in (pathlib.Path(reference_root) / "my_photos" / pid).glob("original.*")
           if p.suffix != ".xmp"]  # not its sidecar
    return f


# ---- video originals ----------------------------------------------------------------

def test_refused_video_original_comes_from_get_stream_info(pinned, fake, account, reference):
    fake.quirk_video_orig_refused = True
    r = pinned.sync()
    assert r.returncode == 0, r.stderr
    pid = account.video
    sizes = pinned.load("my_photos", pid, "sizes.json")
    assert sizes["archived"]["original"] is True and sizes["archived"]["label"] == "orig"
    assert sizes["original_available"] is True
    # the Video Original URL was tried first, and its 404 is on record
    [attempt] = sizes["video_attempts"]
    assert attempt["label"] == "Video Original" and "404" in attempt["error"]
    ref = video_original_of(reference.root, pid)
    assert (pinned.item_dir("my_photos", pid) / ref.name).read_bytes() == ref.read_bytes()
    assert pinned.load("my_photos", pid, "metadata.json")["original_archived"] is True
    report = pinned.load("sync_report.json")
    assert pid not in {w["id"] for w in report["without_original"]}


def test_video_without_any_original_is_retried_then_replaced(archiver, fake, account):
    # neither /play/orig/ nor the orig stream answers: the best transcode stands in
    fake.quirk_video_orig_refused = True
    pid = account.video
    photo = account.photo(pid)
    fake.add_fault("html", match=f"/video/{pid}/{photo.original_secret}/orig", count=None)
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    [line] = lines_with(r.stderr, "offered but refused")
    assert f"my_photos/{pid}" in line and "tried again on the next run" in line
    report = archiver.load("sync_report.json")
    assert {"kind": "my_photos", "id": pid, "retried_next_run": True} in \
        report["without_original"]
    sizes = archiver.load("my_photos", pid, "sizes.json")
    assert sizes["original_available"] is False and sizes["archived"]["original"] is False
    assert "offered the original but refused it" in sizes["reason"]
    labels = [a["label"] for a in sizes["video_attempts"]]
    assert labels[:2] == ["Video Original", "orig"]  # originals first, from both sources
    meta = archiver.load("my_photos", pid, "metadata.json")
    assert meta["original_archived"] is False and "original" in meta["synced"]["missing"]
    transcode = sizes["archived"]["file"]

    # an unchanged run asks only about that video, and only for its original
    fake.clear_faults()
    fake.reset_counters()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert fake.calls["flickr.video.getStreamInfo"] == 1
    assert fake.calls["flickr.photos.getInfo"] == 1
    sizes = archiver.load("my_photos", pid, "sizes.json")
    assert sizes["archived"]["original"] is True
    d = archiver.item_dir("my_photos", pid)
    [kept] = [p.name for p in d.glob("replaced-*")]
    assert kept.endswith("-" + transcode) and sizes["replaced"][0]["file"] == kept
    assert "missing" not in archiver.load("my_photos", pid, "metadata.json")["synced"]
    verify_archive(archiver, account)
    # and a third run costs nothing more for it
    fake.reset_counters()
    assert archiver.sync().returncode == 0
    assert "flickr.photos.getInfo" not in fake.calls


# ---- photo originals ----------------------------------------------------------------

def test_refused_url_o_falls_back_and_is_retried(archiver, fake, account):
    fake.quirk_url_o_refused = 410
    fake.quirk_url_o_refusals = None
    pid = account.public
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    report = archiver.load("sync_report.json")
    retried = {w["id"] for w in report["without_original"] if w["retried_next_run"]}
    assert pid in retried and report["failed"] == []
    sizes = archiver.load("my_photos", pid, "sizes.json")
    assert sizes["original_available"] is False
    assert "HTTP 410" in sizes["reason"]
    assert sizes["archived"]["label"] != "Original"
    meta = archiver.load("my_photos", pid, "metadata.json")
    assert "HTTP 410" in meta["synced"]["missing"]["original"]

    fake.quirk_url_o_refused = 0
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    sizes = archiver.load("my_photos", pid, "sizes.json")
    assert sizes["archived"]["original"] is True
    assert list(archiver.item_dir("my_photos", pid).glob("replaced-*-original.jpg"))
    verify_archive(archiver, account)


# ---- parts ----------------------------------------------------------------------------

def test_part_answering_not_found_keeps_the_item(archiver, fake, account):
    fake.quirk_part_not_found = {"flickr.photos.comments.getList", "flickr.photos.getFavorites",
                                 "flickr.photos.people.getList", "flickr.photos.getExif"}
    r = archiver.sync()
    assert r.returncode == 1, r.stderr
    report = archiver.load("sync_report.json")
    assert report["failed"] == []
    missing = {p["id"]: p["parts"] for p in report["parts_missing"]}
    comments_pid = account.many_comments
    assert "comments" in missing[comments_pid]
    assert "people" in missing[account.notes_people]
    assert "favorites" in missing[account.many_faves]
    [line] = lines_with(r.stderr, f"{len(missing)} items archived without parts Flickr refused")
    assert "fetched again on the next run" in line
    # the first 10 named with what each lacks, then how many more
    names = line.split("fetched again on the next run: ", 1)[1]
    assert len(re.findall(r"\w+/\d+ \([a-z, ]+\)", names)) == 10, line
    assert names.endswith(f") and {len(missing) - 10} more"), line
    # the item is complete: its original and metadata are on disk
    d = archiver.item_dir("my_photos", comments_pid)
    assert (d / "complete.flag").exists() and list(d.glob("original.*"))
    meta = archiver.load("my_photos", comments_pid, "metadata.json")
    assert "Photo not found" in meta["synced"]["missing"]["comments"]
    assert not (d / "comments.json").exists()

    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert archiver.load("sync_report.json")["parts_missing"] == []
    assert len(archiver.load("my_photos", comments_pid, "comments.json")) == \
        len(account.photo(comments_pid).comments)
    assert "missing" not in archiver.load("my_photos", comments_pid, "metadata.json")["synced"]
    verify_archive(archiver, account)


# ---- what Flickr said -----------------------------------------------------------------

def test_html_403_from_the_api_host_is_retried(pinned, fake, account, reference):
    fake.quirk_api_html_403_every = 5
    r = pinned.sync()
    assert r.returncode == 0, r.stderr
    assert "credentials" not in r.stderr
    assert int(re.search(r"; (\d+) retries\)", r.stderr).group(1)) > 0
    verify_archive(pinned, account)
    assert_same_as_reference(pinned, reference)


def test_html_403_that_persists_is_said_plainly(archiver, fake):
    fake.quirk_api_html_403_every = 1
    r = archiver.sync("--retries", "1")
    assert r.returncode != 0
    assert "Flickr refused the request (HTTP 403)" in r.stderr
    assert "credentials" not in r.stderr


@pytest.mark.parametrize("kind", ["http429", "http503"])
def test_oauth_endpoint_busy_is_retried(archiver, fake, kind):
    fake.add_fault(kind, match="/services/oauth/request_token", count=2, retry_after=0)
    fake.add_fault(kind, match="/services/oauth/access_token", count=1, retry_after=0)
    code, _, out, err = run_auth(archiver)
    assert code == 0, err
    assert fake.pending_faults == []
    assert fake.oauth_requests["access_token"] >= 1


def test_item_not_found_or_not_permitted_is_unavailable(archiver, fake, account):
    assert archiver.sync().returncode == 0
    pid = account.geo
    fake.add_fault("api_error", match="flickr.photos.getInfo", count=None, code=1,
                   message="Photo not found")
    account.edit(pid, 1800000000, title="changed")
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    up = archiver.load("my_photos", pid, "metadata.json")["upstream"]
    assert up["status"] == "unavailable" and up["flickr_error"] == 1


# ---- all at once: the "done when" ---------------------------------------------

SIDECAR_FACTS = ("synced", "video_attempts", "original_attempts", "replaced")


def item_snapshot(root, url):
    """{item file: sha256} with the sidecar facts that truthfully differ left out."""
    root = pathlib.Path(root)
    snap = {}
    for rel, digest in archive_snapshot(root, url).items():
        parts = rel.split("/")
        if parts[0] not in ("my_photos", "favorited_photos") or len(parts) != 3:
            continue
        if parts[2].startswith("replaced-") or parts[2] == "manifest-sha256.txt":
            continue
        if parts[2] in ("metadata.json", "sizes.json"):
            doc = json.loads((root / rel).read_text(encoding="utf-8"))
            for key in SIDECAR_FACTS:
                doc.pop(key, None)
            # the same video file, truthfully recorded as fetched from getStreamInfo's stream
            if "poster" in doc:  # a video's
                for key in ("source", "label", "width", "height"):
                    doc["archived"].pop(key, None)
            digest = json.dumps(doc, sort_keys=True).replace(
                url.split("//", 1)[1], "FAKE-FLICKR")
        snap[rel] = digest
    return snap


def media_quirks_on(fake):
    fake.quirk_video_orig_refused = True
    fake.quirk_url_o_refused = 404
    fake.quirk_url_o_refusals = 1
    fake.quirk_part_not_found = {"flickr.photos.comments.getList", "flickr.photos.getFavorites",
                                 "flickr.photos.people.getList", "flickr.photos.getExif"}
    fake.quirk_api_html_403_every = 7


def second_sync_makes_the_reference(pinned, fake, account, reference):
    """The next run fetches what the first could not: the reference's item files."""
    second = pinned.sync()
    assert second.returncode == 0, second.stderr
    report = pinned.load("sync_report.json")
    assert report["parts_missing"] == [] and report["failed"] == []
    assert not any(w["retried_next_run"] for w in report["without_original"])
    ours = item_snapshot(pinned.archive, fake.url)
    want = item_snapshot(reference.root, reference.fake_url)
    assert sorted(set(want) ^ set(ours)) == []
    differ = sorted(k for k in want if want[k] != ours[k])
    assert differ == [], differ
    verify_archive(pinned, account)
    return second


def test_every_quirk_at_once_two_syncs_make_the_reference(pinned, fake, account, reference):
    media_quirks_on(fake)
    first = pinned.sync()
    # something really is still missing after the first run, and it is named
    assert first.returncode == 1, first.stderr
    report = pinned.load("sync_report.json")
    assert report["failed"] == []
    assert report["parts_missing"]
    assert lines_with(first.stderr, "without parts Flickr refused")
    assert lines_with(first.stderr, "offered but refused")
    second_sync_makes_the_reference(pinned, fake, account, reference)


def test_every_switch_of_both_kinds_at_once_two_syncs_make_the_reference(pinned, fake, account,
                                                                        reference):
    # the "done when": the listing quirks (test_ledger) and these, all at once
    listing_quirks_on(fake, account)
    media_quirks_on(fake)
    # the photostream counts (and lists) all but the album-only member
    n_photos, n_favs = len(account.photos) - 1, len(account.favorites)
    listed = f"Listed {n_photos} of {n_photos} photos and videos, {n_favs} of {n_favs} favorites"
    first = pinned.sync()
    assert first.returncode == 1, first.stderr
    assert lines_with(first.stderr, listed), first.stderr
    report = pinned.load("sync_report.json")
    assert report["failed"] == [] and report["parts_missing"]
    assert lines_with(first.stderr, "without parts Flickr refused")
    # a refused part is named once, as missing, not also as a short list
    assert not lines_with(first.stderr, "Flickr listed 0 of the")
    second = second_sync_makes_the_reference(pinned, fake, account, reference)
    assert lines_with(second.stderr, listed), second.stderr
    assert all(e["complete"] for e in pinned.load("sync_report.json")["completeness"])


# ---- faves that move without lastupdate ----------------------------------------------

def test_faves_without_count_extras_are_refreshed_in_a_rotating_slice(archiver, fake, account):
    # Flickr's lastupdate is not documented to move for a fave (the fake's add_fave leaves
    # it), and without the count extras nothing else tells: a slice is fetched each run
    from test_incremental import sync_at
    t0 = 1_790_000_000
    fake.count_extras = False
    sync_at(archiver, t0)
    n = len(account.photos) + len(account.favorites)
    pid = account.public
    before = account.photo(pid).last_update
    fan = next(u.nsid for u in account.users.values()
               if all(f.nsid != u.nsid for f in account.photo(pid).faves))
    account.add_fave(pid, fan, t0 + 3_600)
    assert account.photo(pid).last_update == before
    budget = n // 30 + 10
    for day in range(1, 32):
        fake.reset_counters()
        r = sync_at(archiver, t0 + day * 86_400)
        assert fake.calls["flickr.photos.getFavorites"] <= budget, (day, dict(fake.calls))
        assert "flickr.photos.getInfo" not in fake.calls
        assert len(lines_with(r.stderr, "carries no fave counts")) == 1
        faves = archiver.load("my_photos", pid, "favorites.json")
        if any(f["nsid"] == fan for f in faves):
            break
    else:
        pytest.fail("a month of daily syncs never refreshed the faves")
    assert day <= 30
    assert archiver.load("my_photos", pid, "metadata.json")["synced"]["favorites"] == \
        t0 + day * 86_400
    # with the count extras, nothing is fetched for unchanged items
    fake.count_extras = True
    sync_at(archiver, t0 + 40 * 86_400)
    fake.reset_counters()
    r = sync_at(archiver, t0 + 41 * 86_400)
    assert "flickr.photos.getFavorites" not in fake.calls
    assert not lines_with(r.stderr, "carries no fave counts")


def test_video_archived_by_an_earlier_version_without_its_original_is_retried(archiver, fake,
                                                                             account):
    # before originals were retried, a refused Video Original left the transcode for good,
    # with nothing but sizes.json's video_attempts to tell
    fake.quirk_video_orig_refused = True
    pid = account.video
    photo = account.photo(pid)
    fake.add_fault("html", match=f"/video/{pid}/{photo.original_secret}/orig", count=None)
    assert archiver.sync().returncode == 1
    meta_path = archiver.item_dir("my_photos", pid) / "metadata.json"
    sizes_path = archiver.item_dir("my_photos", pid) / "sizes.json"
    meta = json.loads(meta_path.read_text())
    del meta["synced"]["missing"]
    meta_path.write_text(json.dumps(meta))
    sizes = json.loads(sizes_path.read_text())
    for a in sizes["video_attempts"]:
        del a["original"]
    sizes_path.write_text(json.dumps(sizes))
    # as that version wrote them: its manifest records these files as they are now
    for manifest in (archiver.archive / "manifest-sha256.txt",
                     archiver.item_dir("my_photos", pid) / "manifest-sha256.txt"):
        lines = []
        for line in manifest.read_text().splitlines():
            digest, rel = line.split(" ", 1)
            path = archiver.archive / rel.strip()
            if path in (meta_path, sizes_path):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            lines.append(f"{digest} {rel}")
        manifest.write_text("\n".join(lines) + "\n")
    fake.clear_faults()
    fake.reset_counters()
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    assert fake.calls["flickr.photos.getInfo"] == 1
    assert archiver.load("my_photos", pid, "sizes.json")["archived"]["original"] is True
    assert list(archiver.item_dir("my_photos", pid).glob("replaced-*"))
