"""Secrets: never printed, never archived; the config file is private; TLS is verified.

test_cli.py covers a successful --verbose sync and the warning for a config
others can read; test_auth.py covers the 0600/0700 modes `auth` creates.  This file
adds the error paths, every file of the archive (binary ones and the work
directory included), and certificate verification.
"""
import http.server
import re
import shutil
import ssl
import subprocess
import threading

import pytest

from conftest import ROOT, error_lines


def secrets_of(account):
    return [account.api_secret, account.oauth_token, account.oauth_token_secret]


def assert_nowhere(archiver, texts, *outputs):
    """None of texts in the outputs, nor in any file under the archive."""
    for text in texts:
        for out in outputs:
            assert text not in out, f"{text!r} printed"
    if not archiver.archive.exists():
        return
    files = [p for p in archiver.archive.rglob("*") if p.is_file()]
    assert any(".flickr-archive" in p.parts for p in files)
    for p in files:
        data = p.read_bytes()
        for text in texts:
            assert text.encode() not in data, f"{text!r} in {p}"


def test_secrets_absent_everywhere_after_a_verbose_sync(archiver, account):
    r = archiver.sync("--verbose")
    assert r.returncode == 0, r.stderr
    assert "debug: download" in r.stderr
    assert_nowhere(archiver, secrets_of(account), r.stdout, r.stderr)


@pytest.mark.parametrize("verbose", [[], ["--verbose"]])
def test_secrets_absent_on_http_500(archiver, fake, account, verbose):
    fake.add_fault("http500", "flickr.people.getPhotos", count=None)
    r = archiver.sync("--retries", "1", *verbose)
    assert r.returncode == 3, r.stderr
    [line] = error_lines(r.stderr)
    assert "HTTP 500" in line
    assert_nowhere(archiver, secrets_of(account), r.stdout, r.stderr)


def test_secrets_absent_on_http_500_for_one_item(archiver, fake, account):
    fake.add_fault("http500", "flickr.photos.getInfo", count=None)
    r = archiver.sync("--verbose", "--retries", "0")
    assert r.returncode == 1, r.stderr
    assert_nowhere(archiver, secrets_of(account), r.stdout, r.stderr)


@pytest.mark.parametrize("variable", ["FLICKR_API_SECRET", "FLICKR_OAUTH_TOKEN_SECRET"])
def test_secrets_absent_on_a_wrong_signature(archiver, account, variable):
    wrong = "wrong-" + variable.lower()
    r = archiver.sync("--verbose", env=archiver.env(**{variable: wrong}))
    assert r.returncode == 3, r.stderr
    [line] = error_lines(r.stderr)
    assert "signature_invalid" in line
    # the server's debug_sbs (it echoes the token) is not shown either
    assert "debug_sbs" not in r.stderr
    assert_nowhere(archiver, secrets_of(account) + [wrong], r.stdout, r.stderr)


def test_secrets_absent_when_the_token_is_rejected(archiver, account):
    token = "72157000000000000-0123456789abcdef"
    r = archiver.sync("-v", env=archiver.env(FLICKR_OAUTH_TOKEN=token))
    assert r.returncode == 3, r.stderr
    assert "token_rejected" in r.stderr
    assert_nowhere(archiver, secrets_of(account) + [token], r.stdout, r.stderr)


# ---- TLS ----------------------------------------------------------------------------

class _LoginHandler(http.server.BaseHTTPRequestHandler):
    requests = 0

    def do_GET(self):
        type(self).requests += 1
        body = b'{"user":{"id":"1@N01","username":{"_content":"x"}},"stat":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def self_signed_server(tmp_path):
    """An https server on 127.0.0.1 whose certificate no CA signed."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the openssl command is missing: run scripts/install-deps.sh")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    _LoginHandler.requests = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LoginHandler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_self_signed_certificate_is_refused(archiver, account, self_signed_server):
    env = archiver.env(FLICKR_API_URL=self_signed_server + "/services/rest",
                       FLICKR_OAUTH_URL=self_signed_server + "/services/oauth",
                       FLICKR_STATIC_URL=None,  # plain http only beside a plain-http API
                       SSL_CERT_FILE=None, SSL_CERT_DIR=None, CURL_CA_BUNDLE=None)
    r = archiver.sync("--retries", "0", env=env, timeout=120)
    assert r.returncode != 0
    [line] = error_lines(r.stderr)
    assert re.search(r"certificate", line, re.I), line
    assert _LoginHandler.requests == 0  # no request went over the unverified channel
    assert_nowhere(archiver, secrets_of(account), r.stdout, r.stderr)


def test_tls_verification_is_never_turned_off():
    """No source file turns certificate or host name checks off."""
    offenders = []
    for path in (ROOT / "src").rglob("*.[ch]"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"CURLOPT_(SSL_VERIFYPEER|SSL_VERIFYHOST|PROXY_SSL_VERIFYPEER|"
                             r"PROXY_SSL_VERIFYHOST|SSL_OPTIONS)\s*,\s*([^)]*)\)", text):
            option, value = m.group(1), m.group(2).strip()
            ok = {"SSL_VERIFYPEER": "1L", "SSL_VERIFYHOST": "2L"}.get(option)
            if value != ok:
                offenders.append(f"{path.name}: {option} = {value}")
        if "CURLOPT_SSL_VERIFY" in text and path.name != "http.c":
            offenders.append(f"{path.name}: sets TLS options outside http.c")
    assert offenders == []
    http_c = (ROOT / "src" / "net" / "http.c").read_text(encoding="utf-8")
    assert "CURLOPT_SSL_VERIFYPEER, 1L" in http_c and "CURLOPT_SSL_VERIFYHOST, 2L" in http_c
