"""Run a generator in a forked child process under a hard wall-clock budget.

SymPy's simplification and mpmath's quadrature can run for minutes on a large expression and
cannot be interrupted from inside Python reliably (a long C-level big-integer operation ignores
signals). The only sound way to honour a time budget is to run the work in a separate process
and kill it when the budget is spent. The work is a generator: each value it yields is sent to
the parent as soon as it is produced, so the parent keeps every partial result (for example,
the numeric points already evaluated) when the child is killed.

On platforms without ``fork`` the generator runs in-process and the budget is only checked
between yielded values (best effort).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BudgetRun", "run_with_budget"]

_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
_DONE = "__symtransport_done__"
_FAILED = "__symtransport_failed__"


@dataclass
class BudgetRun:
    """What a budgeted run produced.

    ``messages`` holds every value the generator yielded before it finished or was stopped;
    ``finished`` is true when the generator ran to completion; ``error`` holds a one-line
    description of an exception raised by the generator, or of the worker's end when it
    ended without reporting, if any; ``timed_out`` is true when the budget ran out first;
    ``crashed`` is true when the worker process ended without reporting (``os._exit``, a
    signal, or a crash of Python itself); ``exitcode`` is the worker's exit status once it
    ended (negative: the signal that ended it; None when the work ran in-process).
    """

    messages: list[Any] = field(default_factory=list)
    finished: bool = False
    timed_out: bool = False
    error: str | None = None
    crashed: bool = False
    exitcode: int | None = None

    @property
    def exit_status(self) -> str:
        """How the worker process ended, in words: ``exit code 0``, ``killed by SIGSEGV``."""
        if self.exitcode is None:
            return "exit status unknown"
        if self.exitcode >= 0:
            return f"exit code {self.exitcode}"
        try:
            return f"killed by {signal.Signals(-self.exitcode).name}"
        except ValueError:
            return f"killed by signal {-self.exitcode}"


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (PR_SET_PDEATHSIG).

    A worker killed at its budget may itself be waiting on a worker of its own (a claim's
    process runs verify_identity's stages in children); without this, those grandchildren
    would outlive the run. Elsewhere this is a no-op.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _child(
    work: Callable[..., Iterator[Any]], args: tuple[Any, ...], conn: Any, parent: int
) -> None:
    _die_with_parent(parent)
    try:
        for message in work(*args):
            conn.send(message)
        conn.send((_DONE,))
    except BaseException as exc:  # report every failure of the work to the parent
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        conn.send((_FAILED, last))
    finally:
        conn.close()


def _fork_context() -> Any:
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def run_with_budget(
    work: Callable[..., Iterator[Any]], args: tuple[Any, ...], seconds: float
) -> BudgetRun:
    """Run ``work(*args)`` (a generator function) for at most ``seconds`` of wall-clock time."""
    ctx = _fork_context()
    if ctx is None:
        return _run_inline(work, args, seconds)
    deadline = time.monotonic() + max(seconds, 0.0)
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(work, args, sender, os.getpid()), daemon=False)
    process.start()
    sender.close()
    run = BudgetRun()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not receiver.poll(remaining):
                run.timed_out = True
                break
            try:
                message = receiver.recv()
            except EOFError:
                run.crashed = True
                break
            if isinstance(message, tuple) and message and message[0] == _DONE:
                run.finished = True
                break
            if isinstance(message, tuple) and message and message[0] == _FAILED:
                run.error = message[1]
                break
            run.messages.append(message)
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    run.exitcode = process.exitcode
    if run.crashed:
        run.error = f"the worker process ended without reporting ({run.exit_status})"
    return run


def _run_inline(
    work: Callable[..., Iterator[Any]], args: tuple[Any, ...], seconds: float
) -> BudgetRun:
    deadline = time.monotonic() + max(seconds, 0.0)
    run = BudgetRun()
    try:
        for message in work(*args):
            run.messages.append(message)
            if time.monotonic() > deadline:
                run.timed_out = True
                return run
        run.finished = True
    except Exception as exc:
        run.error = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return run
