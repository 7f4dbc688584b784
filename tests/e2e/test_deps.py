"""What `make` and scripts/install-deps.sh say when something is missing, without
installing anything: `make` stops with one line naming what to build with is
missing, and a Node.js too old for the pinned playwright-core is one line with
the fix, in install-deps.sh --check as in the browser tests' skip."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import ROOT
from test_browser import node_problem, pinned_playwright

NODE = shutil.which("node")
need_node = pytest.mark.skipif(not NODE, reason="no node")


def run(cmd, cwd=ROOT, **env):
    """CMD in the source tree, as from a shell: not as a sub-make of `make check`."""
    base = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**base, **env})


def copy_with_engines(tmp_path, engines):
    """install-deps.sh beside a copy of the lockfile whose playwright-core asks for ENGINES."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "install-deps.sh", tmp_path / "scripts")
    browser = tmp_path / "tests" / "browser"
    browser.mkdir(parents=True)
    lock = json.loads((ROOT / "tests" / "browser" / "package-lock.json").read_text())
    lock["packages"]["node_modules/playwright-core"]["engines"] = {"node": engines}
    (browser / "package-lock.json").write_text(json.dumps(lock))
    return tmp_path / "scripts" / "install-deps.sh"


def test_make_without_a_library_stops_with_one_line_and_installs_nothing(tmp_path):
    # pkg-config finds no library: the build cannot start, and make says what to run
    r = run(["make", "--no-print-directory", f"BUILD={tmp_path / 'build'}"],
            PKG_CONFIG_LIBDIR=str(tmp_path / "nothing"))
    assert r.returncode != 0
    said = [line for line in r.stderr.splitlines() if line.startswith("flickr-archive:")]
    assert said == ["flickr-archive: cannot build, missing: libcurl libcrypto jansson libexif libarchive "
                    "sqlite3 vips cmocka; run scripts/install-deps.sh (or make deps)"], r.stderr
    assert "installing" not in r.stderr + r.stdout
    assert not (tmp_path / "build").exists()


def test_check_build_is_quiet_when_the_build_can_run():
    r = run(["scripts/install-deps.sh", "--check-build"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


@need_node
def test_check_says_in_one_line_that_node_is_too_old_for_the_pin(tmp_path):
    script = copy_with_engines(tmp_path, ">=999")
    r = run([str(script), "--check"])
    assert r.returncode == 1
    lines = [line for line in r.stderr.splitlines() if "playwright-core" in line]
    assert len(lines) == 1, r.stderr
    version = run([NODE, "--version"]).stdout.strip().lstrip("v")
    assert f"Node.js {version} cannot run playwright-core" in lines[0]
    assert "(it needs node >=999)" in lines[0]
    assert "npm view playwright-core@VERSION engines" in lines[0]  # the fix
    assert not (tmp_path / "tests" / "browser" / "node_modules").exists()


@need_node
def test_check_accepts_a_node_the_pin_accepts(tmp_path):
    script = copy_with_engines(tmp_path, ">=1.0.0")
    r = run([str(script), "--check"])
    assert "cannot run playwright-core" not in r.stderr


def test_the_pin_accepts_the_distributions_node_18():
    # Debian 12 and Ubuntu 24.04 ship Node.js 18
    assert pinned_playwright()["engines"]["node"] == ">=18"


@need_node
def test_browser_tests_skip_with_the_reason_when_node_is_too_old():
    pin = {**pinned_playwright(), "engines": {"node": ">=999.1"}}
    why = node_problem(NODE, pin)
    assert why.startswith("Node.js ") and f"playwright-core {pin['version']}" in why
    assert "it needs node >=999.1" in why
    assert node_problem(NODE, {**pin, "engines": {"node": ">=1"}}) is None
    # a range not of the form >=X[.Y.Z] is not judged here (npm says it)
    assert node_problem(NODE, {**pin, "engines": {"node": "^999 || ^1000"}}) is None
