"""Tests of the fake Flickr server itself (tests/fake_flickr)."""

import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import zlib
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from fake_flickr import FakeFlickr, FlickrClient, generate_account, sample_account  # noqa: E402
from fake_flickr import media, oauth  # noqa: E402
from fake_flickr.account import normalize_tag, is_machine_tag  # noqa: E402

ALL_EXTRAS = ("description,license,date_upload,date_taken,owner_name,icon_server,"
              "original_format,last_update,geo,tags,machine_tags,o_dims,views,media,"
              "path_alias,url_sq,url_t,url_s,url_q,url_m,url_n,url_z,url_c,url_l,url_h,"
              "url_k,url_o,count_comments,count_faves,some_unknown_extra")

# Flickr docs example (README §3.4)
DOC_KEY, DOC_SECRET = "653e7a6ecc1d528c516cc8f92cf98611", "a9567d986a7539fe"
DOC_REQ_BASE = ("GET&http%3A%2F%2Fwww.flickr.com%2Fservices%2Foauth%2Frequest_token&"
                "oauth_callback%3Dhttp%253A%252F%252Fwww.example.com%26oauth_consumer_key%3D"
                "653e7a6ecc1d528c516cc8f92cf98611%26oauth_nonce%3D95613465%26"
                "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1305586162%26"
                "oauth_version%3D1.0")
DOC_REQ_PARAMS = [("oauth_callback", "http://www.example.com"),
                  ("oauth_consumer_key", DOC_KEY), ("oauth_nonce", "95613465"),
                  ("oauth_timestamp", "1305586162"), ("oauth_signature_method", "HMAC-SHA1"),
                  ("oauth_version", "1.0")]
DOC_ACC_PARAMS = [("oauth_nonce", "37026218"), ("oauth_timestamp", "1305586309"),
                  ("oauth_verifier", "5d1b96a26b494074"), ("oauth_consumer_key", DOC_KEY),
                  ("oauth_signature_method", "HMAC-SHA1"), ("oauth_version", "1.0"),
                  ("oauth_token", "72157626737672178-022bbd2f4c2f3432")]


# ----------------------------------------------------------------------------
# fixtures and helpers
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake():
    with FakeFlickr(sample_account()) as server:
        yield server


@pytest.fixture(autouse=True)
def _reset(request):
    yield
    if "fake" in request.fixturenames:
        server = request.getfixturevalue("fake")
        server.clear_faults()
        server.api_latency = server.media_latency = 0
        server.count_extras = server.require_oauth = True
        server.oauth_time_window = 600
        server.short_listing_ids, server.hidden_ids, server.stream_skips_ids = set(), set(), set()
        server.short_page_once = server.me_only_in_getphotos = False
        server.photos_only_by_default = False
        server.short_counts = {}
        server.listing_max_per_page = 500
        server.account_max_per_page, server.refused_methods = None, {}


@pytest.fixture
def client(fake):
    c = FlickrClient(fake)
    yield c
    c.close()


