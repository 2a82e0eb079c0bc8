"""Interrupt `zoo train` for real (SIGINT, SIGKILL): --resume finishes with exactly the uninterrupted result;
a second run into the same folder meanwhile is refused."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import zoo
from zoo.api import checkpoint_path

ZOO = os.path.join(os.path.dirname(sys.executable), "zoo")
# built on demand, chunks of 250 epochs; with 750 a run once reached its end before its SIGINT landed
NAME, EPOCHS = "encoder-1024-8-1024", "1500"


def _train(out, *extra):
    return [ZOO, "train", NAME, "--epochs", EPOCHS, "--out", str(out), *extra]


def _lock_file(out):
    checkpoint = checkpoint_path(out)
    return checkpoint.with_name(checkpoint.name + ".lock")


def _start_and_wait_for_a_checkpoint(out, *extra):
    """Start `zoo train` and return it once it has written a checkpoint newer than any there before."""
    checkpoint = checkpoint_path(out)
    before = _stamp(checkpoint)
    process = subprocess.Popen(_train(out, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _stamp(checkpoint) in (None, before) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be interrupted: raise EPOCHS"
    return process


def _stamp(path):
    """What changes when a checkpoint is written again (it is replaced whole: a new inode)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _interrupt(out, sig, *extra):
    process = _start_and_wait_for_a_checkpoint(out, *extra)
    process.send_signal(sig)
    _, err = process.communicate(timeout=120)
    assert not out.exists(), "no partial artifact in the output folder"
    assert checkpoint_path(out).exists()
    assert not list(out.parent.glob(f".{out.name}.*.partial")), "no temporary folder left behind"
    return process.returncode, err


@pytest.mark.slow
def test_interrupted_runs_resume_to_the_uninterrupted_result(tmp_path):
    """One run stopped twice: by SIGINT (a clean stop at a chunk boundary), then, resumed, by SIGKILL (no
    warning) after its next checkpoint; resumed again it equals one run straight through. The straight run
    trains in this process (the same recipe and thread count as the children)."""
    out = tmp_path / "run"
    code, err = _interrupt(out, signal.SIGINT)
    assert code == 130 and "interrupted after epoch" in err and "--resume" in err and "Traceback" not in err
    code, _ = _interrupt(out, signal.SIGKILL, "--resume")
    assert code == -signal.SIGKILL
    assert _lock_file(out).exists(), "SIGKILL left the lock behind: the resumed run must clear it"
    resumed = subprocess.run(_train(out, "--resume"), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert not checkpoint_path(out).exists(), "the checkpoint is removed once the artifact is written"
    assert not _lock_file(out).exists(), "the run's lock file is removed (after SIGKILL too, by the resumed run)"
    straight = zoo.train(NAME, epochs=int(EPOCHS), export=False)
    for x, y in zip(zoo.load(out).get_weights(), straight.model.get_weights()):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-7)
    assert len(zoo.api.artifacts.load_history(out).loss) == len(straight.history.loss) == int(EPOCHS)


@pytest.mark.slow
def test_a_second_run_into_the_same_folder_is_refused_while_the_first_trains(tmp_path):
    out = tmp_path / "run"
    first = _start_and_wait_for_a_checkpoint(out, "--epochs", "100000")  # overrides EPOCHS: it outlasts the test
    try:
        second = subprocess.run(_train(out), capture_output=True, text=True, timeout=300)
        assert second.returncode == 1
        assert f"another zoo training run is writing to {out} (pid {first.pid})" in second.stderr, second.stderr
        assert first.poll() is None, "the refused run left the first one alone"
    finally:
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=120)
    assert first.returncode == 130, err
    assert not _lock_file(out).exists() and checkpoint_path(out).exists()


def test_sigint_reaches_the_main_thread_s_handler_through_one_watcher():
    """Before TensorFlow: every later thread blocks SIGINT and each Ctrl-C still reaches the Python handler."""
    script = """
import os, signal, threading, time
from zoo.sigint import route_sigint_through_a_watcher
assert route_sigint_through_a_watcher() and not route_sigint_through_a_watcher()
masks = []
thread = threading.Thread(target=lambda: masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
thread.start(); thread.join()
got = []
signal.signal(signal.SIGINT, lambda *_: got.append(1))
for sent in (1, 2):
    os.kill(os.getpid(), signal.SIGINT)
    deadline = time.monotonic() + 10
    while len(got) < sent and time.monotonic() < deadline:
        time.sleep(0.01)
print(signal.SIGINT in masks[0], len(got))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "2"]


def test_sigint_is_left_alone_where_tensorflow_already_runs():
    import signal

    import tensorflow as tf

    from zoo.sigint import route_sigint_through_a_watcher

    tf.constant(1.0) + 1.0  # the runtime's threads exist in this test process
    assert route_sigint_through_a_watcher() is False
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
