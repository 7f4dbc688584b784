"""What the benchmarks under bench/ share.

Importing it puts tests/ and tests/e2e/ on sys.path, so a benchmark can then import
the fake Flickr, the e2e fixtures and conftest's BIN.  spawn_and_measure() runs the
tool and tells its peak RSS truly.
"""
import collections
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
for _path in (ROOT / "tests", ROOT / "tests" / "e2e"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# A child's ru_maxrss counts the RSS of the process it was spawned from (the mm it
# replaces at exec), and a benchmark holds a fake Flickr or a generated account: the
# tool is spawned from a small interpreter instead (its ~10 MB is the floor of what
# is measured), which prints the tool's peak RSS (kB) and exit status.  argv[1] says
# whether the tool's stderr is kept ("keep") or thrown away ("quiet").  Also its CPU
# time (user + system, all its threads).
SPAWN_AND_MEASURE = (
    "import os, sys\n"
    "actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]\n"
    "if sys.argv[1] == 'quiet':\n"
    "    actions.append((os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0))\n"
    "pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ, file_actions=actions)\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status),\n"
    "      usage.ru_utime + usage.ru_stime)\n")


Measured = collections.namedtuple("Measured", "wall maxrss_kb code stderr cpu_s")


def spawn_and_measure(argv, env=None, keep_stderr=False):
    """Runs argv (the tool's path first), its stdout thrown away.

    Returns a Measured: wall seconds, peak RSS in kB, exit status, its stderr ("" unless
    keep_stderr), CPU seconds (user + system)."""
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-c", SPAWN_AND_MEASURE,
                        "keep" if keep_stderr else "quiet", *map(str, argv)],
                       env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    maxrss_kb, code, cpu_s = r.stdout.split()
    return Measured(wall, int(maxrss_kb), int(code), r.stderr, float(cpu_s))
