"""The fake Flickr HTTP server: REST API, OAuth endpoints, static media, faults."""

from __future__ import annotations

import collections
import hashlib
import hmac
import html
import json
import re
import socket
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import media, oauth
from .account import SIZE_BY_SUFFIX
from .api import LOGIN_METHODS, ApiError, FlickrAPI

FAULT_KINDS = {"http429", "http500", "http502", "http503", "error105", "error201",
               "malformed_json", "html", "truncate", "stall", "drop", "api_error"}
_STATUS_TEXT = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                503: "Service Unavailable"}
_STATIC_FILE = re.compile(
    r"^(?P<id>\d+)_(?P<secret>[0-9a-f]+)(?:_(?P<suffix>[0-9a-z]+?))?(?:_d)?\.(?P<ext>\w+)$")
_PLAY = re.compile(r"^/photos/(?P<alias>[^/]+)/(?P<id>\d+)/play/(?P<stream>[^/]+)/"
                   r"(?P<secret>[0-9a-f]+)/?$")
_VIDEO = re.compile(r"^/video/(?P<id>\d+)/(?P<secret>[0-9a-f]+)/(?P<stream>[^/]+)\.mp4$")
_ICON = re.compile(r"^(?:/buddyicons/\d+/(?P<s1>\d+)|(?:/static)?/(?P<s2>\d+)/buddyicons)"
                   r"/(?P<nsid>[^/]+)\.jpg$")
_HTML_PAGE = ("<!DOCTYPE html><html><head><title>Flickr: {title}</title></head>"
              "<body><h1>{title}</h1><p>{text}</p></body></html>")


class Raw(bytes):
    """A value spliced into a JSON answer byte for byte (invalid UTF-8, deep nesting...)."""


DELETE = object()  # a mutate_photo value that removes the field


@dataclass
class Mutation:
    method: str
    photo_id: str
    fields: object  # dict of field -> value (Raw, DELETE) or a callable(obj)
    remaining: int  # < 0: unlimited


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    ctype: str = "text/plain; charset=utf-8"
    headers: list = field(default_factory=list)


@dataclass
class Fault:
    kind: str
    match: str
    remaining: int  # < 0: unlimited
    params: dict


@dataclass
class TokenInfo:
    secret: str
    nsid: str = ""
    perms: str = "read"
    callback: str = "oob"
    verifier: str = ""
    authorized: bool = False


