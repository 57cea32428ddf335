"""Conjectures: Hypothesis searches for a counterexample on random Gaussian mixtures.

A conjecture is a statement nobody has settled (or, here, one that sounds right and is not).
The search draws mixtures, times and points (:mod:`symtransport.strategies`), evaluates the
library's compiled derived formulas, and reports either Hypothesis's shrunk counterexample
(``refuted``) or "no counterexample in N examples" (``undecided``): never a proof.

* ``shallow-dae-entropy-decrease`` (open; [J] leaves it open): does one shallow DAE lower the
  entropy, ``H(g_t # mu_0) <= H(mu_0)`` for every mixture and every ``t``? ``g_t`` is the
  gradient of a strictly convex function (its Jacobian ``Cov[x | x~]/t`` is positive definite,
  notes §3.2), so it is one-to-one and ``H(g_t # mu_0) - H(mu_0) = E_mu_0[log det grad g_t]``,
  computed by quadrature. ``holds`` returns the increase as an :class:`~symtransport.Excess`
  with the quadrature's error bound: a counterexample counts only when the increase exceeds
  that bound, and the search steers toward, and reports, the examples that came closest.
  The draws mix generic mixtures and times with examples built to be hard
  (:func:`hard_examples`): well-separated components (3 to 50 standard deviations apart),
  extreme weights (0.001 .. 0.999), 2-D covariances with condition numbers up to 1e4, and
  ``t`` near the highest interior local maximum of ``t -> E_mu_0[log det grad g_t]``
  (:func:`peak_time`, a fixed-count search on a cheap Gauss-Hermite estimate). The function
  is 0 at ``t = 0`` and decreases at first (by ``t I(mu_0)``), so a counterexample needs a
  later rise above 0: a well-separated mixture has such a local maximum where its components
  merge.
* ``continuous-dae-contraction`` (false, expected refuted): "the continuous DAE never moves two
  points apart", ``|phi_t(x) - phi_t(y)| <= |x - y|`` (searched on R^1, which suffices). True
  for a Gaussian (``phi_t`` is ``sqrt(I - 2t S^-1)``, (36)) and any log-concave ``mu_t``,
  since ``grad v_t`` is the Hessian of ``log mu_t``; between the modes of a mixture that
  Hessian is positive and the flow expands.

Each search first runs a control on a Gaussian, whose answer is known in closed form ((30),
(32)): the predicate must accept it and, for the entropy, reject an increase. A failed control
is an error (the search would decide nothing), never a verdict.

To state your own conjecture, write ``holds(example) -> bool`` (or ``-> Excess``, how far the
example goes past the bound, with an error bound) and a Hypothesis strategy and return
:func:`symtransport.search_conjecture` from a claim of kind ``conjecture`` (README).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import hypothesis.strategies as st
import numpy as np
import sympy as sp
from hypothesis import assume

from symtransport import (
    CheckContext,
    Excess,
    Gaussian,
    GaussianMixture,
    Outcome,
    claim,
    numerics,
    run_script,
    search_conjecture,
    strategies,
)
from symtransport.errors import UnsupportedError
from symtransport.numerics import family_of, flow_field, integrate, shallow_jacobian

DIMS = (1, 2)  # the entropy change is a quadrature (certified in d = 1, 2)
# hard draws (hard_examples): components per mixture, distances between consecutive means in
# standard deviations, largest covariance condition number
HARD_COMPONENTS = 3
HARD_SEPARATION = (3.0, 50.0)
HARD_CONDITION = 1e4
# means are rounded to this many decimals: it moves a separation (>= 3 standard deviations of
# at least sqrt(0.1 / 1e4) ~ 3e-3) by under 2e-4 of itself
MEAN_DECIMALS = 6
# the peak search (peak_time): Gauss-Hermite nodes per axis, grid of log t and its ends,
# golden-section evaluations, how far from the peak a time is drawn, mixtures cached
PEAK_NODES = 8
PEAK_GRID = 12
PEAK_LOW, PEAK_HIGH = 0.01, 10.0
PEAK_REFINE = 6
PEAK_SPREAD = 1.25
PEAK_CACHE = 4096
GOLDEN = (math.sqrt(5) - 1) / 2
_PEAKS: dict[bytes, float | None] = {}
# DOP853 at rtol 1e-8 (re-checked at 1e-12): a distance ratio above 1 + 1e-6 is an expansion,
# not integration error
EXPANSION_TOL = 1e-6
# one dimension suffices to refute it, and 1-D particles are cheap (the 2-D search found and
# shrank to 1-D counterexamples too, in twice the time)
CONTRACTION_DIMS = (1,)
# each shrink step integrates an ODE; 100 steps (~3 s) reach a round two-component example
SHRINK_CALLS = 100


def log_det_grad(mu: Gaussian | GaussianMixture) -> Callable[[np.ndarray, float], np.ndarray]:
    """``(X, t) -> log det grad g_t(X)`` (one value per row of ``X``) with the compiled derived
    Jacobian of ``mu``'s shallow DAE. A Jacobian that overflows float64 is an
    :class:`UnsupportedError` (the example cannot be evaluated here: a search rejects it)."""
    fam = family_of(mu)
    jacobian = fam.compiled(shallow_jacobian)
    params = fam.values(mu)

    def log_det(X: np.ndarray, t: float) -> np.ndarray:
        matrices = jacobian(X, t, *params).reshape(-1, mu.dim, mu.dim)  # mutation: skip - a shape
        if not np.all(np.isfinite(matrices)):
            raise UnsupportedError(f"grad g_t is not finite in float64 at t = {t}")
        sign, value = np.linalg.slogdet(matrices)
        if np.any(sign <= 0):  # would contradict shallow-dae-brenier(-random)
            at = X[np.argmin(sign)].tolist()
            raise ArithmeticError(f"det grad g_t <= 0 at x = {at}, t = {t}: not a Brenier map")
        return value

    return log_det


def entropy_change(mu: Gaussian | GaussianMixture, t: float) -> numerics.Estimate:
    """``H(g_t # mu) - H(mu) = E_mu[log det grad g_t]`` with the compiled derived Jacobian."""
    log_det = log_det_grad(mu)
    return numerics.expectation(mu, lambda X: log_det(X, t))


def gaussian_change(mu: Gaussian | GaussianMixture, t: float) -> float:
    """``log det(S (S + t I)^-1)``, ``S`` the covariance of ``mu``: the entropy change the
    shallow DAE makes for the Gaussian of ``mu``'s mean and covariance, affine with slope
    ``S (S + t I)^-1`` (30). Negative for ``t > 0``."""
    weights, means, covs = numerics.mixture_arrays(mu)
    mean = weights @ means
    spread = means - mean
    cov = np.einsum("k,kij->ij", weights, covs) + np.einsum("k,ki,kj->ij", weights, spread, spread)
    return -float(np.log1p(t / np.linalg.eigvalsh(cov)).sum())


def entropy_excess(
    change: numerics.Estimate, margin: float = 0.0, gaussian: float = -1.0
) -> Excess:
    """How far one example goes past the conjecture ``H(g_t # mu_0) - H(mu_0) <= -margin``:
    ``change + margin``, with the quadrature's error bound; a certified counterexample when
    the excess is above its error bound. Measured against ``|gaussian|``
    (:func:`gaussian_change`): the relative excess is ``-1`` for a Gaussian, at most about
    ``-1`` for small ``t`` (there the change is ``-t I(mu_0)`` and the Gaussian's ``-t tr
    S^-1``, and ``I(mu_0) >= tr S^-1`` by the Cramer-Rao inequality), and above 0 only for a
    counterexample. The raw change tends to 0 with ``t`` for every mixture, so a search steered
    by it would only shrink ``t``."""
    return Excess(change.value + margin, change.error, abs(gaussian))


def lowers_entropy(change: numerics.Estimate, margin: float = 0.0) -> bool:
    """The conjecture at one example: ``H(g_t # mu_0) - H(mu_0) <= -margin``, unless the
    quadrature's error bound leaves room for it (its :func:`entropy_excess` is not
    certified)."""
    return not entropy_excess(change, margin).certified


def entropy_control() -> None:
    """The search's own control, on a case with a known answer: for ``mu_0 = N(m, s)`` on R,
    ``g_t`` is affine with slope ``s/(s + t)`` (30), so ``H(g_t # mu_0) - H(mu_0) =
    log(s/(s + t))``. The quadrature must find it, and :func:`lowers_entropy` must accept this
    decrease (and half of it as a margin), reject twice it as a margin, reject the increase
    ``-log(s/(s + t))`` of the inverse map and accept a rise within the error bound (it is not
    certified). Raises :class:`ArithmeticError` if not:
    a search with a broken predicate decides nothing."""
    s, t = 2, 1.0  # mutation: skip - an instance (any Gaussian and t > 0)
    mu = Gaussian(sp.Rational(1, 2), s)  # mutation: skip - idem
    exact = math.log(s / (s + t))
    change = entropy_change(mu, t)
    increase = dataclasses.replace(change, value=-change.value)
    uncertain = dataclasses.replace(change, value=change.error)  # a rise within the error bound
    below, above = -exact / 2, -2 * exact  # mutation: skip - any margins below and above it
    found = {
        "quadrature = log(s/(s + t))": abs(change.value - exact) <= change.error + 1e-12,
        "accepts the decrease": lowers_entropy(change),
        "accepts it with a margin below it": lowers_entropy(change, below),
        "rejects it with a margin above it": not lowers_entropy(change, above),
        "rejects the increase": not lowers_entropy(increase),
        "accepts a rise within the error bound (not certified)": lowers_entropy(uncertain),
    }
    if not all(found.values()):
        failed = [what for what, ok in found.items() if not ok]
        raise ArithmeticError(f"control on N(1/2, {s}), t = {t} failed: {failed}")


def rough_entropy_changes(mu: GaussianMixture, times: Sequence[float] | np.ndarray) -> np.ndarray:
    """``E_mu[log det grad g_t]`` at each of ``times`` by a tensor Gauss-Hermite rule of
    ``PEAK_NODES`` nodes per axis on each component: cheap (one Jacobian call on at most
    ``K * PEAK_NODES^d`` points per time) and uncertified, only to aim the hard draws' times
    (a verdict always comes from :func:`entropy_change`). ``-inf`` where it cannot be
    evaluated."""
    weights, means, covs = numerics.mixture_arrays(mu)
    nodes, rule = np.polynomial.hermite_e.hermegauss(PEAK_NODES)
    rule = rule / math.sqrt(2 * math.pi)  # a probability rule for N(0, 1)
    grid = np.stack(np.meshgrid(*[nodes] * mu.dim, indexing="ij"), -1).reshape(-1, mu.dim)
    mass = np.prod(np.stack(np.meshgrid(*[rule] * mu.dim, indexing="ij"), -1), -1).ravel()
    X = np.concatenate(
        [m + grid @ np.linalg.cholesky(c).T for m, c in zip(means, covs, strict=True)]
    )
    W = np.concatenate([w * mass for w in weights])
    log_det = log_det_grad(mu)
    out = np.full(len(times), -np.inf)
    for i, t in enumerate(times):
        try:
            out[i] = float(W @ log_det(X, float(t)))
        except (ArithmeticError, UnsupportedError):
            continue  # an unevaluable time is never the peak
    return out


def time_range(mu: GaussianMixture) -> tuple[float, float]:
    """``(log t_low, log t_high)``, the times :func:`peak_time` scans: ``PEAK_LOW`` times the
    smallest covariance eigenvalue to ``PEAK_HIGH`` times (the largest squared distance
    between means + the largest eigenvalue)."""
    _, means, covs = numerics.mixture_arrays(mu)
    eig = np.linalg.eigvalsh(covs)
    reach = max(float(np.sum((a - b) ** 2)) for a in means for b in means) + float(eig.max())
    return math.log(PEAK_LOW * float(eig.min())), math.log(PEAK_HIGH * reach)


def peak_time(mu: GaussianMixture) -> float | None:
    """The time ``t`` of the highest interior local maximum of ``E_mu[log det grad g_t]`` (by
    :func:`rough_entropy_changes`), or None when it has none (it decreases from 0 at t = 0).

    A fixed count of evaluations, so a draw is a function of the seed: ``PEAK_GRID`` times
    evenly spaced in ``log t`` over :func:`time_range`, then ``PEAK_REFINE`` golden-section
    evaluations in ``log t`` between the best local maximum's neighbours (about 1 ms in 1-D,
    3 ms in 2-D). Cached per mixture (Hypothesis redraws a mixture while it shrinks)."""
    weights, means, covs = numerics.mixture_arrays(mu)
    key = b"".join(a.tobytes() for a in (weights, means, covs))
    if key in _PEAKS:
        return _PEAKS[key]
    logs = np.linspace(*time_range(mu), PEAK_GRID)
    values = rough_entropy_changes(mu, np.exp(logs))
    peaks = [
        i
        for i in range(1, PEAK_GRID)
        if values[i] > values[i - 1] and (i == PEAK_GRID - 1 or values[i] >= values[i + 1])
    ]
    best: float | None = None
    if peaks:
        i = max(peaks, key=lambda j: values[j])
        low, high = logs[i - 1], logs[min(i + 1, PEAK_GRID - 1)]
        best, top = float(logs[i]), float(values[i])
        for _ in range(PEAK_REFINE // 2):  # golden section: two new times per step
            left, right = high - GOLDEN * (high - low), low + GOLDEN * (high - low)
            at_left, at_right = rough_entropy_changes(mu, np.exp([left, right]))
            for where, value in ((left, at_left), (right, at_right)):
                if value > top:
                    best, top = float(where), float(value)
            low, high = (low, right) if at_left >= at_right else (left, high)
        best = math.exp(best)
    if len(_PEAKS) >= PEAK_CACHE:
        _PEAKS.clear()
    _PEAKS[key] = best
    return best


@st.composite
def hard_examples(draw: st.DrawFn, dims: Sequence[int] = DIMS) -> tuple[GaussianMixture, float]:
    """Examples ``(mu_0, t)`` built to be hard: ``2 .. HARD_COMPONENTS`` components, each
    ``HARD_SEPARATION`` (3 to 50) standard deviations (the wider of the two, along the line
    joining them) from the previous one; weights in thousandths, often extreme (0.001 ..
    0.999); covariances from :func:`symtransport.strategies.gaussian_mixtures` with condition
    number up to ``HARD_CONDITION``; ``t`` within a factor ``PEAK_SPREAD`` of
    :func:`peak_time` (log-uniform over its scanned range when there is no interior peak)."""
    d = draw(st.sampled_from(list(dims)))
    k = draw(st.integers(2, HARD_COMPONENTS))
    single = strategies.gaussian_mixtures(d, 1, HARD_CONDITION)
    covs = [numerics.mixture_arrays(draw(single))[2][0] for _ in range(k)]
    means = [np.zeros(d)]
    for j in range(1, k):
        if d == 1:
            u = np.array([1.0 if draw(st.booleans()) else -1.0])
        else:
            angle = math.radians(draw(st.integers(-179, 180)))
            u = np.array([math.cos(angle), math.sin(angle)])
        sd = max(math.sqrt(float(u @ c @ u)) for c in covs[j - 1 : j + 1])
        closest, farthest = (round(100 * math.log10(v)) for v in HARD_SEPARATION)
        apart = 10 ** (draw(st.integers(closest, farthest)) / 100)
        means.append(np.round(means[-1] + apart * sd * u, MEAN_DECIMALS))
    extreme = st.one_of(st.integers(1, 20), st.integers(980, 999), st.integers(1, 999))
    counts: list[int] = []
    for j in range(1, k):
        room = 1000 - sum(counts) - (k - j)  # leave at least one thousandth for the others
        counts.append(min(draw(extreme), room))
    weights = [(1000 - sum(counts)) / 1000] + [n / 1000 for n in counts]
    mu = GaussianMixture.from_arrays(
        weights, [[float(v) + 0.0 for v in m] for m in means], [c.tolist() for c in covs]
    )
    shift = draw(st.integers(-100, 100)) / 100  # shrinks toward the peak itself
    peak = peak_time(mu)
    if peak is None:  # no interior peak: anywhere in the scanned range (its middle at 0)
        low, high = time_range(mu)
        t = math.exp(low + (high - low) * (1 + shift) / 2)
    else:
        t = peak * PEAK_SPREAD**shift
    return mu, float(f"{t:.4g}")


def shallow_entropy_decrease(examples: int, seed: int, margin: float = 0.0) -> Outcome:
    """Search for ``(mu_0, t)`` with a certified ``H(g_t # mu_0) > H(mu_0) - margin`` (the
    conjecture is ``margin = 0``; a positive margin is a stronger, false statement that the
    tests use to show the search can refute), after :func:`entropy_control`."""
    entropy_control()

    def holds(example: tuple[GaussianMixture, float]) -> Excess:
        mu, t = example
        return entropy_excess(entropy_change(mu, t), margin, gaussian_change(mu, t))

    generic = strategies.gaussian_mixtures(dim=DIMS).flatmap(
        lambda mu: st.tuples(st.just(mu), st.floats(0.01, 20.0))
    )
    draws = st.one_of(generic, hard_examples())  # generic first: shrinks toward simple ones
    return search_conjecture(
        holds, draws, examples=examples, seed=seed, what="entropy decrease by a shallow DAE"
    )


@claim(
    id="shallow-dae-entropy-decrease",
    title="Does one shallow DAE lower the entropy of every mixture at every t?",
    source="notes §5 item 5(b)-(c) (not proved in [J]); §3.2",
    statement=r"H(g_t\sharp\mu_0)\le H(\mu_0)\quad\forall\,\mu_0,\ t>0,\quad "
    r"g_t=\mathrm{id}+t\nabla\log(\nu_t*\mu_0)",
    kind="conjecture",
    expected="open",
    examples=50,
)
def shallow_entropy_decrease_claim(ctx: CheckContext) -> Outcome:
    return shallow_entropy_decrease(ctx.examples, ctx.seed)


def separation(pair: np.ndarray) -> float:
    """``|x - y|`` for the two rows ``x, y`` of ``pair``."""
    return float(np.linalg.norm(pair[0] - pair[1]))


def ratio(mu: Gaussian | GaussianMixture, t: float, pair: np.ndarray, rtol: float) -> float:
    """``|phi_t(x) - phi_t(y)| / |x - y|`` along the compiled velocity (43)."""
    fam = family_of(mu)
    field = flow_field(fam, fam.values(mu))
    atol = rtol / 100  # mutation: skip - the ODE solver's absolute tolerance
    end = integrate(field, pair, [t], rtol=rtol, atol=atol)
    return separation(end[-1]) / separation(pair)


def contraction_control() -> None:
    """The search's own control, on a case with a known answer: for ``mu_0 = N(m, s)`` the
    flow is ``phi_t(x) = sqrt(1 - 2t/s) (x - m) + m`` (32), so every pair has the ratio
    ``sqrt(1 - 2t/s)``, and 1 at ``t = 0``. Raises :class:`ArithmeticError` if :func:`ratio`
    disagrees: a search with a broken ratio decides nothing."""
    s, t = 2, 0.5  # mutation: skip - an instance (any Gaussian and 0 < t < s/2)
    pair = np.array([[-1.0], [2.0]])  # mutation: skip - an instance (any two points)
    mu = Gaussian(sp.Rational(1, 2), s)  # mutation: skip - idem
    for time, exact in ((t, math.sqrt(1 - 2 * t / s)), (0.0, 1.0)):
        found = ratio(mu, time, pair, 1e-8)
        if abs(found - exact) > EXPANSION_TOL:
            raise ArithmeticError(
                f"control on N(1/2, {s}), t = {time}: ratio {found!r}, not {exact!r} (32)"
            )


def contraction(examples: int, seed: int) -> Outcome:
    """Search for two points that the continuous DAE moves apart, after
    :func:`contraction_control`."""
    contraction_control()

    def holds(example: tuple[GaussianMixture, float, np.ndarray, np.ndarray]) -> bool:
        mu, t, x, y = example
        assume(t > 0)  # mutation: skip - the times searched (phi_0 = id has ratio 1)
        pair = np.stack([x, y])
        assume(separation(pair) > 1e-6)
        if ratio(mu, t, pair, 1e-8) <= 1 + EXPANSION_TOL:
            return True
        # an expansion counts only if a tighter integration confirms it
        return ratio(mu, t, pair, 1e-12) <= 1 + EXPANSION_TOL

    def draws(mu: GaussianMixture) -> st.SearchStrategy[Any]:
        return st.tuples(
            st.just(mu),
            strategies.times_before_blowup(mu, max_fraction=0.9),
            strategies.points(mu),
            strategies.points(mu),
        )

    return search_conjecture(
        holds,
        strategies.gaussian_mixtures(dim=CONTRACTION_DIMS).flatmap(draws),
        examples=examples,
        seed=seed,
        what="contraction",
        shrink_calls=SHRINK_CALLS,
    )


@claim(
    id="continuous-dae-contraction",
    title="The continuous DAE never moves two points apart (false for mixtures)",
    source="a plausible reading of [J] Thm 8 (entropy falls); true for Gaussians, (36)",
    statement=r"|\varphi_t(x)-\varphi_t(y)|\le|x-y|\quad\forall\,x,y,\ 0\le t<t^*",
    kind="conjecture",
    expected="refuted",
    examples=100,
)
def contraction_claim(ctx: CheckContext) -> Outcome:
    return contraction(ctx.examples, ctx.seed)


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
