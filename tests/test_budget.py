import os
import sys
import time

import pytest

from symtransport._core.budget import run_with_budget


def _count_forever():
    i = 0
    while True:
        yield i
        i += 1
        time.sleep(0.01)


def _hang_after_one():
    yield "first"
    while True:  # a busy loop that never yields: only killing the process stops it
        pass


def _fail():
    yield 1
    raise ZeroDivisionError("boom")


def _finish():
    yield from range(3)


def test_a_hanging_worker_is_killed_at_the_budget_and_partial_results_kept():
    start = time.monotonic()
    run = run_with_budget(_hang_after_one, (), 1.0)
    elapsed = time.monotonic() - start
    assert run.timed_out and not run.finished
    assert run.messages == ["first"]
    assert elapsed < 3.0  # budget 1 s plus process start and kill


def test_streamed_messages_arrive_before_the_kill():
    run = run_with_budget(_count_forever, (), 0.5)
    assert run.timed_out
    assert run.messages[:3] == [0, 1, 2]


def test_errors_are_reported_in_one_line():
    run = run_with_budget(_fail, (), 5)
    assert run.messages == [1]
    assert run.error == "ZeroDivisionError: boom"
    assert not run.finished


def test_a_finished_worker():
    run = run_with_budget(_finish, (), 5)
    assert run.finished and not run.timed_out and run.error is None
    assert run.messages == [0, 1, 2]


def _sleep_writing_pid(path):
    with open(path, "w") as f:
        f.write(str(os.getpid()))
    yield "started"
    time.sleep(600)


def _nested(path):
    yield "outer"
    run_with_budget(_sleep_writing_pid, (path,), 600)  # blocks: the outer budget ends it


def _alive(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line for line in f)
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_of_a_killed_worker_die_with_it(tmp_path):
    path = tmp_path / "pid"
    run = run_with_budget(_nested, (str(path),), 2.0)
    assert run.timed_out
    pid = int(path.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
