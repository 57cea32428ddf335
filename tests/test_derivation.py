import json

import pytest
import sympy as sp

from symtransport import Derivation, InvalidArgument, Status

x = sp.Symbol("x", real=True)
s, t = sp.symbols("s t", positive=True)


def chain(last):
    d = Derivation(
        sp.sin(x) ** 2 + sp.cos(x) ** 2 + sp.sqrt((s - 2 * t) ** 2),
        title="demo",
        constraints=[t < s / 2],
    )
    d.step(1 + sp.sqrt((s - 2 * t) ** 2), "Pythagoras", "[folklore]")
    d.step(last, "t < s/2")
    return d


def test_status_is_the_weakest_step():
    d = chain(1 + s - 2 * t).verify()
    assert [c.status for c in d.checks] == [Status.PROVED, Status.VERIFIED]
    assert d.status == Status.VERIFIED


def test_a_wrong_step_refutes_the_derivation():
    d = chain(1 + s - t).verify()
    assert d.status == Status.REFUTED
    assert d.checks[1].counterexample is not None


def test_json_lists_the_steps_with_the_start_as_given():
    d = chain(1 + s - 2 * t).verify()
    steps = d.to_json()
    json.dumps(steps)
    assert [set(e) for e in steps] == [{"expr", "latex", "reason", "status", "scope"}] * 3
    assert steps[0]["scope"] is None and steps[1]["scope"] == "general"
    assert [e["status"] for e in steps] == ["given", "proved", "verified"]
    assert steps[1]["reason"] == "Pythagoras [folklore]"


def test_latex_and_text_renderings():
    d = chain(1 + s - 2 * t).verify()
    latex = d.to_latex()
    assert latex.startswith("\\begin{align*}") and latex.endswith("\\end{align*}")
    assert "Pythagoras [folklore]; proved" in latex and "verified" in latex
    assert d._repr_latex_().startswith("$\\displaystyle \\begin{aligned}")
    assert d.to_text().splitlines()[-1] == "  = s - 2*t + 1    [t < s/2; verified]"


def test_reasons_with_latex_specials_are_escaped():
    d = Derivation(x, reason="50% & more_x").step(x, "by #1 {x}")
    assert r"50\% \& more\_x" in d.to_latex() and r"by \#1 \{x\}" in d.to_latex()


@pytest.mark.parametrize(
    "call",
    [
        lambda: Derivation("x + 1"),
        lambda: Derivation(x).step("x", "text is not an expression"),
        lambda: Derivation(x).step(x, ""),
        lambda: Derivation(x).verify(),
    ],
)
def test_bad_input(call):
    with pytest.raises(InvalidArgument):
        call()


def test_a_rewrite_step_is_checked_by_its_lemma():
    # replacing the integral inside a log by its closed form: the step is checked as the
    # smaller identity integral = closed form (equals substituted for equals)
    integral = sp.Integral(sp.exp(-(x**2) / s), (x, -sp.oo, sp.oo))
    start = sp.log(integral) + t
    good = Derivation(start).step(
        sp.log(sp.sqrt(sp.pi * s)) + t, "Gaussian integral", rewrite=(integral, sp.sqrt(sp.pi * s))
    )
    assert good.status == Status.PROVED
    wrong = Derivation(start).step(
        sp.log(sp.sqrt(2 * sp.pi * s)) + t,
        "Gaussian integral, wrong constant",
        rewrite=(integral, sp.sqrt(2 * sp.pi * s)),
    )
    assert wrong.status == Status.REFUTED


@pytest.mark.parametrize(
    "rewrite",
    [
        (sp.cos(x), 1),  # not a subexpression of the previous expression
        (sp.sin(x), 2),  # replacing it gives another expression than the step's
    ],
)
def test_a_rewrite_must_describe_the_step(rewrite):
    with pytest.raises(InvalidArgument):
        Derivation(sp.sin(x) + 1).step(2, "claimed rewrite", rewrite=rewrite)


def test_a_rewrite_of_a_bound_variable_is_refused():
    # inside the integral x ranges over R: the lemma |x| = x, checked for free x > 0, says
    # nothing about it
    integral = sp.Integral(sp.Abs(x) * sp.exp(-(x**2)), (x, -sp.oo, sp.oo))
    d = Derivation(integral, constraints=[x > 0])
    with pytest.raises(InvalidArgument, match="bound"):
        d.step(sp.Integral(x * sp.exp(-(x**2)), (x, -sp.oo, sp.oo)), "abs", rewrite=(sp.Abs(x), x))
