"""The progress display: in place on a terminal, plain lines elsewhere, silent when off."""

import io
import time

from symtransport._cli.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_off_writes_nothing():
    stream = io.StringIO()
    with Progress(3, stream, enabled=False) as p:
        p.advance("a")
        p.above(lambda: None)
    assert stream.getvalue() == ""


def test_a_pipe_gets_one_line_per_item():
    stream = io.StringIO()
    with Progress(2, stream, enabled=True) as p:
        p.advance("first")
        p.advance("second")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "\x1b" not in stream.getvalue()
    assert lines[0].startswith("[1/2 claims]") and lines[1].endswith("last: second")


def test_a_terminal_line_is_redrawn_cleared_around_output_and_ticks():
    stream = Terminal()
    printed = []
    with Progress(2, stream, enabled=True, what="figures", tick=0.01) as p:
        p.advance("fig4")
        p.above(lambda: printed.append(stream.getvalue()))
        time.sleep(0.05)
    text = stream.getvalue()
    assert printed[0].endswith("\r\x1b[K")  # cleared before the caller printed
    assert text.count("[1/2 figures]") >= 3  # advance, redraw after output, ticks
    assert text.endswith("\r\x1b[K")  # nothing left on the terminal line at the end