def raw_get(fake, target, headers=None, method="GET", timeout=10):
    conn = http.client.HTTPConnection(fake.host, fake.port, timeout=timeout)
    try:
        conn.request(method, target, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def path_of(url):
    split = urllib.parse.urlsplit(url)
    return split.path + (f"?{split.query}" if split.query else "")


def query(pairs, signature=None):
    pairs = list(pairs) + ([("oauth_signature", signature)] if signature else [])
    return "&".join(f"{oauth.enc(k)}={oauth.enc(v)}" for k, v in pairs)


def all_pages(client, method, key="photos", **params):
    out, page = [], 1
    while True:
        data = client.call(method, page=page, **params)[key]
        out.extend(data["photo"])
        if page >= int(data["pages"]):
            return out
        page += 1


# ----------------------------------------------------------------------------
# OAuth signing vectors (README §3.4)
# ----------------------------------------------------------------------------


def test_signature_vectors():
    url = "http://www.flickr.com/services/oauth/request_token"
    assert oauth.base_string("GET", url, DOC_REQ_PARAMS) == DOC_REQ_BASE
    assert oauth.sign("GET", url, DOC_REQ_PARAMS, DOC_SECRET) == "7w18YS2bONDPL/zgyzP5XTr5af4="
    https = url.replace("http:", "https:")
    assert oauth.sign("GET", https, DOC_REQ_PARAMS, DOC_SECRET) == "2zL7aYEzEEY0IvEgQjT7IqB518U="
    acc = "http://www.flickr.com/services/oauth/access_token"
    assert oauth.sign("GET", acc, DOC_ACC_PARAMS, DOC_SECRET,
                      "fccb68c4e6103197") == "UD9TGXzrvLIb0Ar5ynqvzatM58U="
    assert oauth.sign("GET", acc.replace("http:", "https:"), DOC_ACC_PARAMS, DOC_SECRET,
                      "fccb68c4e6103197") == "9bFoO0o30UZ3TXWagb4fl2c7aU0="


def test_sdk_vectors():
    params = [("foo", "123"), ("bar", "456")]
    assert oauth.base_string("GET", "http://www.example.com", params) == \
        "GET&http%3A%2F%2Fwww.example.com&bar%3D456%26foo%3D123"
    assert oauth.sign("GET", "http://www.example.com", params,
                      "consumer secret") == "lNBTzyWRRHBuoXmgK13Nht5oiKs="
    assert oauth.sign("GET", "http://www.example.com", params, "consumer secret",
                      "keyboard cat") == "pytjoWTzMmvq13/Bai9YVX1tV9c="
    assert oauth.base_string("GET", "http://www.example.com", [("foo", "!'()*")]) == \
        "GET&http%3A%2F%2Fwww.example.com&foo%3D%2521%2527%2528%2529%252A"


@pytest.fixture
def doc_fake():
    """A fake whose consumer key/secret are the Flickr docs example's."""
    account = sample_account()
    account.api_key, account.api_secret = DOC_KEY, DOC_SECRET
    with FakeFlickr(account) as server:
        server.oauth_time_window = None  # the vectors are from 2011
        yield server


def test_server_accepts_docs_request_token_vector(doc_fake):
    host = {"Host": "www.flickr.com"}
    target = "/services/oauth/request_token?"
    bad = query(DOC_REQ_PARAMS, "7w18YS2bONDPL/zgyzP5XTr5af5=")
    status, headers, body = raw_get(doc_fake, target + bad, host)
    assert status == 401 and headers["content-type"].startswith("text/plain")
    assert body.decode() == "oauth_problem=signature_invalid&debug_sbs=" + DOC_REQ_BASE
    # the https signature is wrong for an http request
    status, _, body = raw_get(doc_fake, target + query(DOC_REQ_PARAMS,
                                                       "2zL7aYEzEEY0IvEgQjT7IqB518U="), host)
    assert status == 401 and b"signature_invalid" in body

    good = query(DOC_REQ_PARAMS, "7w18YS2bONDPL/zgyzP5XTr5af4=")
    status, _, body = raw_get(doc_fake, target + good, host)
    assert status == 200
    form = dict(urllib.parse.parse_qsl(body.decode()))
    assert form["oauth_callback_confirmed"] == "true"
    assert form["oauth_token"] and form["oauth_token_secret"]
    status, _, body = raw_get(doc_fake, target + good, host)  # replay
    assert (status, body) == (401, b"oauth_problem=nonce_used")


def test_server_accepts_docs_access_token_vector(doc_fake):
    doc_fake.add_request_token("72157626737672178-022bbd2f4c2f3432", "fccb68c4e6103197",
                               verifier="5d1b96a26b494074")
    target = "/services/oauth/access_token?" + query(DOC_ACC_PARAMS,
                                                     "UD9TGXzrvLIb0Ar5ynqvzatM58U=")
    status, _, body = raw_get(doc_fake, target, {"Host": "www.flickr.com"})
    assert status == 200, body
    form = dict(urllib.parse.parse_qsl(body.decode()))
    assert set(form) == {"fullname", "oauth_token", "oauth_token_secret", "user_nsid",
                         "username"}
    assert form["user_nsid"] == doc_fake.account.owner.nsid
    assert b"%40" in body  # values are percent-encoded


# ----------------------------------------------------------------------------
# OAuth flow and REST authentication
# ----------------------------------------------------------------------------


def test_full_oob_flow(fake):
    acc = fake.account
    url = fake.oauth_url + "/request_token"
    status, _, body = raw_get(fake, path_of(oauth.signed_url(
        url, {"oauth_callback": "oob"}, acc.api_key, acc.api_secret)))
    assert status == 200
    req = dict(urllib.parse.parse_qsl(body.decode()))
    status, headers, page = raw_get(
        fake, f"/services/oauth/authorize?oauth_token={req['oauth_token']}&perms=read")
    assert status == 200 and headers["content-type"].startswith("text/html")
    verifier = page.decode().split('<span id="verifier">')[1].split("</span>")[0]
    assert len(verifier) == 11 and verifier[3] == verifier[7] == "-"
    assert fake.authorize_perms[-1] == "read"

    acc_url = fake.oauth_url + "/access_token"
    wrong = oauth.signed_url(acc_url, {"oauth_verifier": "000-000-000"}, acc.api_key,
                             acc.api_secret, req["oauth_token"], req["oauth_token_secret"])
    status, _, body = raw_get(fake, path_of(wrong))
    assert status == 401 and b"verifier_invalid" in body
    right = oauth.signed_url(acc_url, {"oauth_verifier": verifier}, acc.api_key, acc.api_secret,
                             req["oauth_token"], req["oauth_token_secret"])
    status, _, body = raw_get(fake, path_of(right))
    assert status == 200, body
    token = dict(urllib.parse.parse_qsl(body.decode()))
    assert token["user_nsid"] == acc.owner.nsid and token["fullname"] == acc.owner.realname

    c = FlickrClient(fake, token["oauth_token"], token["oauth_token_secret"])
    assert c.call("flickr.test.login")["user"]["id"] == acc.owner.nsid
    check = c.call("flickr.auth.oauth.checkToken", oauth_token=token["oauth_token"])
    assert check["oauth"]["perms"]["_content"] == "read"
    c.close()
    assert fake.oauth_requests["request_token"] >= 1
    assert fake.oauth_requests["access_token"] >= 2


def test_authorization_header_and_post(fake):
    c = FlickrClient(fake, header_auth=True)
    assert c.call("flickr.test.login")["stat"] == "ok"
    c.close()
    acc = fake.account
    params = {"method": "flickr.test.login", "format": "json", "nojsoncallback": "1"}
    signed = oauth.signed_params("POST", fake.api_url, params, acc.api_key, acc.api_secret,
                                 acc.oauth_token, acc.oauth_token_secret)
    conn = http.client.HTTPConnection(fake.host, fake.port, timeout=10)
    conn.request("POST", "/services/rest",
                 body=urllib.parse.urlencode(signed),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    assert resp.status == 200 and json.loads(resp.read())["stat"] == "ok"
    conn.close()


def test_post_with_expect_100_continue(fake):
    acc = fake.account
    params = {"method": "flickr.test.echo", "format": "json", "nojsoncallback": "1",
              "padding": "x" * 2000}
    body = urllib.parse.urlencode(oauth.signed_params(
        "POST", fake.api_url, params, acc.api_key, acc.api_secret, acc.oauth_token,
        acc.oauth_token_secret)).encode()
    with socket.create_connection((fake.host, fake.port), timeout=5) as sock:
        sock.sendall(b"POST /services/rest HTTP/1.1\r\nHost: %s:%d\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n"
                     % (fake.host.encode(), fake.port, len(body)))
        assert sock.recv(100).startswith(b"HTTP/1.1 100")
        sock.sendall(body)
        reply = b""
        while b'"stat":"ok"' not in reply:
            chunk = sock.recv(65536)
            assert chunk
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200")


def test_trailing_slash_endpoint_signature_uses_requested_path(fake):
    acc = fake.account
    url = fake.api_url + "/"
    params = {"method": "flickr.test.login", "format": "json", "nojsoncallback": "1"}
    good = oauth.signed_url(url, params, acc.api_key, acc.api_secret, acc.oauth_token,
                            acc.oauth_token_secret)
    assert raw_get(fake, path_of(good))[0] == 200
    # signed for /services/rest but sent to /services/rest/
    bad = oauth.signed_url(fake.api_url, params, acc.api_key, acc.api_secret,
                           acc.oauth_token, acc.oauth_token_secret)
    status, _, body = raw_get(fake, path_of(bad).replace("/services/rest?", "/services/rest/?"))
    assert status == 401 and body.startswith(b"oauth_problem=signature_invalid&debug_sbs=GET&")


def _signed(fake, method="flickr.test.login", **kw):
    acc = fake.account
    args = dict(consumer_key=acc.api_key, consumer_secret=acc.api_secret,
                token=acc.oauth_token, token_secret=acc.oauth_token_secret)
    args.update(kw)
    params = {"method": method, "format": "json", "nojsoncallback": "1"}
    return path_of(oauth.signed_url(fake.api_url, params, **args))


def test_oauth_rejections(fake):
    acc = fake.account
    status, _, body = raw_get(fake, "/services/rest?method=flickr.test.login&format=json"
                                    f"&nojsoncallback=1&api_key={acc.api_key}")
    assert (status, body) == (400, b"oauth_problem=parameter_absent&"
                                   b"oauth_parameters_absent=oauth_token")
    status, _, body = raw_get(fake, _signed(fake, consumer_key="0" * 32))
    assert (status, body) == (401, b"oauth_problem=consumer_key_unknown")
    status, _, body = raw_get(fake, _signed(fake, token="72157-unknown"))
    assert (status, body) == (401, b"oauth_problem=token_rejected")
    status, _, body = raw_get(fake, _signed(fake, token_secret="wrong"))
    assert status == 401 and body.startswith(b"oauth_problem=signature_invalid&debug_sbs=")
    status, _, body = raw_get(fake, _signed(fake, timestamp=int(time.time()) - 3600))
    assert status == 401 and body.startswith(b"oauth_problem=timestamp_refused")
    target = _signed(fake, nonce="fixed-nonce")
    assert raw_get(fake, target)[0] == 200
    assert raw_get(fake, target)[2] == b"oauth_problem=nonce_used"


def test_api_key_only_calls(fake):
    key = fake.account.api_key
    status, _, body = raw_get(fake, "/services/rest?method=flickr.people.getPhotos&user_id=me"
                                    f"&format=json&nojsoncallback=1&api_key={key}")
    assert status == 400 and b"parameter_absent" in body
    status, _, body = raw_get(fake, "/services/rest?method=flickr.test.echo&format=json"
                                    f"&nojsoncallback=1&api_key={key}&foo=bar")
    assert status == 200 and json.loads(body)["foo"] == {"_content": "bar"}
    status, _, body = raw_get(fake, "/services/rest?method=flickr.test.echo&format=json"
                                    "&nojsoncallback=1&api_key=nope")
    assert json.loads(body)["code"] == 100
    # anonymous callers see public photos only
    private = fake.account.special["private"]
    status, _, body = raw_get(fake, f"/services/rest?method=flickr.photos.getInfo&photo_id="
                                    f"{private}&format=json&nojsoncallback=1&api_key={key}")
    assert json.loads(body)["code"] == 1


def test_require_oauth_off(fake):
    fake.require_oauth = False
    status, _, body = raw_get(fake, "/services/rest?method=flickr.test.login&format=json"
                                    "&nojsoncallback=1")
    assert status == 200 and json.loads(body)["user"]["id"] == fake.account.owner.nsid


# ----------------------------------------------------------------------------
# envelope
# ----------------------------------------------------------------------------


def test_envelope_and_errors(fake, client):
    assert client.call("flickr.fakeMethod") == {
        "stat": "fail", "code": 112, "message": 'Method "flickr.fakeMethod" not found'}
    missing = client.call("flickr.photos.getInfo", photo_id="123")
    assert missing == {"stat": "fail", "code": 1, "message": 'Photo "123" not found (invalid ID)'}
    status, headers, body = client.signed("flickr.test.echo", nojsoncallback="0")
    assert body.startswith(b"jsonFlickrApi({") and body.endswith(b"})")
    assert json.loads(body[len("jsonFlickrApi("):-1])["stat"] == "ok"
    status, _, body = client.signed("flickr.photos.getInfo",
                                    photo_id=fake.account.special["unicode_html"])
    assert b"\\/" in body and b"\\u" in body  # Flickr-style escaping
    title = json.loads(body)["photo"]["title"]["_content"]
    assert title == "Grand-mère à Kraków — 日本 🎉"


def test_keep_alive_and_content_length(fake):
    conn = http.client.HTTPConnection(fake.host, fake.port, timeout=10)
    for target in ["/images/buddyicon.gif", _signed(fake), "/nope", _signed(fake)]:
        conn.request("GET", target)
        resp = conn.getresponse()
        body = resp.read()
        assert int(resp.getheader("Content-Length")) == len(body)
        assert not resp.will_close
    conn.close()


# ----------------------------------------------------------------------------
# photo lists
# ----------------------------------------------------------------------------


def test_get_photos_paging_and_order(fake, client):
    acc = fake.account
    data = client.call("flickr.people.getPhotos", user_id="me", per_page=1000)["photos"]
    assert data["perpage"] == 500 and data["page"] == 1 and data["pages"] == 1
    assert data["total"] == str(len(acc.photos))
    ids = [p["id"] for p in data["photo"]]
    expected = [p.id for p in sorted(acc.photos, key=lambda p: -p.date_upload)]
    assert ids == expected  # newest upload first, every visibility
    assert {(p["ispublic"], p["isfriend"], p["isfamily"]) for p in data["photo"]} >= {
        (1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 1), (0, 0, 0)}
    default = client.call("flickr.people.getPhotos", user_id=acc.owner.nsid)["photos"]
    assert default["perpage"] == 100
    paged = all_pages(client, "flickr.people.getPhotos", user_id="me", per_page=7)
    assert [p["id"] for p in paged] == expected
    past = client.call("flickr.people.getPhotos", user_id="me", per_page=7, page=99)["photos"]
    assert past["photo"] == [] and past["page"] == 99
    assert past["pages"] == -(-len(acc.photos) // 7)
    unknown = client.call("flickr.people.getPhotos", user_id="1@N00")
    assert unknown["code"] == 2


def test_listing_quirks_are_off_by_default():
    fake = FakeFlickr(sample_account())
    assert not (fake.short_listing_ids or fake.short_page_once or fake.hidden_ids or
                fake.stream_skips_ids or fake.me_only_in_getphotos or
                fake.photos_only_by_default or fake.short_counts)
    assert fake.listing_max_per_page == 500


def test_short_listing_pages_and_date_windows(fake, client):
    acc = fake.account
    newest_first = sorted(acc.photos, key=lambda p: -p.date_upload)
    missed, hidden = newest_first[2], newest_first[9]
    fake.short_listing_ids = {missed.id}
    fake.hidden_ids = {hidden.id}
    fake.listing_max_per_page = 10
    page = client.call("flickr.people.getPhotos", user_id="me", per_page=500)["photos"]
    assert page["perpage"] == 10 and page["total"] == str(len(acc.photos))
    assert len(page["photo"]) == 8  # both left out, both counted
    window = client.call("flickr.people.getPhotos", user_id="me", min_upload_date="1",
                         max_upload_date=str(missed.date_upload))["photos"]
    ids = [p["id"] for p in window["photo"]]
    assert missed.id in ids and hidden.id not in ids
    # a short page before the last: short once, whole when asked again
    fake.short_listing_ids, fake.hidden_ids = set(), set()
    fake.short_page_once = True
    first = client.call("flickr.people.getPhotos", user_id="me", page=2)["photos"]["photo"]
    again = client.call("flickr.people.getPhotos", user_id="me", page=2)["photos"]["photo"]
    last = client.call("flickr.people.getPhotos", user_id="me",
                       page=-(-len(acc.photos) // 10))["photos"]["photo"]
    assert (len(first), len(again)) == (9, 10)
    assert len(last) == len(acc.photos) % 10 or len(last) == 10
    assert len(fake.listing_requests) >= 5


def test_me_only_in_get_photos_and_content_types(fake, client):
    acc = fake.account
    fake.me_only_in_getphotos = True
    assert client.call("flickr.people.getPhotos", user_id="me")["stat"] == "ok"
    for method in ("flickr.photosets.getList", "flickr.favorites.getList"):
        assert client.call(method, user_id="me") == {
            "stat": "fail", "code": 1, "message": "User not found"}
        assert client.call(method, user_id=acc.owner.nsid)["stat"] == "ok"
    fake.photos_only_by_default = True
    acc.photos[0].content_type = 1
    try:
        plain = client.call("flickr.people.getPhotos", user_id="me")["photos"]
        every = client.call("flickr.people.getPhotos", user_id="me",
                            content_types="0,1,2,3")["photos"]
    finally:
        acc.photos[0].content_type = 0
    assert plain["total"] == str(len(acc.photos) - 1)
    assert every["total"] == str(len(acc.photos))


def test_stream_skips_and_short_counts(fake, client):
    acc = fake.account
    member = acc.albums[0].photo_ids[0]
    fake.stream_skips_ids = {member}
    stream = client.call("flickr.people.getPhotos", user_id="me", per_page=500)["photos"]
    assert member not in [p["id"] for p in stream["photo"]]
    assert stream["total"] == str(len(acc.photos) - 1)
    album = client.call("flickr.photosets.getPhotos", photoset_id=acc.albums[0].id)
    assert member in [p["id"] for p in album["photoset"]["photo"]]
    pid = acc.special["many_comments"]
    fake.short_counts = {pid: 1}
    short = client.call("flickr.photos.comments.getList", photo_id=pid)["comments"]["comment"]
    whole = client.call("flickr.photos.comments.getList", photo_id=pid)["comments"]["comment"]
    assert (len(short), len(whole)) == (len(acc.photo(pid).comments) - 1,
                                        len(acc.photo(pid).comments))


def test_get_photos_extras(fake, client):
    acc = fake.account
    photos = {p["id"]: p for p in client.call("flickr.people.getPhotos", user_id="me",
                                              per_page=500, extras=ALL_EXTRAS)["photos"]["photo"]}
    geo = photos[acc.special["geo"]]
    assert isinstance(geo["latitude"], float) and geo["place_id"] and geo["woeid"]
    plain = photos[acc.special["no_tags"]]
    assert (plain["latitude"], plain["longitude"]) == (0, 0) and "place_id" not in plain
    assert plain["tags"] == "" and plain["machine_tags"] == ""
    np = photos[acc.special["notes_people"]]
    assert "dc:event=reunion2018" in np["machine_tags"].split()
    assert "geo:lat=5145" in np["tags"].split()
    uni = photos[acc.special["unicode_html"]]
    assert uni["tags"].split() == ["kraków", "grandmère", "日本", "travel"]
    video = photos[acc.special["video"]]
    assert video["media"] == "video" and video["media_status"] == "ready"
    assert video["url_o"].endswith("_o.jpg")  # url_* of a video are JPEG frames
    for p in photos.values():
        assert isinstance(p["dateupload"], str) and isinstance(p["views"], str)
        assert p["url_sq"].startswith(fake.static_url + "/static/")
        assert "some_unknown_extra" not in p
        assert p["count_comments"] == str(len(acc.photo(p["id"]).comments))
    assert photos[acc.special["many_faves"]]["count_faves"] == "130"
    assert photos[acc.special["png"]]["originalformat"] == "png"
    kinds = {type(p[k]) for p in photos.values() for k in p if k.startswith(("width_", "height_"))}
    assert kinds == {int, str}  # mixed encodings, as Flickr does
    fake.count_extras = False
    p = client.call("flickr.people.getPhotos", user_id="me", extras="count_faves,views",
                    per_page=1)["photos"]["photo"][0]
    assert "count_faves" not in p and "views" in p


def test_privacy_filter_and_media(fake, client):
    acc = fake.account
    private = client.call("flickr.people.getPhotos", user_id="me", privacy_filter=5,
                          per_page=500)["photos"]["photo"]
    assert acc.special["private"] in {p["id"] for p in private}
    assert all(p["ispublic"] == p["isfriend"] == p["isfamily"] == 0 for p in private)
    videos = client.call("flickr.people.getPhotos", user_id="me", media="videos",
                         extras="media")["photos"]["photo"]
    assert {p["id"] for p in videos} == {acc.special["video"], acc.special["video_streams_only"]}


def test_favorites_list(fake, client):
    acc = fake.account
    data = client.call("flickr.favorites.getList", extras=ALL_EXTRAS)["photos"]
    assert data["total"] == str(len(acc.favorites))
    dates = [int(p["date_faved"]) for p in data["photo"]]
    assert dates == sorted(dates, reverse=True) and all(
        isinstance(p["date_faved"], str) for p in data["photo"])
    by_id = {p["id"]: p for p in data["photo"]}
    no_orig = by_id[acc.special["fav_no_original"]]
    assert "url_o" not in no_orig and "originalsecret" not in no_orig
    assert "url_l" in no_orig and "url_h" not in no_orig
    assert by_id[acc.special["fav_video"]]["media"] == "video"
    assert all(p["owner"] != acc.owner.nsid for p in data["photo"])
    capped = client.call("flickr.favorites.getList", per_page=501)["photos"]
    assert capped["perpage"] == 500


def test_recently_updated(fake, client):
    assert client.call("flickr.photos.recentlyUpdated")["code"] == 2
    data = client.call("flickr.photos.recentlyUpdated", min_date=1500000000,
                       extras="last_update")["photos"]
    updates = [int(p["lastupdate"]) for p in data["photo"]]
    assert updates and updates == sorted(updates, reverse=True)
    assert all(u >= 1500000000 for u in updates)
    assert int(data["total"]) == sum(p.last_update >= 1500000000 for p in fake.account.photos)
    by_text = client.call("flickr.photos.recentlyUpdated", min_date="2017-07-14")["photos"]
    assert by_text["total"] == data["total"]


# ----------------------------------------------------------------------------
# single-photo methods
# ----------------------------------------------------------------------------


def test_get_info_shapes(fake, client):
    acc = fake.account
    info = client.call("flickr.photos.getInfo", photo_id=acc.special["geo"])["photo"]
    loc = info["location"]
    for level in ("neighbourhood", "locality", "county", "region", "country"):
        assert set(loc[level]) == {"_content", "place_id", "woeid"}
    assert isinstance(loc["latitude"], float)
    assert info["owner"]["path_alias"] == "maggiehughes" and "permissions" in info
    assert info["urls"]["url"][0]["type"] == "photopage"
    assert set(info["dates"]) == {"posted", "taken", "takengranularity", "takenunknown",
                                  "lastupdate"}
    np = client.call("flickr.photos.getInfo", photo_id=acc.special["notes_people"])["photo"]
    assert len(np["notes"]["note"]) == 2 and np["people"]["haspeople"] == 1
    tags = np["tags"]["tag"]
    assert {t["raw"] for t in tags if int(t["machine_tag"])} == {
        "dc:event=reunion2018", "people:count=12", "geo:lat=51.45"}
    plain = client.call("flickr.photos.getInfo", photo_id=acc.special["no_tags"])["photo"]
    assert plain["tags"] == {"tag": []} and "location" not in plain
    video = client.call("flickr.photos.getInfo", photo_id=acc.special["video"])["photo"]
    assert video["media"] == "video" and video["video"]["ready"] == 1
    assert video["video"]["duration"] == "23"
    fav = client.call("flickr.photos.getInfo", photo_id=acc.special["fav_no_original"])["photo"]
    assert "originalsecret" not in fav and fav["isfavorite"] == 1 and "permissions" not in fav
    mc = client.call("flickr.photos.getInfo", photo_id=acc.special["many_comments"])["photo"]
    assert mc["comments"] == {"_content": "105"}


def test_exif(fake, client):
    acc = fake.account
    assert client.call("flickr.photos.getExif", photo_id=acc.special["exif_hidden"]) == {
        "stat": "fail", "code": 2, "message": "Permission denied"}
    exif = client.call("flickr.photos.getExif", photo_id=acc.special["geo"])["photo"]
    tags = {e["tag"]: e for e in exif["exif"]}
    assert {"Make", "Model", "ExposureTime", "FNumber", "DateTimeOriginal"} <= set(tags)
    assert tags["FNumber"]["clean"]["_content"].startswith("f/")


def test_sizes_photo(fake, client):
    acc = fake.account
    sizes = client.call("flickr.photos.getSizes", photo_id=acc.special["public"])["sizes"]
    labels = [s["label"] for s in sizes["size"]]
    assert labels[0] == "Square" and labels[-1] == "Original" and "Large 2048" in labels
    assert all(s["media"] == "photo" for s in sizes["size"])
    no_orig = client.call("flickr.photos.getSizes",
                          photo_id=acc.special["fav_no_original"])["sizes"]["size"]
    assert [s["label"] for s in no_orig][-1] == "Large"
    big = [p for p in acc.photos if p.max_size_label == "X-Large 4K"][0]
    big_labels = [s["label"] for s in client.call("flickr.photos.getSizes",
                                                  photo_id=big.id)["sizes"]["size"]]
    assert "X-Large 4K" in big_labels and "X-Large 5K" not in big_labels


def test_sizes_and_streams_video(fake, client):
    acc = fake.account
    sizes = client.call("flickr.photos.getSizes", photo_id=acc.special["video"])["sizes"]["size"]
    video = [s for s in sizes if s["media"] == "video"]
    assert [s["label"] for s in video] == ["Video Player", "Site MP4", "Mobile MP4", "HD MP4",
                                          "Video Original"]
    orig = video[-1]["source"]
    assert "/play/orig/" in orig and orig.startswith(fake.url + "/photos/maggiehughes/")
    only = client.call("flickr.photos.getSizes",
                       photo_id=acc.special["video_streams_only"])["sizes"]["size"]
    assert [s["label"] for s in only if s["media"] == "video"] == ["Video Player"]
    streams = client.call("flickr.video.getStreamInfo", photo_id=acc.special["video_streams_only"],
                          secret=acc.photo(acc.special["video_streams_only"]).secret)
    assert [s["type"] for s in streams["streams"]["stream"]] == ["700", "iphone_wifi"]
    fav = client.call("flickr.photos.getSizes", photo_id=acc.special["fav_video"])["sizes"]["size"]
    fav_video = [s for s in fav if s["media"] == "video"]
    assert "Video Original" not in [s["label"] for s in fav_video]
    assert any(s["width"] == "" for s in fav_video)
    assert client.call("flickr.video.getStreamInfo", photo_id=acc.special["png"])["code"] == 1


def test_comments(fake, client):
    acc = fake.account
    data = client.call("flickr.photos.comments.getList",
                       photo_id=acc.special["many_comments"])["comments"]
    comments = data["comment"]
    assert len(comments) == 105 and len({c["author"] for c in comments}) == 40
    dates = [int(c["datecreate"]) for c in comments]
    assert dates == sorted(dates)
    assert any(c["author_is_deleted"] == 1 for c in comments)
    keys = {"id", "author", "author_is_deleted", "authorname", "iconserver", "iconfarm",
            "datecreate", "permalink", "path_alias", "realname", "_content"}
    assert all(set(c) == keys for c in comments)
    uni = client.call("flickr.photos.comments.getList",
                      photo_id=acc.special["unicode_html"])["comments"]["comment"]
    assert any("<a href=" in c["_content"] and "\n" in c["_content"] for c in uni)
    none = client.call("flickr.photos.comments.getList", photo_id=acc.special["no_tags"])
    assert none == {"comments": {"photo_id": acc.special["no_tags"]}, "stat": "ok"}


def test_get_favorites_paging(fake, client):
    pid = fake.account.special["many_faves"]
    first = client.call("flickr.photos.getFavorites", photo_id=pid)["photo"]
    assert (first["perpage"], first["pages"], first["total"]) == (10, 13, 130)
    capped = client.call("flickr.photos.getFavorites", photo_id=pid, per_page=100)["photo"]
    assert capped["perpage"] == 50 and capped["pages"] == 3
    people = []
    for page in range(1, 4):
        people += client.call("flickr.photos.getFavorites", photo_id=pid, per_page=50,
                              page=page)["photo"]["person"]
    assert len({p["nsid"] for p in people}) == 130
    dates = [int(p["favedate"]) for p in people]
    assert dates == sorted(dates, reverse=True)
    assert set(people[0]) == {"nsid", "username", "realname", "favedate", "iconserver",
                              "iconfarm", "contact", "friend", "family"}


def test_people_contexts_location(fake, client):
    acc = fake.account
    people = client.call("flickr.photos.people.getList",
                         photo_id=acc.special["notes_people"])["people"]
    assert people["total"] == 3 and "x" in people["person"][0] and "x" not in people["person"][1]
    ctx = client.call("flickr.photos.getAllContexts", photo_id=acc.special["unicode_html"])
    assert len(ctx["set"]) == 1 and "pool" not in ctx
    assert client.call("flickr.photos.getAllContexts", photo_id=acc.special["no_tags"]) == \
        {"stat": "ok"}
    loc = client.call("flickr.photos.geo.getLocation", photo_id=acc.special["geo"])
    assert loc["photo"]["location"]["locality"]["_content"] == "Bristol"
    assert client.call("flickr.photos.geo.getLocation",
                       photo_id=acc.special["no_tags"])["code"] == 2


def test_photosets(fake, client):
    acc = fake.account
    sets = client.call("flickr.photosets.getList")["photosets"]
    assert sets["total"] == 3 and len(sets["photoset"]) == 3
    first = sets["photoset"][0]
    assert first["title"] == {"_content": "Cornwall Summer 2019"} and first["photos"] == "5"
    assert client.call("flickr.photosets.getList", per_page=1, page=2)["photosets"]["photoset"][
        0]["id"] == acc.albums[1].id
    album = acc.albums[1]
    photos = client.call("flickr.photosets.getPhotos", photoset_id=album.id,
                         extras="url_o,media")["photoset"]
    assert [p["id"] for p in photos["photo"]] == album.photo_ids
    assert [p["isprimary"] for p in photos["photo"]].count("1") == 1
    assert photos["title"] == "Ella" and photos["perpage"] == 500 and photos["total"] == "5"
    info = client.call("flickr.photosets.getInfo", photoset_id=album.id)["photoset"]
    assert info["title"]["_content"] == "Ella" and info["photos"] == 5
    assert client.call("flickr.photosets.getPhotos", photoset_id="1")["code"] == 1


def test_people_info(fake, client):
    acc = fake.account
    me = client.call("flickr.people.getInfo", user_id=acc.owner.nsid)["person"]
    assert me["photos"]["count"]["_content"] == len(acc.photos)
    assert me["username"]["_content"] == acc.owner.username
    deleted = [u for u in acc.users.values() if u.is_deleted][0]
    assert client.call("flickr.people.getInfo", user_id=deleted.nsid)["code"] == 5
    assert client.call("flickr.people.getInfo", user_id="0@N00")["code"] == 1


# ----------------------------------------------------------------------------
# media
# ----------------------------------------------------------------------------


def _png_pixels(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    i, chunks = 8, {}
    while i < len(data):
        length = struct.unpack(">I", data[i:i + 4])[0]
        kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + length]
        crc = struct.unpack(">I", data[i + 8 + length:i + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc
        chunks.setdefault(kind, b"")
        chunks[kind] += body
        i += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    raw = zlib.decompress(chunks[b"IDAT"])
    assert len(raw) == height * (1 + 3 * width) and b"IEND" in chunks
    return width, height


def _gif_frames(data):
    """Independent GIF decoder: returns (width, height, [pixel count per frame])."""
    assert data[:6] == b"GIF89a" and data[-1:] == b"\x3b"
    width, height, flags = struct.unpack("<HHB", data[6:11])
    i = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = []
    while data[i] != 0x3B:
        if data[i] == 0x21:  # extension
            i += 2
            while data[i]:
                i += data[i] + 1
            i += 1
            continue
        assert data[i] == 0x2C
        w, h, fl = struct.unpack("<HHB", data[i + 5:i + 10])
        i += 10
        min_code = data[i]
        i += 1
        stream = bytearray()
        while data[i]:
            stream += data[i + 1:i + 1 + data[i]]
            i += data[i] + 1
        i += 1
        frames.append(len(_lzw_decode(bytes(stream), min_code)))
        assert frames[-1] == w * h
    return width, height, frames


def _lzw_decode(stream, min_code):
    clear, eoi = 1 << min_code, (1 << min_code) + 1
    width, table, prev, out = min_code + 1, None, None, bytearray()
    bitpos = 0
    while True:
        code = (int.from_bytes(stream[bitpos // 8: bitpos // 8 + 3], "little") >> (bitpos % 8)) \
            & ((1 << width) - 1)
        bitpos += width
        if code == clear:
            table = [bytes([k]) for k in range(clear)] + [b"", b""]
            width, prev = min_code + 1, None
            continue
        if code == eoi:
            return out
        if prev is None:
            entry = table[code]
        else:
            entry = table[code] if code < len(table) else prev + prev[:1]
            table.append(prev + entry[:1])
            if len(table) == 1 << width and width < 12:
                width += 1
        out += entry
        prev = entry


def _media_get(fake, url, **headers):
    return raw_get(fake, path_of(url), headers)


def test_photo_files(fake, client):
    acc = fake.account
    sizes = client.call("flickr.photos.getSizes", photo_id=acc.special["geo"])["sizes"]["size"]
    bodies = set()
    for size in sizes:
        status, headers, body = _media_get(fake, size["source"])
        assert status == 200 and headers["content-type"] == "image/jpeg"
        markers = media.is_valid_jpeg_structure(body)
        assert markers[0] == "SOI" and markers[-1] == "EOI"
        assert {"DQT", "SOF0", "DHT", "SOS"} <= set(markers)
        if size["label"] == "Original":
            assert "APP1" in markers and body[6:12] == b"Exif\x00\x00"
        else:
            assert "APP1" not in markers
        bodies.add(body)
    assert len(bodies) == len(sizes)  # different bytes per size label
    png = client.call("flickr.photos.getSizes", photo_id=acc.special["png"])["sizes"]["size"]
    status, headers, body = _media_get(fake, png[-1]["source"])
    assert headers["content-type"] == "image/png" and _png_pixels(body)[0] > 0
    gif = client.call("flickr.photos.getSizes", photo_id=acc.special["gif"])["sizes"]["size"]
    status, headers, body = _media_get(fake, gif[-1]["source"])
    assert headers["content-type"] == "image/gif"
    assert len(_gif_frames(body)[2]) == 2
    photo = acc.photo(acc.special["geo"])
    wrong = f"/static/{photo.server}/{photo.id}_{photo.secret}_o.jpg"  # base secret, not o
    assert raw_get(fake, wrong)[0] == 404
    assert raw_get(fake, f"/{photo.server}/{photo.id}_{photo.secret}_z.jpg")[0] == 200
    assert raw_get(fake, f"/static/{photo.server}/{photo.id}_{photo.secret}_z_d.jpg")[0] == 200
    assert fake.media_requests[path_of(sizes[0]["source"])] >= 1


def test_head_and_range(fake, client):
    acc = fake.account
    url = client.call("flickr.photos.getSizes",
                      photo_id=acc.special["public"])["sizes"]["size"][-1]["source"]
    status, headers, full = _media_get(fake, url)
    status, headers, body = raw_get(fake, path_of(url), method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(full)
    status, headers, body = _media_get(fake, url, Range="bytes=10-")
    assert status == 206 and body == full[10:]
    assert headers["content-range"] == f"bytes 10-{len(full) - 1}/{len(full)}"
    status, _, body = _media_get(fake, url, Range="bytes=-4")
    assert status == 206 and body == full[-4:] == full[-4:-2] + b"\xff\xd9"
    assert _media_get(fake, url, Range=f"bytes={len(full) + 5}-")[0] == 416


def test_video_downloads(fake, client):
    acc = fake.account
    sizes = client.call("flickr.photos.getSizes", photo_id=acc.special["video"])["sizes"]["size"]
    by_label = {s["label"]: s["source"] for s in sizes}
    status, headers, _ = _media_get(fake, by_label["Site MP4"])
    assert status == 302 and "/video/" in headers["location"] and "?s=" in headers["location"]
    status, headers, body = _media_get(fake, headers["location"])
    assert status == 200 and headers["content-type"] == "video/mp4"
    assert body[4:12] == b"ftypisom" and b"mdat" in body
    status, headers, _ = _media_get(fake, by_label["Video Original"])
    status, headers, orig = _media_get(fake, headers["location"])
    assert headers["content-type"] == "video/quicktime" and orig[4:12] == b"ftypqt  "
    assert headers["content-disposition"] == f"attachment; filename={acc.special['video']}.mov"
    assert orig != body
    # a favorited video: no original, streams are fetchable
    fav = acc.special["fav_video"]
    streams = client.call("flickr.video.getStreamInfo", photo_id=fav)["streams"]["stream"]
    status, headers, _ = _media_get(fake, streams[-1]["_content"])
    assert status == 302 and _media_get(fake, headers["location"])[0] == 200


def test_video_unfetchable(fake, client):
    photo = fake.account.photo(fake.account.special["video"])
    photo.video_fetchable = False
    try:
        sizes = client.call("flickr.photos.getSizes", photo_id=photo.id)["sizes"]["size"]
        by_label = {s["label"]: s["source"] for s in sizes}
        assert _media_get(fake, by_label["Site MP4"])[0] == 404
        status, headers, body = _media_get(fake, by_label["Video Original"])
        assert status == 200 and headers["content-type"].startswith("text/html")
    finally:
        photo.video_fetchable = True


def test_buddy_icons(fake):
    user = fake.account.owner
    for target in (f"/{user.iconserver}/buddyicons/{user.nsid}.jpg",
                   f"/buddyicons/{user.iconfarm}/{user.iconserver}/{user.nsid}.jpg"):
        status, headers, body = raw_get(fake, target)
        assert status == 200 and headers["content-type"] == "image/jpeg"
        assert media.is_valid_jpeg_structure(body)[-1] == "EOI"
    status, headers, body = raw_get(fake, "/images/buddyicon.gif")
    assert status == 200 and _gif_frames(body)[:2] == (48, 48)
    no_icon = [u for u in fake.account.users.values() if u.iconserver == "0"][0]
    assert raw_get(fake, f"/0/buddyicons/{no_icon.nsid}.jpg")[0] == 404
    assert raw_get(fake, "/definitely/not/here")[0] == 404


def test_buddy_icons_per_iconserver_counted_and_faulted(fake):
    user = fake.account.owner
    path = f"/{user.iconserver}/buddyicons/{user.nsid}.jpg"
    fake.reset_counters()
    body = raw_get(fake, path)[2]
    assert body == media.buddy_icon(user.nsid, user.iconserver)
    other = next(u for u in fake.account.users.values() if u.iconserver not in ("", "0")
                 and u.nsid != user.nsid)
    assert raw_get(fake, f"/{other.iconserver}/buddyicons/{other.nsid}.jpg")[2] != body
    # a new upload: a new iconserver, a new icon, and the old URL is gone
    old_server, user.iconserver = user.iconserver, str(int(user.iconserver) + 1)
    try:
        assert raw_get(fake, path)[0] == 404
        new = raw_get(fake, f"/{user.iconserver}/buddyicons/{user.nsid}.jpg")[2]
        assert new != body and media.is_valid_jpeg_structure(new)[-1] == "EOI"
        assert fake.icon_requests == {user.nsid: 3, other.nsid: 1}
    finally:
        user.iconserver = old_server
    # "icons" matches buddy icons only
    fake.add_fault("http503", match="icons", count=1)
    assert raw_get(fake, "/images/buddyicon.gif")[0] == 200
    assert raw_get(fake, path)[0] == 503
    assert raw_get(fake, path)[0] == 200
    fake.reset_counters()
    assert not fake.icon_requests


_DECODER_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <libexif/exif-data.h>
struct err { struct jpeg_error_mgr pub; jmp_buf jb; };
static int warnings;
static void on_err(j_common_ptr c) { longjmp(((struct err *)c->err)->jb, 1); }
static void on_msg(j_common_ptr c, int level) { if (level < 0) warnings++; }
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb"); if (!f) return 2;
  fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n); if (fread(buf, 1, n, f) != (size_t)n) return 2; fclose(f);
  struct jpeg_decompress_struct d; struct err e;
  d.err = jpeg_std_error(&e.pub); e.pub.error_exit = on_err; e.pub.emit_message = on_msg;
  if (setjmp(e.jb)) { printf("error\n"); return 1; }
  jpeg_create_decompress(&d); jpeg_mem_src(&d, buf, n);
  jpeg_read_header(&d, TRUE); jpeg_start_decompress(&d);
  JSAMPARRAY row = (*d.mem->alloc_sarray)((j_common_ptr)&d, JPOOL_IMAGE,
                                          d.output_width * d.output_components, 1);
  while (d.output_scanline < d.output_height) jpeg_read_scanlines(&d, row, 1);
  printf("size=%ux%u warnings=%d\n", d.output_width, d.output_height, warnings);
  jpeg_finish_decompress(&d); jpeg_destroy_decompress(&d);
  ExifData *ed = exif_data_new_from_data(buf, n);
  ExifEntry *en;
  char v[256];
  if (ed && (en = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_MAKE))) {
    exif_entry_get_value(en, v, sizeof v); printf("Make=%s\n", v); }
  if (ed && (en = exif_content_get_entry(ed->ifd[EXIF_IFD_EXIF], EXIF_TAG_DATE_TIME_ORIGINAL))) {
    exif_entry_get_value(en, v, sizeof v); printf("DateTimeOriginal=%s\n", v); }
  if (ed && (en = exif_content_get_entry(ed->ifd[EXIF_IFD_GPS], (ExifTag)EXIF_TAG_GPS_LATITUDE))) {
    exif_entry_get_value(en, v, sizeof v); printf("GPSLatitude=%s\n", v); }
  if (ed) exif_data_unref(ed);
  return warnings ? 3 : 0;
}
"""


@pytest.fixture(scope="module")
def jpeg_decoder(tmp_path_factory):
    """A tiny libjpeg+libexif program, when a C toolchain with those libraries exists."""
    if not shutil.which("cc") or not shutil.which("pkg-config"):
        pytest.skip("no C compiler / pkg-config")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libjpeg", "libexif"],
                           capture_output=True, text=True)
    if flags.returncode:
        pytest.skip("libjpeg/libexif development files not installed")
    d = tmp_path_factory.mktemp("jpegdec")
    (d / "dec.c").write_text(_DECODER_C)
    build = subprocess.run(["cc", "-o", str(d / "dec"), str(d / "dec.c"), *flags.stdout.split()],
                           capture_output=True, text=True)
    if build.returncode:
        pytest.skip("could not build the libjpeg checker: " + build.stderr[-300:])
    return d / "dec"


def test_jpegs_decode_with_libjpeg_and_libexif(fake, jpeg_decoder, tmp_path):
    acc = fake.account
    photo = acc.photo(acc.special["geo"])
    for label in ("Square", "Thumbnail", "Medium", "Large 2048", "Original"):
        body, _ = media.photo_file(photo, label)
        path = tmp_path / "x.jpg"
        path.write_bytes(body)
        out = subprocess.run([str(jpeg_decoder), str(path)], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        w, h = media.render_size(*photo.dims(label))
        assert f"size={w}x{h} warnings=0" in out.stdout
        if label == "Original":
            assert f"Make={photo.exif_value('Make')}" in out.stdout
            assert f"DateTimeOriginal={photo.date_taken.replace('-', ':', 2)}" in out.stdout
            assert "GPSLatitude=51, 27," in out.stdout
        else:
            assert "Make=" not in out.stdout
    icon = tmp_path / "icon.jpg"
    icon.write_bytes(media.buddy_icon(acc.owner.nsid))
    assert subprocess.run([str(jpeg_decoder), str(icon)], capture_output=True).returncode == 0


# ----------------------------------------------------------------------------
# faults, latency, counters
# ----------------------------------------------------------------------------


def test_fault_http429(fake, client):
    fake.add_fault("http429", "flickr.test.login", count=2, retry_after=7)
    for _ in range(2):
        status, headers, body = client.signed("flickr.test.login")
        assert status == 429 and headers["retry-after"] == "7"
        assert b"429 Too Many Requests" in body
    assert client.signed("flickr.test.login")[0] == 200
    fake.add_fault("http429", retry_after=None)
    status, headers, _ = client.signed("flickr.test.echo")
    assert status == 429 and "retry-after" not in headers


@pytest.mark.parametrize("kind,status", [("http500", 500), ("http502", 502), ("http503", 503)])
def test_fault_5xx(fake, client, kind, status):
    fake.add_fault(kind)
    assert client.signed("flickr.test.login")[0] == status
    assert client.signed("flickr.test.login")[0] == 200


def test_fault_stat_fail_kinds(fake, client):
    fake.add_fault("error105", "flickr.photos.getInfo")
    fake.add_fault("error201", "flickr.photos.getInfo")
    fake.add_fault("api_error", "flickr.photos.getInfo", code=99,
                   message="Insufficient permissions")
    pid = fake.account.special["public"]
    assert client.call("flickr.photos.getInfo", photo_id=pid)["code"] == 105
    assert client.call("flickr.photos.getInfo", photo_id=pid)["code"] == 201
    assert client.call("flickr.photos.getInfo", photo_id=pid) == {
        "stat": "fail", "code": 99, "message": "Insufficient permissions"}
    assert client.call("flickr.photos.getInfo", photo_id=pid)["stat"] == "ok"


def test_fault_malformed_and_html(fake, client):
    fake.add_fault("malformed_json")
    status, _, body = client.signed("flickr.test.login")
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)
    fake.add_fault("html")
    status, headers, body = client.signed("flickr.test.login")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert body.lstrip().startswith(b"<!DOCTYPE html>")


def test_fault_truncate_and_drop(fake):
    fake.add_fault("truncate", "flickr.people.getPhotos")
    conn = http.client.HTTPConnection(fake.host, fake.port, timeout=10)
    conn.request("GET", _signed(fake, "flickr.people.getPhotos"))
    resp = conn.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
    conn.close()
    fake.add_fault("drop")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        raw_get(fake, _signed(fake))
    assert raw_get(fake, _signed(fake))[0] == 200


def test_fault_stall(fake):
    fake.add_fault("stall", "flickr.test.login", seconds=0.6)
    start = time.monotonic()
    assert raw_get(fake, _signed(fake))[0] == 200
    assert time.monotonic() - start >= 0.55
    fake.add_fault("stall", "flickr.test.login", seconds=5)
    with pytest.raises((socket.timeout, TimeoutError)):
        raw_get(fake, _signed(fake), timeout=0.5)
    fake.clear_faults()
    fake.add_fault("stall", "media", seconds=0.5, mid_body=True)
    start = time.monotonic()
    status, _, body = raw_get(fake, "/images/buddyicon.gif")
    assert status == 200 and body.endswith(b"\x3b") and time.monotonic() - start >= 0.45


def test_media_faults(fake, client):
    acc = fake.account
    url = client.call("flickr.photos.getSizes",
                      photo_id=acc.special["public"])["sizes"]["size"][-1]["source"]
    fake.add_fault("http429", "/static/", count=1)
    status, headers, _ = _media_get(fake, url)
    assert status == 429 and headers["retry-after"] == "1"
    fake.add_fault("truncate", "media")
    conn = http.client.HTTPConnection(fake.host, fake.port, timeout=10)
    conn.request("GET", path_of(url))
    with pytest.raises(http.client.IncompleteRead):
        conn.getresponse().read()
    conn.close()
    fake.add_fault("html", "media")
    status, headers, _ = _media_get(fake, url)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert _media_get(fake, url)[0] == 200
    # "*" only matches API calls
    fake.add_fault("http500", "*")
    assert _media_get(fake, url)[0] == 200
    assert client.signed("flickr.test.login")[0] == 500


def test_oauth_endpoint_fault(fake):
    fake.add_fault("http429", "/services/oauth/request_token")
    status, _, body = raw_get(fake, "/services/oauth/request_token")
    assert status == 429 and b"Too Many Requests" in body


def test_stop_closes_keepalive_and_restart_reuses_port():
    server = FakeFlickr(sample_account()).start()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    conn.request("GET", "/images/buddyicon.gif")
    assert conn.getresponse().read()
    port = server.port
    server.stop()
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        conn.request("GET", "/images/buddyicon.gif")
        conn.getresponse().read()
    conn.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, port), timeout=2)
    server.start()
    try:
        assert server.port == port
        assert raw_get(server, "/images/buddyicon.gif")[0] == 200
    finally:
        server.stop()


def test_latency(fake, client):
    fake.api_latency = 0.3
    start = time.monotonic()
    client.call("flickr.test.login")
    assert time.monotonic() - start >= 0.28


def test_counters(fake, client):
    fake.reset_counters()
    client.call("flickr.test.login")
    client.call("flickr.photos.getInfo", photo_id="1")
    fake.add_fault("http500", "flickr.test.login")
    client.signed("flickr.test.login")
    assert fake.calls == {"flickr.test.login": 2, "flickr.photos.getInfo": 1}
    assert fake.calls_ok == {"flickr.test.login": 1}
    assert fake.total_api_calls == 3
    raw_get(fake, "/images/buddyicon.gif")
    assert fake.media_requests == {"/images/buddyicon.gif": 1}
    fake.reset_counters()
    assert fake.total_api_calls == 0 and not fake.media_requests


# ----------------------------------------------------------------------------
# data model, generator, CLI
# ----------------------------------------------------------------------------


def test_sample_account_specials():
    acc = sample_account()
    keys = {"many_faves", "many_comments", "unicode_html", "geo", "png", "gif", "video",
            "video_streams_only", "private", "friends", "family", "friends_family", "public",
            "notes_people", "exif_hidden", "no_tags", "fav_no_original", "fav_video"}
    assert keys <= set(acc.special)
    assert acc.many_faves == acc.special["many_faves"]
    assert len(acc.photo(acc.many_faves).faves) == 130
    assert len({f.nsid for f in acc.photo(acc.many_faves).faves}) == 130
    geo = acc.photo(acc.geo).geo
    assert all(geo[k] for k in ("neighbourhood", "locality", "county", "region", "country"))
    assert acc.photo(acc.video_streams_only).video_original_available is False
    assert not acc.photo(acc.fav_no_original).original_available
    assert not acc.is_own(acc.photo(acc.fav_video)) and acc.photo(acc.fav_video).is_video
    assert all(p.owner != acc.owner.nsid for p, _ in acc.favorites)
    assert sum(u.iconserver == "0" for u in acc.users.values()) >= 3
    assert all(p.owner in acc.users for p, _ in acc.favorites)
    assert 50 <= len(acc.photos) <= 60 and len(acc.favorites) == 8 and len(acc.albums) == 3
    # most photos of a family account draw no comments or faves
    quiet = [p for p in acc.photos if not p.comments and not p.faves]
    assert len(quiet) >= len(acc.photos) // 2
    assert sample_account().special == acc.special  # deterministic
    assert [c.text for c in sample_account().photo(acc.many_comments).comments] == \
        [c.text for c in acc.photo(acc.many_comments).comments]


def test_tag_normalisation():
    assert normalize_tag("New York") == "newyork"
    assert normalize_tag("geo:lat=12.3") == "geo:lat=123"
    assert normalize_tag("Kraków") == "kraków"
    assert is_machine_tag("geo:lat=12.3") and not is_machine_tag("New York")


def test_generate_account_large_and_fast():
    start = time.monotonic()
    acc = generate_account(100_000, seed=3)
    assert time.monotonic() - start < 15
    assert len(acc.photos) == 100_000 and len({p.id for p in acc.photos}) == 100_000
    share = sum(bool(p.comments) for p in acc.photos) / 100_000
    assert 0.17 < share < 0.23
    again = generate_account(1000, seed=3)
    assert [p.id for p in again.photos[:50]] == [p.id for p in generate_account(
        1000, seed=3).photos[:50]]
    with FakeFlickr(acc) as server:
        c = FlickrClient(server)
        t0 = time.monotonic()
        data = c.call("flickr.people.getPhotos", user_id="me", per_page=500, page=200,
                      extras="url_o,date_upload,media,original_format")["photos"]
        assert data["pages"] == 200 and len(data["photo"]) == 500
        assert time.monotonic() - t0 < 5
        body = _media_get(server, data["photo"][0]["url_o"])[2]
        assert media.is_valid_jpeg_structure(body)[-1] == "EOI"
        c.close()


def test_cli_ready_file_and_sigterm(tmp_path):
    ready = tmp_path / "ready.json"
    proc = subprocess.Popen([sys.executable, "-m", "fake_flickr", "--account", "sample",
                             "--port", "0", "--ready-file", str(ready), "--api-latency", "0"],
                            cwd=str(TESTS_DIR), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert json.loads(ready.read_text()) == info
        assert set(info) == {"url", "api_url", "oauth_url", "static_url", "api_key",
                             "api_secret", "oauth_token", "oauth_token_secret"}
        params = {"method": "flickr.test.login", "format": "json", "nojsoncallback": "1"}
        url = oauth.signed_url(info["api_url"], params, info["api_key"], info["api_secret"],
                               info["oauth_token"], info["oauth_token_secret"])
        split = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
        conn.request("GET", path_of(url))
        assert json.loads(conn.getresponse().read())["stat"] == "ok"
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
        proc.stderr.close()
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]


# -- the account's structure (issue 15) ----------------------------------------------------
def test_structure_methods_shaped_like_flickr(fake):
    c, acc = FlickrClient(fake), fake.account
    me = acc.owner.nsid
    prof = c.call("flickr.profile.getProfile", user_id=me)["profile"]
    assert prof["first_name"] == "Margaret" and prof["join_date"] == "1154390400"
    tree = c.call("flickr.collections.getTree", user_id=me)["collections"]["collection"]
    assert [k["title"] for k in tree[0]["collection"]] == ["Holidays", "Children"]
    assert [s["id"] for s in tree[0]["collection"][0]["set"]] == \
        [acc.albums[0].id, acc.albums[2].id]
    gal = c.call("flickr.galleries.getList", user_id=me)["galleries"]
    assert gal["total"] == 1 and gal["gallery"][0]["title"] == {"_content": "Places we have been"}
    photos = c.call("flickr.galleries.getPhotos", gallery_id=gal["gallery"][0]["id"])["photos"]
    assert [p["id"] for p in photos["photo"]][1] == acc.gallery_favorite
    assert photos["photo"][0]["comment"] == {"_content": "Where Tom proposed."}
    assert photos["photo"][1]["has_comment"] == 0 and "comment" not in photos["photo"][1]
    groups = c.call("flickr.people.getGroups", user_id=me)["groups"]["group"]
    assert [g["name"] for g in groups][0] == "Bristol Photographers"
    contacts = c.call("flickr.contacts.getList")["contacts"]
    assert contacts["total"] == 7 and contacts["contact"][0]["family"] == 1


def test_structure_listings_page_and_refuse(fake):
    c, me = FlickrClient(fake), fake.account.owner.nsid
    fake.account_max_per_page = 2
    seen = []
    for page in (1, 2):
        pool = c.call("flickr.groups.pools.getPhotos", group_id="34427469792@N01", user_id=me,
                      per_page=500, page=page)["photos"]
        assert pool["pages"] == 2 and pool["total"] == "3"
        seen += [p["id"] for p in pool["photo"]]
    assert len(set(seen)) == 3
    assert c.call("flickr.contacts.getList", page=5)["contacts"]["contact"] == []
    fake.refused_methods = {"flickr.contacts.getList": 99, "flickr.galleries.getList": 112}
    assert c.call("flickr.contacts.getList")["code"] == 99
    refused = c.call("flickr.galleries.getList", user_id=me)
    assert refused["code"] == 112 and "flickr.galleries.getList" in refused["message"]
