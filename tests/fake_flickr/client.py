"""A tiny OAuth-signing client for tests of (and with) the fake."""

import http.client
import json
import urllib.parse

from . import oauth


class FlickrClient:
    """Signs REST calls with the account's access token; keeps one keep-alive connection."""

    def __init__(self, fake, token=None, token_secret=None, header_auth=False):
        acc = fake.account
        self.fake = fake
        self.key, self.secret = acc.api_key, acc.api_secret
        self.token = acc.oauth_token if token is None else token
        self.token_secret = acc.oauth_token_secret if token_secret is None else token_secret
        self.header_auth = header_auth
        self.conn = http.client.HTTPConnection(fake.host, fake.port, timeout=30)

    def close(self):
        self.conn.close()

    def request(self, path_or_url, headers=None, method="GET"):
        """Raw request on the kept connection: (status, headers dict, body bytes)."""
        split = urllib.parse.urlsplit(path_or_url)
        target = split.path + (f"?{split.query}" if split.query else "")
        self.conn.request(method, target, headers=headers or {})
        resp = self.conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

    def signed(self, method, **params) -> tuple:
        """(status, headers, body) of a signed REST call of `method`."""
        params = {"method": method, "format": "json", "nojsoncallback": "1",
                  **{k: str(v) for k, v in params.items()}}
        url = self.fake.api_url
        if self.header_auth:
            auth = oauth.authorization_header(url, params, self.key, self.secret,
                                              self.token, self.token_secret)
            query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
            return self.request(f"{url}?{query}", {"Authorization": auth})
        return self.request(oauth.signed_url(url, params, self.key, self.secret,
                                             self.token, self.token_secret))

    def call(self, method, **params) -> dict:
        """Parsed JSON of a signed call (raises on a non-200 answer)."""
        status, _, body = self.signed(method, **params)
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
        return json.loads(body)
