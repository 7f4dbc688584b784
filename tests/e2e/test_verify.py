"""flickr-archive verify: SHA-256 manifests written by sync, checked without the network."""
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import TEMP_NAME

MANIFEST = "manifest-sha256.txt"
TOP_FILES = ["my_photos_index.json", "favorites_index.json", "albums_index.json",
             "users_cache.json", "profile.json", "collections.json", "galleries_index.json",
             "groups_index.json", "contacts.json"]
# BagIt (RFC 8493 2.1.3): checksum, one or more spaces, a path with only CR, LF and % encoded
BAGIT_LINE = re.compile(r"^([0-9a-f]{64}) +([^\r\n]+)$")


@pytest.fixture
def synced(archiver):
    result = archiver.sync()
    assert result.returncode == 0, result.stderr
    return archiver


def verify(archiver, *extra, env=None):
    """Runs verify with no credentials and no API URL: it must need neither."""
    env = env or archiver.env(credentials=False, FLICKR_API_URL=None, FLICKR_OAUTH_URL=None)
    return archiver.run("verify", "--archive", str(archiver.archive), *extra, env=env)


def findings(result):
    """stdout lines as (what, path, detail or None)."""
    out = []
    for line in result.stdout.splitlines():
        m = re.match(r"^([a-z ]+): (.*?)(?: \((.*)\))?$", line)
        assert m, line
        out.append(m.groups())
    return out


def parse_manifest(path):
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = BAGIT_LINE.match(line)
        assert m, f"not a BagIt manifest line: {line!r}"
        entries.append((m.group(2), m.group(1)))
    return entries


def item_dirs(archive):
    for kind in ("my_photos", "favorited_photos", "gallery_photos"):
        for d in sorted((archive / kind).iterdir()):
            yield d


def listed_files(item_dir):
    """The files an item's manifest must list."""
    return sorted(p for p in item_dir.iterdir()
                  if p.is_file() and p.name not in ("complete.flag", MANIFEST)
                  and not p.name.startswith("."))


def a_photo(archiver, account):
    photo = next(p for p in account.photos if not p.is_video)
    d = archiver.item_dir("my_photos", photo.id)
    [original] = [p for p in d.iterdir() if p.name.startswith("original.") and p.suffix != ".xmp"]
    return photo.id, d, original


def snapshot(root):
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in root.rglob("*") if ".flickr-archive" not in p.parts}


# ---- what sync writes ---------------------------------------------------------

def test_every_item_has_a_manifest_listing_every_file(synced, account):
    archive = synced.archive
    n_items = 0
    for d in item_dirs(archive):
        n_items += 1
        entries = parse_manifest(d / MANIFEST)
        rel = d.relative_to(archive).as_posix()
        assert [p for p, _ in entries] == \
            [f"{rel}/{f.name}" for f in listed_files(d)], rel
        for path, digest in entries:
            assert hashlib.sha256((archive / path).read_bytes()).hexdigest() == digest, path
        assert any(p.endswith("/metadata.json") for p, _ in entries)
        assert any("/original." in p for p, _ in entries)
    n_gallery = sum(len(g.photos) for g in account.galleries)
    assert n_items == len(account.photos) + len(account.favorites) + n_gallery


