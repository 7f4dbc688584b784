"""Crash safety: a sync killed with SIGKILL at any moment resumes to the reference archive.

After every kill, each file under a final name must already be the reference's file, byte
for byte (no half-written JSON or media), and the next undisturbed run must end in exactly
the reference archive with no temp files left.
"""
import os
import random
import shutil
import signal
import subprocess
import time

import pytest

from conftest import (TEMP_NAME, assert_same_as_reference, assert_subset_of_reference,
                      rerun_to_reference, temp_files)

# Set FA_CRASH_SEED to replay a failure (the seed and every delay are printed).
SEED = int(os.environ.get("FA_CRASH_SEED", "20260101"))
KILLS = 22
MAX_DELAY_S = 0.55


def kill_phase(archive, finished, started):
    """Where the run that started at `started` (time.time()) died, judged by what it left."""
    if finished:
        return "finished before the kill"
    names = {p.name for p in temp_files(archive)}
    if any(".jsonl.tmp-" in n for n in names):
        return "listing"
    if any(n.startswith((".original.", ".poster.")) for n in names):
        return "mid-download"
    if any(n.startswith((".my_photos_index", ".favorites_index", ".users_cache",
                         ".albums_index")) for n in names):
        return "index writing"
    if names:
        return "writing an item's files"
    spool = archive / ".flickr-archive" / "my_photos.jsonl"
    if not spool.exists() or spool.stat().st_mtime < started:
        return "start-up, login or albums"
    return "between items"


def run_killed_after(archiver, delay, *extra):
    """Starts a sync and SIGKILLs it after delay seconds; True if it finished first."""
    proc = archiver.popen(*archiver.sync_args(*extra), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    if proc.returncode != -signal.SIGKILL:
        assert proc.returncode == 0, err
        return True
    return False


# latencies that stretch an undisturbed sync to a few times MAX_DELAY_S
@pytest.mark.parametrize("jobs,latency,max_delay", [(1, 0.015, MAX_DELAY_S), (16, 0.05, 1.0)])
def test_random_sigkills_end_in_the_reference_archive(pinned, fake, account, reference, jobs,
                                                      latency, max_delay):
    fake.api_latency = fake.media_latency = latency
    rng = random.Random(SEED)
    print(f"seed {SEED}: FA_CRASH_SEED={SEED} replays these delays")
    kills = attempts = 0
    phases = {}
    while kills < KILLS:
        attempts += 1
        assert attempts <= 3 * KILLS, "the runs keep finishing before the kill"
        delay = rng.uniform(0.0, max_delay)
        started = time.time()
        finished = run_killed_after(pinned, delay, "--jobs", str(jobs))
        kills += not finished
        phase = kill_phase(pinned.archive, finished, started)
        phases[phase] = phases.get(phase, 0) + 1
        print(f"run {attempts}: kill after {delay:.3f} s -> {phase} "
              f"({complete_flags(pinned.archive)} items complete)")
        assert_subset_of_reference(pinned, reference)
        if finished:
            # whole: start over, so that later kills land in a first sync again
            assert_same_as_reference(pinned, reference)
            shutil.rmtree(pinned.archive)
    print("phases:", phases)
    rerun_to_reference(pinned, account, reference)


def complete_flags(archive):
    return len(list(archive.glob("*/*/complete.flag")))


def temps_like(archive, pattern):
    return [p for p in archive.glob(pattern) if TEMP_NAME.match(p.name)]


def media_without_records(archive, pattern):
    return any(not (p.parent / "complete.flag").exists() for p in archive.glob(pattern))


# phase -> ((API latency, media latency), what the archive shows once the sync is there);
# a killed run's temp files are swept by the next, so every temp seen is the current run's
PHASES = {
    # the spool's temp lives for one page's answer: long enough for a loaded machine's poll
    "listing": ((0.2, 0), lambda a: temps_like(a, ".flickr-archive/.my_photos.jsonl.*")),
    "mid-download": ((0, 0.2), lambda a: temps_like(a, "*/*/.original.*")),
    "between items": ((0.01, 0), lambda a: complete_flags(a) >= 9),
    "photo with media but no records": (
        (0.05, 0), lambda a: media_without_records(a, "my_photos/*/original.jpg")),
    "video with media but no records": (
        (0.05, 0), lambda a: media_without_records(a, "my_photos/*/original.mov")),
    "index writing": ((0, 0), lambda a: temps_like(a, ".*_index.json.*")),
}


def kill_when(archiver, reached):
    """Runs a sync and SIGKILLs it once reached(archive); False if it finished first."""
    proc = archiver.popen(*archiver.sync_args(), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    try:
        while not reached(archiver.archive):
            if proc.poll() is not None:
                assert proc.returncode == 0, proc.communicate()[1]
                return False
            time.sleep(0.0005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return True


@pytest.mark.parametrize("phase", PHASES)
def test_kill_in_each_phase_resumes_to_the_reference(pinned, fake, account, reference, phase):
    (fake.api_latency, fake.media_latency), reached = PHASES[phase]
    # index writing lasts milliseconds: a busy machine may need another run to catch it
    tries = 5 if phase == "index writing" else 1
    assert any(kill_when(pinned, reached) for _ in range(tries)), \
        f"the sync ended before '{phase}'"
    assert_subset_of_reference(pinned, reference)
    rerun_to_reference(pinned, account, reference)
