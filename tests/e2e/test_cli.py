"""Command line: help, usage errors, credentials and their precedence."""
import re

import pytest

from conftest import BIN, error_lines


def test_help_lists_every_command_and_option(archiver):
    r = archiver.run("--help")
    assert r.returncode == 0
    for word in ("auth", "sync", "verify", "--archive", "--config", "--api-key", "--api-secret",
                 "--oauth-token", "--oauth-token-secret", "--calls-per-hour", "--retries",
                 "--timeout", "--no-favorites", "--no-browser", "--quiet", "--verbose",
                 "--version", "FLICKR_API_URL", "FLICKR_OAUTH_URL", "FLICKR_API_KEY",
                 "Exit status"):
        assert word in r.stdout, word
    assert archiver.run("help").stdout == r.stdout
    assert archiver.run("sync", "--help").stdout == r.stdout


def test_version(archiver):
    r = archiver.run("--version")
    assert r.returncode == 0
    assert re.match(r"flickr-archive \d+\.\d+\.\d+", r.stdout)


def test_usage_errors_are_one_line_and_exit_2(archiver):
    for args in (["--frobnicate"], ["frobnicate"], [], ["sync", "--calls-per-hour", "lots"],
                 ["sync", "--retries", "-3"], ["sync", "extra-argument"], ["sync", "--archive"]):
        r = archiver.run(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert len(error_lines(r.stderr)) == 1, (args, r.stderr)
        assert r.stdout == "", args


# Every command that needs an API key; the others run without one.
NEEDS_A_KEY = [["auth", "--no-browser"], ["sync"], ["sync", "--plan"]]


@pytest.mark.parametrize("command", NEEDS_A_KEY, ids=" ".join)
def test_a_missing_api_key_exits_2_with_one_line(archiver, command):
    args = command if command[0] == "auth" else archiver.sync_args(*command[1:])
    r = archiver.run(*args, env=archiver.env(credentials=False), input="")
    assert r.returncode == 2, r.stderr
    [line] = error_lines(r.stderr)
    assert "no Flickr API key" in line and "FLICKR_API_KEY" in line, line
    assert "--api-key" in line
    assert r.stdout == ""
    assert not archiver.archive.exists()


def test_sync_without_token_says_run_auth(archiver):
    env = archiver.env(FLICKR_OAUTH_TOKEN=None, FLICKR_OAUTH_TOKEN_SECRET=None)
    r = archiver.sync(env=env)
    assert r.returncode == 2
    [line] = error_lines(r.stderr)
    assert "flickr-archive auth" in line


# The exit-status table (src/exit_status.h, --help, README): the same failure exits
# the same way in every command, with one error line.
COMMANDS = ["auth", "sync", "verify", "site", "search"]


def run_command(archiver, command, *extra, archive=None, env=None):
    args = [command, "--archive", str(archive or archiver.archive), *extra]
    if command == "auth":
        args = ["auth", "--no-browser", *extra]
    if command == "search" and not any(not a.startswith("-") for a in extra):
        args.append("bridge")
    return archiver.run(*args, env=env, input="")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad", [["--retries", "-3"], ["--jobs", "0"], ["--frobnicate"]])
def test_table_a_bad_option_exits_2_in_every_command(archiver, command, bad):
    r = run_command(archiver, command, *bad)
    assert r.returncode == 2, (command, bad, r.stderr)
    assert len(error_lines(r.stderr)) == 1, r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("command", ["verify", "site", "search"])
def test_table_no_archive_exits_3_in_every_command(archiver, tmp_path, command):
    r = run_command(archiver, command, archive=tmp_path / "nothing-here",
                    env=archiver.env(credentials=False))
    assert r.returncode == 3, (command, r.stderr)
    [line] = error_lines(r.stderr)
    assert "nothing-here" in line
    assert r.stdout == ""


@pytest.mark.parametrize("command", ["verify", "site", "search"])
def test_table_commands_without_network_need_no_key(archiver, command):
    assert archiver.sync("--no-favorites", "--no-site").returncode == 0
    r = run_command(archiver, command, env=archiver.env(credentials=False))
    assert r.returncode == 0, (command, r.stderr)
    assert error_lines(r.stderr) == []


def test_table_something_missing_exits_1_without_an_error_line(archiver):
    assert archiver.sync("--no-favorites", "--no-site").returncode == 0
    r = run_command(archiver, "search", "zzzqqqnothingmatches")
    assert r.returncode == 1, r.stderr
    assert error_lines(r.stderr) == []
    manifest = archiver.archive / "manifest-sha256.txt"
    first = manifest.read_text().splitlines()[0].split(maxsplit=1)[1]
    damaged = archiver.archive / first
    damaged.write_bytes(damaged.read_bytes() + b"x")
    r = run_command(archiver, "verify")
    assert r.returncode == 1, r.stderr
    assert error_lines(r.stderr) == []


def test_table_usage_errors_of_a_command_exit_2(archiver):
    # a query with nothing to search, and auth without the code it asks for
    r = run_command(archiver, "search", "!!!")
    assert r.returncode == 2, r.stderr
    [line] = error_lines(r.stderr)
    assert "nothing to search for" in line
    r = run_command(archiver, "auth")
    assert r.returncode == 2, r.stderr
    [line] = error_lines(r.stderr)
    assert "no code was entered" in line


def test_help_documents_the_exit_statuses(archiver):
    text = archiver.run("--help").stdout
    section = text[text.index("Exit status"):]
    for status in ("0 ", "1 ", "2 ", "3 ", "130 "):
        assert status in section, status
    assert "API key" in section


def test_the_verbose_trace_comes_through_the_commands_sink(archiver):
    # flickr.c and photo.c do not print: sync passes them log.c's sink (src/README.md)
    r = archiver.sync("--no-favorites", "--no-site", "--verbose")
    assert r.returncode == 0, r.stderr
    trace = [l for l in r.stderr.splitlines() if l.startswith("debug: ")]
    assert any(re.match(r"debug: API flickr\.test\.login -> HTTP 200, \d+ bytes", l)
               for l in trace), r.stderr
    assert any(l.startswith("debug: download '") for l in trace), r.stderr
    quiet = archiver.sync("--no-favorites", "--no-site", "--refresh")
    assert quiet.returncode == 0, quiet.stderr
    assert "debug:" not in quiet.stderr


def write_config(archiver, **values):
    d = archiver.config_home / "flickr-archive"
    d.mkdir(parents=True, exist_ok=True)
    path = d / "config"
    path.write_text("".join(f"{k} = {v}\n" for k, v in values.items()))
    path.chmod(0o600)
    return path


def test_config_file_supplies_credentials(archiver, account):
    write_config(archiver, api_key=account.api_key, api_secret=account.api_secret,
                 oauth_token=account.oauth_token, oauth_token_secret=account.oauth_token_secret)
    r = archiver.sync("--no-favorites", env=archiver.env(credentials=False))
    assert r.returncode == 0, r.stderr


def test_precedence_flag_over_env_over_file(archiver, account):
    write_config(archiver, api_key=account.api_key, api_secret="wrong-from-file",
                 oauth_token=account.oauth_token, oauth_token_secret=account.oauth_token_secret)
    base = archiver.env(credentials=False)
    # the file alone is wrong
    assert archiver.sync("--no-favorites", env=base).returncode == 3
    # the environment beats the file
    env = dict(base, FLICKR_API_SECRET=account.api_secret)
    assert archiver.sync("--no-favorites", env=env).returncode == 0
    # a flag beats the environment
    env = dict(base, FLICKR_API_SECRET="wrong-from-env")
    r = archiver.sync("--no-favorites", "--api-secret", account.api_secret, env=env)
    assert r.returncode == 0, r.stderr
    r = archiver.sync("--no-favorites", "--api-secret", "wrong-from-flag",
                      env=dict(base, FLICKR_API_SECRET=account.api_secret))
    assert r.returncode == 3


@pytest.mark.parametrize("mode,warns", [(0o600, False), (0o400, False), (0o640, True),
                                        (0o604, True), (0o644, True)])
def test_config_readable_by_others_warns(archiver, account, mode, warns):
    path = write_config(archiver, api_key=account.api_key, api_secret=account.api_secret,
                        oauth_token=account.oauth_token,
                        oauth_token_secret=account.oauth_token_secret)
    path.chmod(mode)
    r = archiver.sync("--no-favorites", env=archiver.env(credentials=False))
    assert r.returncode == 0, r.stderr
    warnings = [l for l in r.stderr.splitlines() if "chmod 600" in l]
    assert len(warnings) == (1 if warns else 0), r.stderr
    assert all(str(path) in l for l in warnings)


@pytest.mark.parametrize("command", ["sync", "verify", "site", "search"])
def test_a_named_config_file_that_is_missing_is_an_error(archiver, tmp_path, command):
    missing = tmp_path / "no-such.conf"
    args = [command, "-c", str(missing), "--archive", str(archiver.archive)]
    r = archiver.run(*args, *(["bridge"] if command == "search" else []))
    assert r.returncode == 2, r.stderr
    [line] = r.stderr.splitlines()
    assert str(missing) in line and "does not exist" in line
    assert not archiver.archive.exists()


def test_auth_may_name_the_config_file_it_will_write(archiver, tmp_path):
    # it goes on to the next thing it needs: an API key
    r = archiver.run("auth", "-c", str(tmp_path / "new.conf"), env=archiver.env(credentials=False))
    assert r.returncode != 0
    [line] = r.stderr.splitlines()
    assert "does not exist" not in line and "API key" in line


def test_unknown_config_keys_are_warned_of(archiver, account):
    path = write_config(archiver, api_key=account.api_key, api_secret=account.api_secret,
                        oauth_token=account.oauth_token,
                        oauth_token_secret=account.oauth_token_secret,
                        calls_per_hour=0, oauth_tokn_secret="typo")
    # a byte-order mark (Windows editors) before the first key: that key is still known
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    r = archiver.sync("--no-favorites", env=archiver.env(credentials=False))
    assert r.returncode == 0, r.stderr
    warnings = [l for l in r.stderr.splitlines() if "unknown key" in l]
    assert warnings == [f"flickr-archive: warning: '{path}': unknown key 'oauth_tokn_secret' "
                        f"ignored"], r.stderr


def test_secrets_never_printed_or_archived(archiver, account):
    r = archiver.sync("--verbose")
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert "debug: API flickr.photos.getInfo" in out
    for secret in (account.api_secret, account.oauth_token_secret, account.oauth_token):
        assert secret not in out
        for f in archiver.archive.rglob("*"):
            if f.is_file() and f.suffix in (".json", ".jsonl", ".flag"):
                assert secret not in f.read_text(encoding="utf-8", errors="replace"), f


def test_quiet_prints_nothing_on_success(archiver):
    r = archiver.sync("--quiet")
    assert r.returncode == 0
    assert r.stderr == "" and r.stdout == ""


def test_plain_progress_lines_when_not_a_terminal(archiver, account):
    r = archiver.sync()
    total = len(account.photos) + len(account.favorites) + \
        sum(len(g.photos) for g in account.galleries)
    lines = [l for l in r.stderr.splitlines() if re.match(r"^\[\d+/\d+\] ", l)]
    items = [l for l in lines if re.search(r"(my|favorited|gallery)_photos/\d+ ", l)]
    assert len(items) == total
    assert items[-1].startswith(f"[{total}/{total}]")
    # the listing and the albums report progress too
    assert any("listed page 1 of photos" in l for l in lines)
    assert sum("listed album" in l for l in lines) == len(account.albums)


def test_live_progress_line_on_a_terminal(archiver, fake):
    import os
    import pty
    import subprocess
    fake.api_latency = 0.01
    leader, follower = pty.openpty()
    proc = subprocess.Popen([BIN, *archiver.sync_args()], env=archiver.env(),
                            stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=120)
    os.close(leader)
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    # redrawn in place with \r, showing count, rate, ETA and API calls
    assert "\r\x1b[K" in text
    assert re.search(r"sync \[\d+/\d+\] \d+\.\d/s ETA \S+, \d+ API calls", text), text[-500:]
    assert "Archive: " in text
