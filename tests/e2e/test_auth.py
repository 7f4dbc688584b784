"""`flickr-archive auth`: OAuth 1.0a out-of-band, against the fake's real signature checks."""
import os
import re
import stat
import urllib.request

from conftest import error_lines


def authorize_in_browser(url):
    """What the user does: open the page, approve, read the code."""
    html = urllib.request.urlopen(url, timeout=10).read().decode()
    return re.search(r'<span id="verifier">([^<]+)</span>', html).group(1)


def run_auth(archiver, answer=None, env=None):
    env = env or archiver.env(FLICKR_OAUTH_TOKEN=None, FLICKR_OAUTH_TOKEN_SECRET=None)
    proc = archiver.popen("auth", "--no-browser", env=env, stdin=-1, stdout=-1, stderr=-1)
    url = None
    for line in proc.stdout:
        m = re.search(r"(http://\S+/authorize\?\S+)", line)
        if m:
            url = m.group(1)
            break
    assert url, "no authorize URL printed"
    code = answer(url) if answer else authorize_in_browser(url)
    out, err = proc.communicate(code + "\n", timeout=60)
    return proc.returncode, url, out, err


def test_auth_saves_a_working_token(archiver, fake, account):
    code, url, out, err = run_auth(archiver)
    assert code == 0, err
    assert "perms=read" in url
    assert fake.authorize_perms == ["read"]
    assert f"Authorized as {account.owner.username}" in err
    path = archiver.config_home / "flickr-archive" / "config"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    text = path.read_text()
    assert "oauth_token = " in text and "oauth_token_secret = " in text
    # the token saved is a real, new one: a sync with nothing but the file works
    r = archiver.sync("--no-favorites", env=archiver.env(credentials=False))
    assert r.returncode == 0, r.stderr
    secret = re.search(r"oauth_token_secret = (\S+)", text).group(1)
    assert secret not in out + err + r.stderr


def test_auth_with_a_wrong_code_fails_cleanly(archiver):
    code, _, _, err = run_auth(archiver, answer=lambda url: "000-000-000")
    assert code == 3
    [line] = error_lines(err)
    assert "verifier" in line or "refused" in line
    assert not (archiver.config_home / "flickr-archive" / "config").exists()


def test_auth_with_a_wrong_secret_is_refused(archiver):
    env = archiver.env(FLICKR_OAUTH_TOKEN=None, FLICKR_OAUTH_TOKEN_SECRET=None,
                       FLICKR_API_SECRET="not-the-secret")
    r = archiver.run("auth", "--no-browser", env=env, input="")
    assert r.returncode == 3
    [line] = error_lines(r.stderr)
    assert "signature_invalid" in line
    assert "not-the-secret" not in r.stderr


def test_auth_needs_an_api_key(archiver):
    r = archiver.run("auth", env=archiver.env(credentials=False), input="")
    assert r.returncode == 2
    assert "FLICKR_API_KEY" in r.stderr


def test_auth_without_a_code(archiver):
    code, _, _, err = run_auth(archiver, answer=lambda url: "")
    assert code == 2
    assert len(error_lines(err)) == 1