class OAuthProblem(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(body)
        self.status, self.body = status, body


def _html(status: int, title: str, text: str) -> Response:
    body = _HTML_PAGE.format(title=html.escape(title), text=text).encode()
    return Response(status, body, "text/html; charset=utf-8")


def _form(pairs) -> str:
    return "&".join(f"{k}={urllib.parse.quote(str(v), safe='')}" for k, v in pairs)


class FakeFlickr:
    """A local fake of api.flickr.com, www.flickr.com/services/oauth and the static hosts.

    Knobs (plain attributes): api_latency, media_latency, media_rate (bytes/s per
    media response, 0: unlimited), media_padding (bytes added to every photo and video file, not icons,
    for benchmarks with realistic sizes), count_extras, require_oauth, oauth_time_window
    (None disables the timestamp check).  Quirks of the real Flickr (quirk_*, README
    "Quirks"), each off by default.
    """

    def __init__(self, account, host: str = "127.0.0.1", port: int = 0):
        self.account = account
        self.host, self.port = host, port
        self.api_latency = 0.0
        self.media_latency = 0.0
        self.media_rate = 0
        self.media_padding = 0
        self.count_extras = True
        self.require_oauth = True
        self.oauth_time_window = 600
        # Quirks of the real Flickr, each OFF by default (README "Quirks" cites the reports)
        self.quirk_video_orig_refused = False  # /play/orig/ 404; getStreamInfo's orig works
        self.quirk_url_o_refused = 0           # 403, 404, 410 or "html" for an Original file
        self.quirk_url_o_refusals = 1          # per photo; None: for ever
        self.quirk_part_not_found = set()      # per-photo methods answering code 1 ...
        self.quirk_part_not_found_times = 1    # ... this many times per photo; None: for ever
        self.quirk_api_html_403_every = 0      # every Nth API request: an HTML 403 page
        self._quirk_counts = collections.Counter()
        self.nonce_limit = 100_000
        # Quirks of the real Flickr that make a client miss items, each OFF by default
        # (see README "Listing quirks" for the public report each one comes from).
        self.short_listing_ids = set()   # left out of the whole listing's pages, not of windows
        self.short_page_once = False     # a non-final page is one short the first time
        self.hidden_ids = set()          # counted by every total, listed nowhere
        self.stream_skips_ids = set()    # people.getPhotos neither lists nor counts them
        self.me_only_in_getphotos = False  # user_id=me refused outside people.getPhotos
        self.photos_only_by_default = False  # no content_types: content type 0 only
        self.short_counts = {}           # photo id -> times (None: always) one comment/fave is left out
        self.listing_requests = []       # (method, params) of every photo-listing request
        self.listing_max_per_page = 500  # photo listings clamp per_page to this (tests: many pages)
        self.account_max_per_page = None  # galleries, pools, groups, contacts clamp per_page
        self.refused_methods = {}         # method -> 99 or 112: what a key/account cannot use
        self.calls = collections.Counter()
        self.call_times = []  # time.monotonic() of every API request, in arrival order
        self.calls_ok = collections.Counter()
        self.media_requests = collections.Counter()
        self.icon_requests = collections.Counter()  # buddy icon requests by nsid
        self.oauth_requests = collections.Counter()
        self.connections = collections.Counter()  # "accepted": TCP connections (keep-alive reuse)
        self.authorize_perms = []
        self.log = collections.deque(maxlen=20_000)  # (verb, path, status)
        self.access_tokens = {account.oauth_token: TokenInfo(
            account.oauth_token_secret, account.owner.nsid, "read")}
        self.request_tokens = {}
        self._faults = []
        self._mutations = []
        self._nonces = collections.OrderedDict()
        self._token_counter = 0
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._media_cache = collections.OrderedDict()
        self._httpd = None
        self._thread = None
        self.api = FlickrAPI(self)

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> "FakeFlickr":
        """Listen (on the same port again after a stop()) and serve in a thread."""
        self._stopping.clear()
        self._httpd = _Server((self.host, self.port), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        name="fake-flickr", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
            self._httpd = None

    def __enter__(self):
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/services/rest"

    @property
    def oauth_url(self) -> str:
        return self.url + "/services/oauth"

    @property
    def static_url(self) -> str:
        return self.url

    def ready_info(self) -> dict:
        """What the CLI writes to its --ready-file."""
        acc = self.account
        return {"url": self.url, "api_url": self.api_url, "oauth_url": self.oauth_url,
                "static_url": self.static_url, "api_key": acc.api_key,
                "api_secret": acc.api_secret, "oauth_token": acc.oauth_token,
                "oauth_token_secret": acc.oauth_token_secret}

    # -- counters ---------------------------------------------------------------
    @property
    def total_api_calls(self) -> int:
        return sum(self.calls.values())

    def reset_counters(self):
        with self._lock:
            for counter in (self.calls, self.calls_ok, self.media_requests, self.icon_requests,
                            self.oauth_requests, self.connections):
                counter.clear()
            self.call_times.clear()
            self.authorize_perms.clear()
            self.log.clear()

    def _count(self, counter, key):
        with self._lock:
            counter[key] += 1

    # -- faults -----------------------------------------------------------------
    def add_fault(self, kind: str, match: str = "*", count: int = 1, **params) -> Fault:
        """Inject `count` faults (count < 0 or None: forever) on matching requests."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind, match, -1 if count is None else count, params)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> list:
        with self._lock:
            return [f for f in self._faults if f.remaining != 0]

    def _take_fault(self, scope: str, name: str, path: str):
        """Consume and return the first fault matching this request, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.remaining == 0 or not self._matches(fault.match, scope, name, path):
                    continue
                if fault.remaining > 0:
                    fault.remaining -= 1
                return fault
        return None

    @staticmethod
    def _matches(match, scope, name, path) -> bool:
        if match.startswith("/"):
            return path.startswith(match)
        if match == "*":
            return scope == "api"
        if match == "icons":
            return scope == "media" and name == "icon"
        if match in ("media", "oauth"):
            return scope == match
        return scope == "api" and match == name

    # -- hostile answers ------------------------------------------------------------
    def mutate_photo(self, photo_id, fields, method="flickr.people.getPhotos",
                     count=None) -> Mutation:
        """Override raw fields of one photo in `method`'s successful answers.

        In a listing (people.getPhotos, favorites.getList, photosets.getPhotos...)
        the target is the item whose id is photo_id; for a per-photo method
        (photos.getInfo, comments.getList, getSizes...) called with that photo_id,
        it is the answer's container object ("photo", "comments", "sizes"...).
        fields maps a field to its new value (Raw(b"...") for raw JSON bytes,
        DELETE to remove it), or is a callable that edits the target in place.
        """
        mutation = Mutation(method, str(photo_id), fields, -1 if count is None else count)
        with self._lock:
            self._mutations.append(mutation)
        return mutation

    def clear_mutations(self):
        with self._lock:
            self._mutations.clear()

    def _mutation_targets(self, mutation, params, payload):
        if str(params.get("photo_id", "")) == mutation.photo_id:
            return [v for v in payload.values() if isinstance(v, dict)][:1]
        targets = []
        for box in payload.values():
            items = box.get("photo") if isinstance(box, dict) else None
            if isinstance(items, list):
                targets += [p for p in items
                            if isinstance(p, dict) and str(p.get("id")) == mutation.photo_id]
        return targets

    def _mutate(self, method, params, payload):
        """Applies the matching mutations to a `stat: ok` payload (in place)."""
        with self._lock:
            mutations = [m for m in self._mutations if m.method == method and m.remaining != 0]
        for mutation in mutations:
            targets = self._mutation_targets(mutation, params, payload)
            for target in targets:
                if callable(mutation.fields):
                    mutation.fields(target)
                    continue
                for key, value in mutation.fields.items():
                    if value is DELETE:
                        target.pop(key, None)
                    else:
                        target[key] = value
            if targets and mutation.remaining > 0:
                with self._lock:
                    mutation.remaining -= 1

    # -- OAuth --------------------------------------------------------------------
    def add_request_token(self, token, secret, verifier="", authorized=True,
                          callback="oob", perms="read"):
        """Register a request token (e.g. the Flickr docs example) for tests."""
        self.request_tokens[token] = TokenInfo(secret, self.account.owner.nsid, perms, callback,
                                               verifier, authorized)

    def add_access_token(self, token, secret, nsid=None, perms="read"):
        self.access_tokens[token] = TokenInfo(secret, nsid or self.account.owner.nsid, perms)

    def _new_token(self) -> tuple:
        with self._lock:
            self._token_counter += 1
            n = self._token_counter
        digest = hashlib.sha1(f"{self.account.api_key}/{n}".encode()).hexdigest()
        return f"72157{720000000000 + n}-{digest[:16]}", digest[16:32]

    def _verify(self, req, pairs, need_token: bool, tokens: dict):
        """Check an OAuth-signed request; returns (oauth params dict, TokenInfo|None)."""
        params = dict(pairs)
        required = ["oauth_consumer_key", "oauth_nonce", "oauth_signature",
                    "oauth_signature_method", "oauth_timestamp"]
        if need_token:
            required.insert(0, "oauth_token")
        absent = [k for k in required if not params.get(k)]
        if absent:
            raise OAuthProblem(400, "oauth_problem=parameter_absent&oauth_parameters_absent="
                               + "%26".join(absent))
        if params["oauth_signature_method"] != "HMAC-SHA1":
            raise OAuthProblem(400, "oauth_problem=signature_method_rejected")
        if params["oauth_consumer_key"] != self.account.api_key:
            raise OAuthProblem(401, "oauth_problem=consumer_key_unknown")
        self._check_timestamp(params["oauth_timestamp"])
        info = None
        if params.get("oauth_token"):
            info = tokens.get(params["oauth_token"])
            if info is None:
                raise OAuthProblem(401, "oauth_problem=token_rejected")
        nonce_key = (params["oauth_consumer_key"], params.get("oauth_token", ""),
                     params["oauth_timestamp"], params["oauth_nonce"])
        with self._lock:
            if nonce_key in self._nonces:
                raise OAuthProblem(401, "oauth_problem=nonce_used")
        signed = [(k, v) for k, v in pairs if k != "oauth_signature"]
        url = f"http://{req.host_header()}{req.path_only}"
        sbs = oauth.base_string(req.command, url, signed)
        expected = oauth.sign(req.command, url, signed, self.account.api_secret,
                              info.secret if info else "")
        if not hmac.compare_digest(expected, params["oauth_signature"]):
            raise OAuthProblem(401, "oauth_problem=signature_invalid&debug_sbs=" + sbs)
        with self._lock:
            self._nonces[nonce_key] = True
            while len(self._nonces) > self.nonce_limit:
                self._nonces.popitem(last=False)
        return params, info

    def _check_timestamp(self, value):
        window = self.oauth_time_window
        try:
            ts = int(value)
        except ValueError:
            raise OAuthProblem(401, "oauth_problem=timestamp_refused") from None
        now = int(time.time())
        if window is not None and abs(now - ts) > window:
            raise OAuthProblem(401, "oauth_problem=timestamp_refused&oauth_acceptable_timestamps="
                               f"{now - window}-{now + window}")

    def _oauth_endpoint(self, req) -> Response:
        step = req.path_only.rstrip("/").rsplit("/", 1)[-1]
        if step not in ("request_token", "authorize", "access_token"):
            return _html(404, "Page Not Found", "No such OAuth endpoint.")
        self._count(self.oauth_requests, step)
        try:
            return getattr(self, "_oauth_" + step)(req)
        except OAuthProblem as prob:
            return Response(prob.status, prob.body.encode(), "text/plain;charset=UTF-8")

    def _oauth_request_token(self, req) -> Response:
        params, _ = self._verify(req, req.all_pairs, False, {})
        if not params.get("oauth_callback"):
            raise OAuthProblem(400, "oauth_problem=parameter_absent&"
                                    "oauth_parameters_absent=oauth_callback")
        token, secret = self._new_token()
        self.request_tokens[token] = TokenInfo(secret, callback=params["oauth_callback"])
        body = _form([("oauth_callback_confirmed", "true"), ("oauth_token", token),
                      ("oauth_token_secret", secret)])
        return Response(200, body.encode(), "text/plain;charset=UTF-8")

    def _oauth_authorize(self, req) -> Response:
        params = dict(req.query_pairs)
        info = self.request_tokens.get(params.get("oauth_token", ""))
        if info is None:
            return _html(400, "Oops! Invalid token", "The OAuth token is invalid or expired.")
        perms = params.get("perms")
        with self._lock:
            self.authorize_perms.append(perms)
        info.perms = perms if perms in ("read", "write", "delete") else "read"
        digits = int(hashlib.sha1(params["oauth_token"].encode()).hexdigest(), 16) % 10 ** 9
        info.verifier = f"{digits // 10 ** 6:03d}-{digits // 1000 % 1000:03d}-{digits % 1000:03d}"
        info.authorized, info.nsid = True, self.account.owner.nsid
        if info.callback != "oob":
            sep = "&" if "?" in info.callback else "?"
            location = info.callback + sep + _form([("oauth_token", params["oauth_token"]),
                                                    ("oauth_verifier", info.verifier)])
            resp = _html(302, "Redirecting", f'<a href="{html.escape(location)}">continue</a>')
            resp.headers.append(("Location", location))
            return resp
        text = (f"You have authorised the application to access your account with "
                f"<b>{html.escape(info.perms)}</b> permission.<br>Enter this code in the "
                f'application: <span id="verifier">{info.verifier}</span>')
        return _html(200, "Authorization complete", text)

    def _oauth_access_token(self, req) -> Response:
        params, info = self._verify(req, req.all_pairs, True, self.request_tokens)
        if not params.get("oauth_verifier"):
            raise OAuthProblem(400, "oauth_problem=parameter_absent&"
                                    "oauth_parameters_absent=oauth_verifier")
        if not info.authorized or not hmac.compare_digest(info.verifier, params["oauth_verifier"]):
            raise OAuthProblem(401, "oauth_problem=verifier_invalid")
        del self.request_tokens[params["oauth_token"]]
        token, secret = self._new_token()
        self.access_tokens[token] = TokenInfo(secret, info.nsid, info.perms)
        user = self.account.users[info.nsid]
        body = _form([("fullname", user.realname), ("oauth_token", token),
                      ("oauth_token_secret", secret), ("user_nsid", user.nsid),
                      ("username", user.username)])
        return Response(200, body.encode(), "text/plain;charset=UTF-8")

    # -- REST ---------------------------------------------------------------------
    # -- quirks -------------------------------------------------------------------------
    def _quirk_take(self, key, times) -> bool:
        """True while key has been hit fewer than times (None: always)."""
        with self._lock:
            if times is not None and self._quirk_counts[key] >= times:
                return False
            self._quirk_counts[key] += 1
            return True

    def _quirk_html_403(self) -> bool:
        every = self.quirk_api_html_403_every
        return bool(every) and self._quirk_take("api-403", None) and \
            self._quirk_counts["api-403"] % every == 0

    def _quirk_part_refused(self, method, params) -> bool:
        return method in self.quirk_part_not_found and self._quirk_take(
            ("part", method, params.get("photo_id")), self.quirk_part_not_found_times)

    def _quirk_url_o(self, photo, label):
        """The refusal of an Original photo file, or None."""
        status = self.quirk_url_o_refused
        if not status or label != "Original" or photo.is_video or \
                not self._quirk_take(("url_o", photo.id), self.quirk_url_o_refusals):
            return None
        if status == "html":
            return _html(200, "Sign in", "Please sign in to view this photo.")
        return _html(int(status), "Forbidden" if status == 403 else "Not Found",
                     "This photo is not available.")

    def _rest(self, req) -> tuple:
        """Returns (Response, fault applied after the response is built or None)."""
        params = dict(req.query_pairs + req.body_pairs)
        method = params.get("method", "")
        self._sleep(self.api_latency)
        self._count(self.calls, method)
        with self._lock:
            self.call_times.append(time.monotonic())
        if self._quirk_html_403():
            return _html(403, "Forbidden", "Your request was refused."), None
        fault = self._take_fault("api", method, req.path_only)
        answered = fault and fault.kind == "drop" and fault.params.get("after_auth")
        if fault and fault.kind not in ("truncate", "stall") and not answered:
            return self._fault_response(fault), None
        if fault and fault.kind == "stall" and not fault.params.get("mid_body"):
            self._sleep(fault.params.get("seconds", 30))
            fault = None
        try:
            viewer = self._authenticate(req, method, params)
        except OAuthProblem as prob:
            return Response(prob.status, prob.body.encode(), "text/plain;charset=UTF-8"), fault
        except ApiError as err:
            return self._json({"stat": "fail", "code": err.code, "message": err.message},
                              params), fault
        if answered:
            # the request reached Flickr (its nonce is spent) and the answer was lost:
            # libcurl resends such a request once, unchanged, on a fresh connection
            return Response(0), None
        if params.get("format", "json") != "json":
            payload = {"stat": "fail", "code": 111,
                       "message": f'Format "{params["format"]}" not found'}
        else:
            try:
                all_params = dict(req.all_pairs)
                if self._quirk_part_refused(method, all_params):
                    raise ApiError(1, "Photo not found")
                payload = self.api.call(method, all_params, viewer)
                payload["stat"] = "ok"
                if self._mutations:
                    self._mutate(method, all_params, payload)
                self._count(self.calls_ok, method)
            except ApiError as err:
                payload = {"stat": "fail", "code": err.code, "message": err.message}
        return self._json(payload, params, raw=bool(self._mutations)), fault

    def _authenticate(self, req, method, params):
        """The viewer's nsid, or None for an anonymous (api_key only) call."""
        has_oauth = any(k.startswith("oauth_") for k, _ in req.all_pairs)
        if not self.require_oauth:
            return self.account.owner.nsid
        if not has_oauth:
            if method in LOGIN_METHODS:
                raise OAuthProblem(400, "oauth_problem=parameter_absent&"
                                        "oauth_parameters_absent=oauth_token")
            key = params.get("api_key", "")
            if not re.fullmatch(r"[0-9a-f]{32}", key):
                raise ApiError(100, "Invalid API Key (Key has invalid format)")
            if key != self.account.api_key:
                raise ApiError(100, "Invalid API Key (Key not found)")
            return None
        need_token = method in LOGIN_METHODS
        _, info = self._verify(req, req.all_pairs, need_token, self.access_tokens)
        return info.nsid if info else None

    @staticmethod
    def _json(payload, params, raw=False) -> Response:
        """The JSON (or JSONP) answer; with raw, Raw values are spliced in as bytes."""
        raws = []

        def placeholders(value):
            if isinstance(value, Raw):
                raws.append(bytes(value))
                return f"\0raw{len(raws) - 1}\0"
            if isinstance(value, dict):
                return {k: placeholders(v) for k, v in value.items()}
            if isinstance(value, list):
                return [placeholders(v) for v in value]
            return value

        if raw:
            payload = placeholders(payload)
        text = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
        body = text.encode()
        for i, raw in enumerate(raws):
            body = body.replace(f'"\\u0000raw{i}\\u0000"'.encode(), raw)
        if params.get("nojsoncallback") != "1":
            return Response(200, b"jsonFlickrApi(" + body + b")",
                            "text/javascript; charset=utf-8")
        return Response(200, body, "application/json; charset=utf-8")

    def _fault_response(self, fault) -> Response:
        kind, p = fault.kind, fault.params
        if kind.startswith("http"):
            status = int(kind[4:])
            title = f"{status} {_STATUS_TEXT[status]}"
            text = ("You have sent too many requests in a given amount of time."
                    if status == 429 else "Something went wrong.")
            body = f"<html><body><h1>{title}</h1>{text}</body></html>".encode()
            resp = Response(status, body, "text/html; charset=utf-8")
            if status == 429 and p.get("retry_after", 1) is not None:
                resp.headers.append(("Retry-After", str(p.get("retry_after", 1))))
            return resp
        if kind in ("error105", "error201", "api_error"):
            code, message = {
                "error105": (105, "Service currently unavailable"),
                "error201": (201, "Sorry, the Flickr API service is not currently available."),
            }.get(kind, (p.get("code", 1), p.get("message", "Injected error")))
            return self._json({"stat": "fail", "code": code, "message": message},
                              {"nojsoncallback": "1"})
        if kind == "malformed_json":
            return Response(200, b'{"photos":{"page":1,"pages":3,"perpage":100,"photo":[{"id":"1',
                            "application/json; charset=utf-8")
        if kind == "html":
            return _html(200, "Something went wrong", "We're having some trouble.")
        return Response(0)  # drop

    # -- media ----------------------------------------------------------------------
    def _media(self, req) -> Response:
        path = req.path_only
        if path == "/images/buddyicon.gif":
            return Response(200, self._cached(("icon", "default"), lambda: (
                media.default_buddy_icon(), "image/gif"))[0], "image/gif")
        m = _ICON.match(path)
        if m:
            return self._buddy_icon(m.group("s1") or m.group("s2"), m.group("nsid"))
        m = _PLAY.match(path)
        if m:
            return self._play(m)
        m = _VIDEO.match(path)
        if m:
            return self._video(m)
        parts = path.strip("/").split("/")
        if parts and parts[0] == "static":
            parts = parts[1:]
        if len(parts) == 2 and parts[0].isdigit():
            return self._static(parts[0], parts[1])
        return _html(404, "Page Not Found", "This is not the page you are looking for.")

    def _cached(self, key, make):
        with self._lock:
            if key in self._media_cache:
                self._media_cache.move_to_end(key)
                return self._media_cache[key]
        value = make()
        with self._lock:
            self._media_cache[key] = value
            while len(self._media_cache) > 512:
                self._media_cache.popitem(last=False)
        return value

    def _static(self, server, name) -> Response:
        m = _STATIC_FILE.match(name)
        photo = self.account.photo(m.group("id")) if m else None
        if photo is None or photo.server != server:
            return _html(404, "Not Found", "File not found.")
        spec = SIZE_BY_SUFFIX.get(m.group("suffix") or "")
        if spec is None or spec.label not in photo.size_labels() \
                or photo.secret_for(spec.label) != m.group("secret") \
                or photo.file_name(spec.label).rsplit(".", 1)[1] != m.group("ext"):
            return _html(404, "Not Found", "File not found.")
        refusal = self._quirk_url_o(photo, spec.label)
        if refusal is not None:
            return refusal
        key = ("photo", photo.id, spec.label, photo.frame_format, photo.rotation,
               photo.o_width, photo.o_height)
        body, ctype = self._cached(key, lambda: media.photo_file(photo, spec.label))
        return Response(200, body, ctype)

    def _video_photo(self, m):
        photo = self.account.photo(m.group("id"))
        stream = m.group("stream")
        if photo is None or not photo.is_video or stream not in photo.video_stream_names() \
                or photo.video_secret(stream) != m.group("secret"):
            return None, stream
        return photo, stream

    def _unfetchable(self, stream) -> Response:
        if stream == "orig":
            return _html(200, "Sign in", "Please sign in to download the original video.")
        return _html(404, "Not Found", "Video not found.")

    def _play(self, m) -> Response:
        photo, stream = self._video_photo(m)
        if photo is None:
            return _html(404, "Not Found", "Video not found.")
        if not photo.video_fetchable:
            return self._unfetchable(stream)
        if stream == "orig" and self.quirk_video_orig_refused:
            return _html(404, "Not Found", "Video not found.")
        resp = Response(302, b"", "text/html; charset=utf-8")
        resp.headers.append(("Location", self.api.video_url(photo, stream)))
        return resp

    def _video(self, m) -> Response:
        photo, stream = self._video_photo(m)
        if photo is None:
            return _html(404, "Not Found", "Video not found.")
        if not photo.video_fetchable:
            return self._unfetchable(stream)
        body, ctype = self._cached(("video", photo.id, stream, photo.original_format),
                                   lambda: media.video_file(photo, stream))
        resp = Response(200, body, ctype)
        if stream == "orig":
            resp.headers.append(("Content-Disposition",
                                 f"attachment; filename={photo.id}.{photo.original_format}"))
        return resp

    def _buddy_icon(self, server, nsid) -> Response:
        user = self.account.users.get(urllib.parse.unquote(nsid))
        if user is None or user.iconserver in ("", "0") or user.iconserver != server:
            return _html(404, "Not Found", "No such icon.")
        body = self._cached(("icon", user.nsid, user.iconserver),
                            lambda: media.buddy_icon(user.nsid, user.iconserver))
        return Response(200, body, "image/jpeg")

    # -- request entry point ----------------------------------------------------------
    def _sleep(self, seconds):
        if seconds:
            self._stopping.wait(float(seconds))

    def handle(self, req) -> tuple:
        """Route one request; returns (Response, post-fault or None, is_media)."""
        path = req.path_only
        if path in ("/services/rest", "/services/rest/"):
            resp, fault = self._rest(req)
            return resp, fault, False
        if path.startswith("/services/oauth/"):
            fault = self._take_fault("oauth", "", path)
            if fault and fault.kind not in ("truncate", "stall"):
                return self._fault_response(fault), None, False
            return self._oauth_endpoint(req), fault, False
        self._count(self.media_requests, path)
        icon = _ICON.match(path)
        if icon:
            self._count(self.icon_requests, urllib.parse.unquote(icon.group("nsid")))
        self._sleep(self.media_latency)
        fault = self._take_fault("media", "icon" if icon else "", path)
        if fault and fault.kind not in ("truncate", "stall"):
            return self._fault_response(fault), None, True
        resp = self._media(req)
        # buddy icons stay the few KB they are on Flickr
        if self.media_padding and resp.status == 200 and not icon:
            resp = Response(200, resp.body + bytes(self.media_padding), resp.ctype,
                            list(resp.headers))
        return resp, fault, True


class _Server(ThreadingHTTPServer):
    """Tracks open connections so stop() can close idle keep-alive ones too."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # a client killed mid-request (the crash tests do it on purpose) is not news
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._conns = set()
        self._conns_lock = threading.Lock()

    def process_request(self, request, client_address):
        self.fake._count(self.fake.connections, "accepted")
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake_flickr/1.0"
    sys_version = ""
    timeout = 300
    wbufsize = 64 * 1024  # headers and body leave in one segment

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_expect_100(self):
        ok = super().handle_expect_100()
        self.wfile.flush()  # wfile is buffered
        return ok

    # -- parsed request helpers (used by FakeFlickr) --------------------------------
    def host_header(self) -> str:
        host = (self.headers.get("Host") or
                f"{self.server.fake.host}:{self.server.fake.port}").strip().lower()
        return host[:-3] if host.endswith(":80") else host

    def _parse(self):
        split = urllib.parse.urlsplit(self.path)
        self.path_only = split.path or "/"
        self.query_pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        self.body_pairs = []
        ctype = self.headers.get("Content-Type", "")
        if body and ctype.startswith("application/x-www-form-urlencoded"):
            self.body_pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"),
                                                     keep_blank_values=True)
        header_pairs = oauth.parse_authorization(self.headers.get("Authorization", ""))
        self.all_pairs = self.query_pairs + self.body_pairs + header_pairs

    # -- verbs ----------------------------------------------------------------------
    def do_GET(self):
        self._serve(head=False)

    def do_POST(self):
        self._serve(head=False)

    def do_HEAD(self):
        self._serve(head=True)

    def _serve(self, head: bool):
        fake = self.server.fake
        try:
            self._parse()
            resp, fault, is_media = fake.handle(self)
            if resp.status == 0:  # drop
                self.close_connection = True
                fake.log.append((self.command, self.path, 0))
                return
            if is_media and resp.status == 200:
                resp = self._apply_range(resp)
            fake.log.append((self.command, self.path, resp.status))
            self._send(resp, head, fault, fake.media_rate if is_media else 0)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _apply_range(self, resp) -> Response:
        resp.headers.append(("Accept-Ranges", "bytes"))
        m = re.fullmatch(r"bytes=(\d*)-(\d*)", (self.headers.get("Range") or "").strip())
        if not m or not (m.group(1) or m.group(2)):
            return resp
        size = len(resp.body)
        if m.group(1):
            start = int(m.group(1))
            end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
        else:
            start, end = max(0, size - int(m.group(2))), size - 1
        if start >= size or start > end:
            out = Response(416, b"", resp.ctype)
            out.headers.append(("Content-Range", f"bytes */{size}"))
            return out
        out = Response(206, resp.body[start:end + 1], resp.ctype, list(resp.headers))
        out.headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        return out

    def _send_paced(self, body: bytes, rate: int):
        """Writes body at about rate bytes/s, in 10 ms slices."""
        chunk = max(1, rate // 100)
        for i in range(0, len(body), chunk):
            self.wfile.write(body[i:i + chunk])
            self.wfile.flush()
            self.server.fake._sleep(len(body[i:i + chunk]) / rate)

    def _send(self, resp: Response, head: bool, fault, rate: int = 0):
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.ctype)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers:
            self.send_header(name, value)
        if fault is not None:
            self.close_connection = True
        self.end_headers()
        if head:
            return
        if fault is None and rate > 0:
            self._send_paced(resp.body, rate)
            return
        if fault is None:
            self.wfile.write(resp.body)  # buffered: goes out with the headers
            return
        half = len(resp.body) // 2
        self.wfile.write(resp.body[:half])
        self.wfile.flush()
        if fault.kind == "stall":
            self.server.fake._sleep(fault.params.get("seconds", 30))
            self.wfile.write(resp.body[half:])
        # truncate: stop here; the connection is closed after this request.

    def log_message(self, fmt, *args):  # silence stderr logging
        pass