def test_archive_manifest_is_every_item_manifest_then_the_index_files(synced):
    archive = synced.archive
    entries = parse_manifest(archive / MANIFEST)
    paths = [p for p, _ in entries]
    assert len(paths) == len(set(paths))
    expected = {}
    for d in item_dirs(archive):
        expected.update(dict(parse_manifest(d / MANIFEST)))
    # then the avatars' manifest, which lists every icon
    avatars = parse_manifest(archive / "avatars" / MANIFEST)
    assert sorted(p for p, _ in avatars) == \
        sorted(f"avatars/{f.name}" for f in (archive / "avatars").glob("*.jpg"))
    expected.update(dict(avatars))
    for name in TOP_FILES:
        expected[name] = hashlib.sha256((archive / name).read_bytes()).hexdigest()
    assert dict(entries) == expected
    assert paths[-len(TOP_FILES) - len(avatars):-len(TOP_FILES)] == sorted(p for p, _ in avatars)
    assert paths[-len(TOP_FILES):] == TOP_FILES
    # the items in the index files' order: newest first, photos then favorites
    index_order = [e["id"] for e in synced.load("my_photos_index.json")]
    seen = []
    for p in paths:
        if p.startswith("my_photos/") and p.split("/")[1] not in seen:
            seen.append(p.split("/")[1])
    assert seen == index_order
    for path, digest in entries:
        assert not path.startswith("/") and ".." not in path.split("/")
        assert hashlib.sha256((archive / path).read_bytes()).hexdigest() == digest, path
    assert (archive / "bagit.txt").read_text() == \
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def test_sha256sum_reads_the_manifest(synced):
    if not shutil.which("sha256sum"):
        pytest.skip("no sha256sum")
    r = subprocess.run(["sha256sum", "--quiet", "--strict", "-c", MANIFEST],
                       cwd=synced.archive, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_video_poster_is_listed(synced, account):
    video = account.special["video"]
    paths = [p for p, _ in parse_manifest(synced.item_dir("my_photos", video) / MANIFEST)]
    assert f"my_photos/{video}/poster.jpg" in paths


# ---- verify on a good archive ---------------------------------------------------

def test_verify_a_fresh_archive(synced, account, fake):
    calls = fake.total_api_calls
    r = verify(synced)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""
    n_files = len(parse_manifest(synced.archive / MANIFEST))
    size = sum((synced.archive / p).stat().st_size
               for p, _ in parse_manifest(synced.archive / MANIFEST))
    m = re.search(r"Checked (\d+) files, ([\d.]+) MB, in [\d.]+ s \(\d+ MB/s\): "
                  r"0 problems, 0 warnings", r.stderr)
    assert m, r.stderr
    assert int(m.group(1)) == n_files
    assert abs(float(m.group(2)) - size / 1e6) < 0.06
    assert fake.total_api_calls == calls  # no network


def test_verify_again_after_a_second_sync(synced):
    assert synced.sync().returncode == 0
    r = verify(synced)
    assert r.returncode == 0, r.stdout + r.stderr


def test_verify_after_a_resync_that_changed_items(archiver, account):
    """Re-sync rewrites files of complete items; their manifests follow."""
    t0 = 1_790_000_000
    t1 = t0 + 30 * 86_400
    assert archiver.sync(env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=t0)).returncode == 0
    talked, png = account.many_comments, account.png
    account.edit(talked, t0 + 100, title="A new title")
    account.add_comment(talked, account.owner.nsid, "later", t0 + 200)
    account.edit(png, t0 + 300, original_secret="0123456789", original_format="jpg")
    r = archiver.sync(env=archiver.env(FLICKR_ARCHIVE_FAKE_NOW=t1))
    assert r.returncode == 0, r.stderr
    r = verify(archiver)
    assert r.returncode == 0, r.stdout + r.stderr
    paths = [p for p, _ in parse_manifest(archiver.item_dir("my_photos", png) / MANIFEST)]
    assert f"my_photos/{png}/replaced-{t1}-original.png" in paths
    assert f"my_photos/{png}/original.jpg" in paths
    assert f"my_photos/{png}/original.png" not in paths


def test_verify_modifies_nothing(synced, account):
    pid, d, _ = a_photo(synced, account)
    (d / ".metadata.json.tmp-AbC123").write_text("half")
    (d / "complete.flag").unlink()
    before = snapshot(synced.archive)
    verify(synced)
    assert snapshot(synced.archive) == before


def test_quiet_and_verbose(synced, account):
    _, d, _ = a_photo(synced, account)
    (d / "notes.txt").write_text("mine")
    r = verify(synced, "-q")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    r = verify(synced, "-v")
    assert r.returncode == 0
    assert "ok: my_photos/" in r.stderr
    assert ("unrecorded", f"{d.relative_to(synced.archive).as_posix()}/notes.txt", None) in \
        findings(r)


