import random

import pytest
import sympy as sp

from symtransport import InvalidArgument
from symtransport._verification.sampling import PointSampler


def test_points_respect_assumptions():
    r, p, n, k, c = (
        sp.Symbol("r", real=True),
        sp.Symbol("p", positive=True),
        sp.Symbol("n", negative=True),
        sp.Symbol("k", integer=True, positive=True),
        sp.Symbol("c"),
    )
    sampler = PointSampler([r, p, n, k, c], [], random.Random(0))
    signs = set()
    for i in range(40):
        point = sampler.draw(i)
        assert point[p] > 0 and point[n] < 0
        assert isinstance(point[k], int) and point[k] >= 1
        assert isinstance(point[c], complex)
        signs.add(point[r] > 0)
    assert signs == {True, False}


def test_points_cover_several_scales_including_far_ones():
    x = sp.Symbol("x", real=True)
    sampler = PointSampler([x], [], random.Random(1))
    sizes = [abs(sampler.draw(i)[x]) for i in range(40)]
    assert min(sizes) < 0.5 and max(sizes) > 20


def test_constraints_are_enforced():
    s, t = sp.symbols("s t", positive=True)
    sampler = PointSampler([s, t], [t < s / 2], random.Random(2))
    for i in range(30):
        point = sampler.draw(i)
        assert point[t] < point[s] / 2


def test_an_empty_domain_gives_no_point():
    x = sp.Symbol("x", positive=True)
    sampler = PointSampler([x], [sp.sin(x) > 2], random.Random(0))
    assert sampler.draw(0, attempts=50) is None


@pytest.mark.parametrize("bad", [sp.Symbol("x", real=True) + 1, sp.false])
def test_malformed_constraints_are_rejected(bad):
    x = sp.Symbol("x", real=True)
    with pytest.raises(InvalidArgument):
        PointSampler([x], [bad], random.Random(0))


def test_constraints_on_foreign_symbols_are_rejected():
    x, y = sp.symbols("x y", real=True)
    with pytest.raises(InvalidArgument, match="y"):
        PointSampler([x], [y > 0], random.Random(0))
