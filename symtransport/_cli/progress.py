"""A progress display for long runs, written to one stream (the command line gives it stderr).

On a terminal it is one line redrawn in place, with the elapsed time ticking while a slow claim
runs; elsewhere (``--progress on`` into a file or pipe) it is one plain line per finished item.
Anything else printed to the same terminal goes through :meth:`Progress.above`, which clears
the line first, so tables and the display never mix.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

__all__ = ["Progress"]

_CLEAR = "\r\x1b[K"


class Progress:
    """``with Progress(total, stream, enabled=...) as p: p.advance("name")``; a no-op when
    ``enabled`` is false. ``detail()``, if given, says what is running now; the live line shows
    it at every tick."""

    def __init__(
        self,
        total: int,
        stream: TextIO,
        *,
        enabled: bool,
        what: str = "claims",
        tick: float = 0.5,
        detail: Callable[[], str] | None = None,
    ) -> None:
        self.total = total
        self.detail = detail  # what is running now (e.g. a stage of ``derive``), shown live
        self.stream = stream
        self.enabled = enabled
        self.what = what
        self.live = enabled and stream.isatty()
        self._done = 0
        self._last = ""
        self._start = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._tick = tick
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.live:
            self._thread = threading.Thread(target=self._ticker, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self.live:
                self.stream.write(_CLEAR)
                self.stream.flush()

    def _line(self) -> str:
        seconds = time.monotonic() - self._start
        last = f"  last: {self._last}" if self._last else ""
        now = self.detail() if self.detail is not None else ""
        return f"[{self._done}/{self.total} {self.what}] {seconds:.0f} s{last}" + (
            f"  {now}" if now else ""
        )

    def _ticker(self) -> None:
        while not self._stop.wait(self._tick):
            with self._lock:
                self.stream.write(_CLEAR + self._line())
                self.stream.flush()

    def advance(self, name: str) -> None:
        """One more item finished (or, for figures, started): ``name``."""
        if not self.enabled:
            return
        with self._lock:
            self._done += 1
            self._last = name
            if self.live:
                self.stream.write(_CLEAR + self._line())
            else:
                self.stream.write(self._line() + "\n")
            self.stream.flush()

    def above(self, show: Callable[[], None]) -> None:
        """Run ``show`` (which prints) with the live line cleared first and redrawn after."""
        with self._lock:
            if self.live:
                self.stream.write(_CLEAR)
                self.stream.flush()
            show()
            if self.live:
                self.stream.write(self._line())
                self.stream.flush()