# ---- problems -------------------------------------------------------------------

REWRITTEN = "written after its manifest: was a sync interrupted?"


def test_one_flipped_byte_is_reported_as_changed(synced, account):
    """Bit rot: the content changes, the modification time does not."""
    pid, d, original = a_photo(synced, account)
    st = original.stat()
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01
    original.write_bytes(bytes(data))
    os.utime(original, ns=(st.st_atime_ns, st.st_mtime_ns))
    r = verify(synced)
    assert r.returncode == 1
    assert findings(r) == [("changed", f"my_photos/{pid}/{original.name}", None)]
    assert "1 problem," in r.stderr


def test_a_deleted_file_is_missing(synced, account):
    pid, d, _ = a_photo(synced, account)
    (d / "comments.json").unlink()
    r = verify(synced)
    assert r.returncode == 1
    assert findings(r) == [("missing", f"my_photos/{pid}/comments.json", None)]


def test_a_vanished_item_folder_is_missing_file_by_file(synced, account):
    pid, d, _ = a_photo(synced, account)
    n = len(listed_files(d))
    shutil.rmtree(d)
    r = verify(synced)
    assert r.returncode == 1
    assert [f[0] for f in findings(r)] == ["missing"] * n
    assert all(f[1].startswith(f"my_photos/{pid}/") for f in findings(r))


def test_an_item_without_complete_flag_is_partial(synced, account):
    pid, d, _ = a_photo(synced, account)
    (d / "complete.flag").unlink()
    r = verify(synced)
    assert r.returncode == 1
    assert findings(r) == [("partial", f"my_photos/{pid}", "no complete.flag")]


def test_a_temporary_file_is_partial(synced, account):
    pid, d, _ = a_photo(synced, account)
    tmp = d / ".original.jpg.tmp-x1Y2z3"
    tmp.write_bytes(b"\xff\xd8half a photo")
    assert TEMP_NAME.match(tmp.name)
    (synced.archive / ".users_cache.json.tmp-Q9w8E7").write_text("{")
    r = verify(synced)
    assert r.returncode == 1
    assert sorted(findings(r)) == [
        ("partial", ".users_cache.json.tmp-Q9w8E7", "left by an interrupted run"),
        ("partial", f"my_photos/{pid}/{tmp.name}", "left by an interrupted run")]


def test_an_extra_file_is_a_warning_only(synced, account):
    pid, d, _ = a_photo(synced, account)
    (d / "my notes.txt").write_text("taken at grandma's")
    (d / ".DS_Store").write_bytes(b"\0")  # hidden files are not ours to judge
    r = verify(synced)
    assert r.returncode == 0, r.stdout
    assert findings(r) == [("unrecorded", f"my_photos/{pid}/my notes.txt", None)]
    assert "0 problems, 1 warning" in r.stderr


def test_a_changed_metadata_file_and_an_index(synced, account):
    pid, d, _ = a_photo(synced, account)
    (d / "metadata.json").write_text("{}")
    (synced.archive / "albums_index.json").write_text("[]")
    r = verify(synced)
    assert r.returncode == 1
    assert sorted(findings(r)) == [("changed", "albums_index.json", REWRITTEN),
                                   ("changed", f"my_photos/{pid}/metadata.json", REWRITTEN)]


def test_a_file_replaced_by_a_symlink_is_not_followed(synced, account, tmp_path):
    pid, d, original = a_photo(synced, account)
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(original.read_bytes())
    original.unlink()
    original.symlink_to(outside)
    r = verify(synced)
    assert r.returncode == 1
    [(what, path, detail)] = findings(r)
    assert (what, path) == ("changed", f"my_photos/{pid}/{original.name}")
    assert "symbolic link" in detail


# ---- which manifest speaks ------------------------------------------------------

