"""Where the units of a campaign run: :mod:`concurrent.futures` executors, by name.

A unit (:class:`~symtransport._claims.campaign.Unit`: a claim, a seed, a shard and the
settings) is a pure function of its fields, so any :class:`concurrent.futures.Executor` can
run it; its result does not depend on which one or on how many workers it has.

* ``local`` (the default): a pool of threads on this machine, each waiting on one child
  process per unit (``jobs`` at a time, one per core by default), as ``symtransport check``
  always ran claims.
* ``dask``: a Dask cluster (``pip install "symtransport[dask]"``), through the
  ``concurrent.futures`` executor of a :class:`distributed.Client`: at the ``scheduler`` address
  (``tcp://host:8786``, started with ``dask scheduler`` and ``dask worker``), or a
  :class:`distributed.LocalCluster` of ``jobs`` single-threaded worker processes started for the
  run when no address is given. Each unit is pickled to a worker: the claim's id, the *path* of
  its proof file (which must be readable at the same path on every worker), the shard and the
  settings; the worker imports the proof file and runs the unit in a child process under the
  claim's wall-clock safety net, as the local executor does. A unit's child process is forked
  from the worker, so the workers must not be daemonic processes: the ``LocalCluster`` is
  started with ``distributed.worker.daemon: False``, and ``dask worker`` needs
  ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` in its environment. Dask also starts its workers
  with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes NumPy-heavy claims about 1.7x slower; the
  ``LocalCluster`` drops it; on a real cluster, give the workers a Dask configuration whose
  ``distributed.nanny.pre-spawn-environ`` leaves it out. The ``LocalCluster``'s workers also run
  without Dask's statistical profiler and GIL monitor (there is no dashboard to show them).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

from symtransport._claims.runner import default_jobs, preload
from symtransport.errors import InvalidArgument, SymtransportError

__all__ = ["EXECUTORS", "check_executor", "open_executor", "result_of", "run_there"]

T = TypeVar("T")


def run_there(work: Callable[[], T]) -> T:
    """``work()`` (e.g. a unit's ``run``), where an executor sent it: the layers a proof file
    imports are loaded once in this process first, so that each unit's forked child starts
    with them."""
    preload()
    return work()


@contextlib.contextmanager
def _local(jobs: int | None, scheduler: str | None) -> Iterator[Executor]:
    workers = default_jobs() if jobs is None else jobs
    # threads only wait on the child processes' pipes; the work runs in those processes
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield pool


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InvalidArgument(
            "executor='dask' needs Dask: pip install \"symtransport[dask]\""
        ) from None
    return distributed


@contextlib.contextmanager
def _dask(jobs: int | None, scheduler: str | None) -> Iterator[Executor]:
    distributed = _distributed()
    import dask

    with contextlib.ExitStack() as stack:
        if scheduler is None:
            # the workers fork a child per unit: they must not be daemonic processes; and
            # Dask's MALLOC_TRIM_THRESHOLD_=65536 for its workers makes glibc return memory so
            # eagerly that NumPy-heavy claims run 1.7x slower (measured: the entropy
            # conjecture, 400 examples, 11.2 s -> 18.6 s a unit), so the workers keep glibc's
            # default
            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
            environ.pop("MALLOC_TRIM_THRESHOLD_", None)
            # nor do the workers sample their own threads for a dashboard nobody sees (the
            # statistical profiler every 10 ms, the GIL monitor every 1 ms): on 2 cores that
            # work competes with the units (measured: 104.3 -> 101.4 s of unit time, 8 units)
            settings = {
                "distributed.worker.daemon": False,
                "distributed.nanny.pre-spawn-environ": environ,
                "distributed.worker.profile.enabled": False,
                "distributed.admin.system-monitor.gil.enabled": False,
            }
            stack.enter_context(dask.config.set(settings))
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=default_jobs() if jobs is None else jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.CRITICAL,  # a worker's heartbeat at shutdown
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
        else:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout="30s"))
            except (OSError, TimeoutError, ValueError) as exc:
                raise InvalidArgument(
                    f"scheduler={scheduler!r}: cannot reach a Dask scheduler there ({exc})"
                ) from None
        # pure=False: each submission is its own task, never merged with an equal-looking one
        yield client.get_executor(pure=False)


#: the executors by name: each takes ``(jobs, scheduler)`` and is a context manager that
#: yields a :class:`concurrent.futures.Executor`
EXECUTORS: dict[str, Callable[[int | None, str | None], contextlib.AbstractContextManager[Any]]]
EXECUTORS = {"local": _local, "dask": _dask}


def result_of(future: Future[T], what: str) -> T:
    """The result of ``future``, which ran ``what`` (e.g. ``claim 'x' seed 3``): a failure of
    the executor itself (a worker lost, a scheduler gone; a unit's own errors are its result's
    ``error`` status) is a :class:`~symtransport.SymtransportError` naming it, on one line."""
    try:
        return future.result()
    except SymtransportError:
        raise
    except Exception as exc:
        text = " ".join(str(exc).split()) or "no message"
        raise SymtransportError(
            f"the executor failed running {what}: {type(exc).__name__}: {text}"
        ) from exc


def check_executor(name: str, scheduler: str | None = None) -> None:
    """Refuse (:class:`~symtransport.InvalidArgument`) an unknown executor, a ``scheduler``
    for another executor than ``dask``, and ``dask`` when Dask is not installed: before any
    claim runs."""
    if name not in EXECUTORS:
        raise InvalidArgument(f"executor={name!r} is unknown; executors: {', '.join(EXECUTORS)}")
    if scheduler is not None and name != "dask":
        raise InvalidArgument(
            f"scheduler={scheduler!r} applies to the dask executor only; give executor='dask'"
        )
    if scheduler is not None and not scheduler.strip():
        raise InvalidArgument("scheduler='': give the address of a Dask scheduler")
    if name == "dask":
        _distributed()


def open_executor(
    name: str = "local", *, jobs: int | None = None, scheduler: str | None = None
) -> contextlib.AbstractContextManager[Executor]:
    """The executor ``name`` (:data:`EXECUTORS`) as a context manager: ``jobs`` workers (the
    local pool's, or the ``LocalCluster``'s), or the Dask cluster at ``scheduler``;
    :class:`~symtransport.InvalidArgument` for an unknown name, a bad ``jobs``, or Dask
    missing (:func:`check_executor`)."""
    check_executor(name, scheduler)
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise InvalidArgument(f"jobs={jobs!r} must be a positive integer")
    opened: contextlib.AbstractContextManager[Executor] = EXECUTORS[name](jobs, scheduler)
    return opened
