"""OAuth 1.0a HMAC-SHA1 helpers (README §3.3), shared by the fake and its tests."""

import base64
import hashlib
import hmac
import re
import secrets
import time
import urllib.parse

_HEADER_PAIR = re.compile(r'([A-Za-z0-9_\-]+)\s*=\s*"([^"]*)"')


def enc(value) -> str:
    """RFC 3986 percent-encoding: only A-Z a-z 0-9 - . _ ~ stay as they are."""
    return urllib.parse.quote(str(value), safe="-._~")


def param_string(params) -> str:
    """Sorted `k=v&...` of (key, value) pairs, each side encoded."""
    pairs = sorted((enc(k), enc(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in pairs)


def base_string(method: str, url: str, params) -> str:
    """Signature base string; `params` excludes oauth_signature and realm."""
    return "&".join([enc(method.upper()), enc(url), enc(param_string(params))])


def sign(method, url, params, consumer_secret, token_secret="") -> str:
    """Base64 HMAC-SHA1 signature (not URL-encoded)."""
    key = f"{enc(consumer_secret)}&{enc(token_secret or '')}".encode()
    sbs = base_string(method, url, params).encode()
    return base64.b64encode(hmac.new(key, sbs, hashlib.sha1).digest()).decode()


def parse_authorization(header: str) -> list:
    """(key, value) pairs of an `Authorization: OAuth ...` header, realm dropped."""
    if not header or not header.strip().lower().startswith("oauth "):
        return []
    pairs = _HEADER_PAIR.findall(header.strip()[6:])
    return [(urllib.parse.unquote(k), urllib.parse.unquote(v))
            for k, v in pairs if k.lower() != "realm"]


def signed_params(method, url, params, consumer_key, consumer_secret,
                  token=None, token_secret="", timestamp=None, nonce=None):
    """Return `params` (a dict) plus the oauth_* parameters and signature."""
    out = dict(params)
    out.update({
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "oauth_version": "1.0",
    })
    if token:
        out["oauth_token"] = token
    out["oauth_signature"] = sign(method, url, out.items(), consumer_secret, token_secret)
    return out


def signed_url(url, params, consumer_key, consumer_secret, token=None,
               token_secret="", method="GET", **kw) -> str:
    """A GET URL with all parameters (oauth ones included) in the query."""
    full = signed_params(method, url, params, consumer_key, consumer_secret,
                         token, token_secret, **kw)
    return url + "?" + "&".join(f"{enc(k)}={enc(v)}" for k, v in full.items())


def authorization_header(url, params, consumer_key, consumer_secret, token=None,
                         token_secret="", method="GET", **kw) -> str:
    """An `OAuth ...` header value signing `params` (which stay in the query)."""
    full = signed_params(method, url, params, consumer_key, consumer_secret,
                         token, token_secret, **kw)
    oauth = [(k, v) for k, v in full.items() if k.startswith("oauth_")]
    return "OAuth " + ", ".join(f'{enc(k)}="{enc(v)}"' for k, v in oauth)