def write_item_manifest(d, archive, changes):
    """Rewrites d's manifest with the digests of changes' files (as sync would)."""
    lines = []
    for path, digest in parse_manifest(d / MANIFEST):
        if path.rsplit("/", 1)[1] in changes:
            digest = hashlib.sha256((archive / path).read_bytes()).hexdigest()
        lines.append(f"{digest} {path}\n")
    (d / MANIFEST).write_text("".join(lines))


def test_the_next_sync_finishes_what_a_killed_refresh_left(synced, account):
    """Killed after rewriting comments.json and metadata.json, before the manifest."""
    pid, d, _ = a_photo(synced, account)
    comments = json.loads((d / "comments.json").read_text())
    (d / "comments.json").write_text(json.dumps(comments, indent=1))
    later = (d / MANIFEST).stat().st_mtime_ns + 10**9
    os.utime(d / "comments.json", ns=(later, later))
    os.utime(d / "metadata.json", ns=(later, later))
    r = verify(synced)
    assert findings(r) == [("changed", f"my_photos/{pid}/comments.json", REWRITTEN)]
    assert synced.sync().returncode == 0
    r = verify(synced)
    assert r.returncode == 0, r.stdout
    assert (f"my_photos/{pid}/comments.json",
            hashlib.sha256((d / "comments.json").read_bytes()).hexdigest()) in \
        parse_manifest(synced.archive / MANIFEST)


def test_sync_repairs_a_file_changed_behind_its_back(synced, account):
    """Never recorded as it is now: fetched again, the changed copy kept aside (issue 18)."""
    pid, d, original = a_photo(synced, account)
    good = original.read_bytes()
    original.write_bytes(good + b"edited")
    r = synced.sync()
    assert r.returncode == 0, r.stderr
    assert original.read_bytes() == good
    [kept] = [p for p in d.iterdir() if p.name.startswith("damaged-")]
    assert kept.read_bytes() == good + b"edited"
    r = verify(synced)
    assert r.returncode == 0, r.stdout
    assert findings(r) == [("unrecorded", f"my_photos/{pid}/{kept.name}", None)]


def test_a_newer_item_manifest_wins(synced, account):
    """A sync killed after it rewrote an item, before it rewrote the archive's manifest."""
    pid, d, _ = a_photo(synced, account)
    (d / "metadata.json").write_text('{"refreshed": true}')
    write_item_manifest(d, synced.archive, {"metadata.json"})
    os.utime(d / MANIFEST, ns=(0, (synced.archive / MANIFEST).stat().st_mtime_ns + 10**9))
    r = verify(synced)
    assert r.returncode == 0, r.stdout


def test_an_item_missing_from_the_archive_manifest_uses_its_own(synced, account):
    pid, d, _ = a_photo(synced, account)
    root = synced.archive / MANIFEST
    mtime = root.stat().st_mtime_ns
    root.write_text("".join(l + "\n" for l in root.read_text().splitlines()
                            if f"my_photos/{pid}/" not in l))
    os.utime(root, ns=(mtime, mtime))
    assert verify(synced).returncode == 0
    (d / "comments.json").write_text("[]")
    r = verify(synced)
    assert findings(r) == [("changed", f"my_photos/{pid}/comments.json", REWRITTEN)]


def test_an_older_item_manifest_must_agree_with_the_archive_manifest(synced, account):
    pid, d, _ = a_photo(synced, account)
    mtime = (d / MANIFEST).stat().st_mtime_ns
    text = (d / MANIFEST).read_text()
    (d / MANIFEST).write_text(("1" if text[0] == "0" else "0") + text[1:])
    os.utime(d / MANIFEST, ns=(mtime, mtime))
    r = verify(synced)
    assert r.returncode == 1
    assert findings(r) == [("changed", f"my_photos/{pid}/{MANIFEST}",
                            f"differs from {MANIFEST}")]


def test_a_deleted_item_manifest_is_missing(synced, account):
    pid, d, _ = a_photo(synced, account)
    (d / MANIFEST).unlink()
    r = verify(synced)
    assert r.returncode == 1
    assert findings(r) == [("missing", f"my_photos/{pid}/{MANIFEST}", None)]


# ---- damaged and hostile manifests ----------------------------------------------

def test_hostile_manifest_lines_are_reported_and_never_followed(synced, account, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the archive")
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    pid, d, _ = a_photo(synced, account)
    os.symlink(tmp_path, synced.archive / "escape")
    root = synced.archive / MANIFEST
    good = root.read_text()
    hostile = [
        f"{digest} ../secret.txt",
        f"{digest} {secret}",
        f"{digest} my_photos/../../secret.txt",
        f"{digest} escape/secret.txt",
        f"{digest} my_photos//{pid}/metadata.json",
        f"{digest} my_photos/./{pid}/metadata.json",
        f"{digest} my_photos/{pid}/",
        f"{digest[:-1]} my_photos/{pid}/metadata.json",
        f"{digest}my_photos/{pid}/metadata.json",
        f"{'g' * 64} my_photos/{pid}/metadata.json",
        f"{digest} bad%2Fpercent",
        f"{digest} ",
        f"{digest} {'x' * 9000}",
        "\x1b[31mnot a line",
    ]
    root.write_text(good + "\n".join(hostile) + "\n")
    r = verify(synced)
    assert r.returncode == 1
    got = findings(r)
    damaged = [f for f in got if f[0] == "damaged"]
    assert len(damaged) == len(hostile) - 1, r.stdout  # escape/secret.txt is a valid path...
    assert ("changed", "escape/secret.txt", "a symbolic link, not a regular file") in got, r.stdout
    assert all(f[1].startswith(f"{MANIFEST}:") for f in damaged)
    assert "\x1b" not in r.stdout
    assert len(got) == len(hostile)


def test_crlf_and_uppercase_manifests_are_read(synced, account):
    root = synced.archive / MANIFEST
    mtime = root.stat().st_mtime_ns
    lines = root.read_text().splitlines()
    root.write_bytes("".join(f"{l[:64].upper()}  \t{l[65:]}\r\n" for l in lines).encode())
    os.utime(root, ns=(mtime, mtime))
    r = verify(synced)
    assert r.returncode == 0, r.stdout


# ---- archives without manifests -------------------------------------------------

def strip_manifests(archive):
    (archive / MANIFEST).unlink()
    for d in item_dirs(archive):
        (d / MANIFEST).unlink()


def test_an_archive_from_before_manifests(synced, fake):
    strip_manifests(synced.archive)
    r = verify(synced)
    assert r.returncode == 3
    assert "no manifest" in r.stderr and "flickr-archive sync" in r.stderr
    assert r.stdout == ""
    # sync creates them from disk, without downloading anything again
    media = sum(fake.media_requests.values())
    assert synced.sync().returncode == 0
    assert sum(fake.media_requests.values()) == media
    r = verify(synced)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_complete_item_without_any_manifest(synced, account):
    pid, d, _ = a_photo(synced, account)
    (d / MANIFEST).unlink()
    root = synced.archive / MANIFEST
    root.write_text("".join(l + "\n" for l in root.read_text().splitlines()
                            if f"my_photos/{pid}/" not in l))
    r = verify(synced)
    assert r.returncode == 1
    assert findings(r) == [("no manifest", f"my_photos/{pid}",
                            "run 'flickr-archive sync' to create it")]


def test_no_archive_manifest_but_item_manifests(synced):
    (synced.archive / MANIFEST).unlink()
    r = verify(synced)
    assert r.returncode == 1
    assert findings(r) == [("no manifest", MANIFEST, "run 'flickr-archive sync' to create it")]


def test_no_archive_at_all(archiver, tmp_path):
    r = archiver.run("verify", "--archive", str(tmp_path / "nowhere"))
    assert r.returncode == 3
    assert "cannot open the archive" in r.stderr


def test_verify_waits_for_no_sync(synced):
    with open(synced.archive / ".flickr-archive" / "lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        r = verify(synced)
    assert r.returncode == 3
    assert "a sync is working" in r.stderr
