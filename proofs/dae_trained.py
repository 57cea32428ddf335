"""Trained networks against the theory: do DAEs trained on finite samples converge to the
derived maps, and at what rate? ([J] Thms 4-6, §4.1, Figs. 4 and 10; measurements)

Every network here is a small MLP (one hidden layer of 32 tanh units, scikit-learn's
``MLPRegressor`` with L-BFGS, :func:`symtransport.train_dae`) trained on ``n`` samples of a
fixed mixture by minimising ``E|x_0 - dae(x_0 + eps)|^2`` (13), ``eps ~ N(0, tI)``. Each one is
measured against the exact minimiser, the posterior mean ``g_t`` (14) in Tweedie's form (17),
derived and compiled by the library (:func:`symtransport.compare_map`), and beside it the
empirical-Bayes denoiser, the exact posterior mean under the ``n`` training samples
(:func:`symtransport.empirical_bayes`): what a perfect learner would make of the same data.
Every number is reproducible from the run's seed; every interval is a 95% interval (a
t-interval over the fitted points or the training seeds, as each claim says). The scope is
``instances``: these mixtures, these sizes, these networks.

* ``trained-dae-converges``: for ``fixed_mixture(1)`` and ``fixed_mixture(2)`` at ``t = 1/2``,
  the relative L2 error of trained DAEs to (17) falls as ``n`` grows (5 sizes over two
  decades, 2 training seeds each; ``--deep``: 6 sizes, 4 seeds), at least at the minimax
  rate: the fitted log-log slope's interval lies below ``-1/(d+4)``, the exponent of the
  minimax rate ``n^(-2/(d+4))`` for estimating a score in squared L2 (Wibisono, Wu & Yang,
  COLT 2024), halved because the error here is not squared. A learner that converges to a
  wrong map (trained with the wrong noise) flattens out and fails it. Reported beside it:
  the empirical-Bayes denoiser's slope. At a fixed ``t`` the target is a smoothed score, so a
  faster, near-parametric ``n^(-1/2)`` is what to expect; the minimax rate is the worst case
  over rough densities.
* ``trained-dae-initial-velocity``: ``(dae(x) - x)/t`` approaches the score ``grad log mu_0``
  (Thm 6, (19)) as ``t`` falls, down to the statistical floor of ``n``: over
  ``t = 0.8, 0.4, 0.2, 0.1`` the relative L2 error (over ``x ~ mu_0``) has a positive log-log
  slope in ``t``, and the network's part of it, ``|dae - g_t|/t``, is below a quarter of the
  score at the largest ``t`` (so the limit is the score, not a multiple of it); the exact
  map's part is
  ``O(t)`` (slope above 1/2 over the grid). The network's part grows as ``t`` falls: that is
  the floor of ``n``.
* ``trained-dae-entropy``: a trained map lowers the entropy of ``mu_0``, as the exact map does
  ([J] §3, Fig. 4). For any map ``g`` that is a local diffeomorphism almost everywhere,
  ``H(g#mu) <= H(mu) + E_mu log|det grad g|`` (equality when ``g`` is injective, as the exact
  ``g_t`` is: the gradient of a convex potential), so the quadrature value of
  ``E_mu0 log|det grad dae|`` plus its error bound below 0 proves that the trained map's
  pushforward has lower entropy, without density estimation.
* ``trained-composition-converges``: composing ``L`` trained DAEs, each trained on the previous
  pushforward's samples with noise variance ``T/L`` ([J] §4.1 as the paper trains them),
  approaches the continuous DAE at ``T``: the sliced W2 distance of the composition's
  pushforward to the exact ``mu_T`` ((42): ``sum_k w_k N(m_k, S_k - 2T I)``) falls from
  ``L = 1`` to ``L = 8``, beside the exact composition's distance (the discretisation error)
  and the distance of an exact ``n``-sample of ``mu_T`` (the statistical floor of ``n``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import stats

from symtransport import (
    CheckContext,
    ContinuousDAE,
    GaussianMixture,
    Outcome,
    as_outcome,
    claim,
    exact_composition_1d,
    measure,
    run_script,
    train_composition,
    train_dae,
)
from symtransport.instances import fixed_mixture
from symtransport.numerics import (
    Slope,
    convergence_sweep,
    derived_seed,
    expectation,
    family_of,
    loglog_slope,
    mixture_arrays,
    sample,
    score,
    sliced_w2,
)

#: the noise variance of the convergence and entropy measurements
T_NOISE = 0.5
#: training sizes: five over two decades (``--deep``: six, to 10^4.5)
SIZES = (100, 316, 1000, 3162, 10_000)
DEEP_SIZES = (*SIZES, 31_623)
#: training seeds a size
REPLICATES = 2
DEEP_REPLICATES = 4
#: evaluation draws of x ~ mu_0 for the velocity and the composition
EVAL_SAMPLES = 20_000
#: a fitted slope is reported with this confidence
CONFIDENCE = 0.95

#: the initial velocity: noise variances (each halving), training size
VELOCITY_TIMES = (0.8, 0.4, 0.2, 0.1)
DEEP_VELOCITY_TIMES = (*VELOCITY_TIMES, 0.05, 0.025)
VELOCITY_SIZE = 5_000
#: the exact map's velocity error is O(t) (Thm 6): its slope in t must exceed this
EXACT_VELOCITY_SLOPE = 0.5
#: the network's part of the velocity error, |dae - g_t|/t over |score|, at the grid's largest
#: t is below this (measured: 0.02 at n = 5000, 0.034 at n = 1000; a network trained with
#: noise 2t has about 1)
NETWORK_VELOCITY_SHARE = 0.25

#: the entropy: noise variances and training size
ENTROPY_TIMES = (0.25, 0.5, 1.0)
ENTROPY_SIZE = 2000

#: the composition: total time (80% of fixed_mixture(1)'s blow-up time t* = 1/4), depths,
#: training size, training seeds
COMPOSITION_TIME = 0.2
DEPTHS = (1, 2, 4, 8)
DEEP_DEPTHS = (1, 2, 4, 8, 16)
COMPOSITION_SIZE = 1000
COMPOSITION_SEEDS = 5
DEEP_COMPOSITION_SIZE = 4000
DEEP_COMPOSITION_SEEDS = 8
#: the exact composition is evaluated on a grid of this spacing (well below sqrt(T/L) >= 0.11)
GRID_STEP = 0.02
#: ... and reaches this many standard deviations past every component (mass outside < 1e-15)
GRID_REACH = 8.0


def mixtures() -> dict[str, GaussianMixture]:
    """The fixed test mixtures: two overlapping components, weights 1/3 and 2/3."""
    return {"1-D": fixed_mixture(1), "2-D": fixed_mixture(2)}


def mean_interval(values: Sequence[float]) -> tuple[float, float]:
    """The mean of ``values`` and its t-interval's half-width (0 for a single value)."""
    v = np.asarray(values, dtype=float)
    if v.size < 2:
        return float(v.mean()), 0.0
    quantile = stats.t.ppf(0.5 + CONFIDENCE / 2, v.size - 1)
    return float(v.mean()), float(quantile * v.std(ddof=1) / math.sqrt(v.size))


Trainer = Callable[[np.ndarray, float, int], Callable[[np.ndarray], np.ndarray]]


def network(samples: np.ndarray, t: float, seed: int) -> Any:
    """The trained DAE (the library's defaults)."""
    return train_dae(samples, t, seed=seed)


# --- trained-dae-converges --------------------------------------------------------------------


def convergence_outcome(name: str, dim: int, rows: Sequence[dict[str, Any]]) -> Outcome:
    """The network's error must fall at least at the minimax rate: the fitted slope's interval
    below ``-1/(d+4)``, the l2 exponent of the minimax rate ``n^(-2/(d+4))`` (squared error);
    the empirical-Bayes denoiser's slope is reported beside it."""
    ns = [row["n"] for row in rows]
    net = loglog_slope(ns, [row["network"] for row in rows])
    eb = loglog_slope(ns, [row["empirical_bayes"] for row in rows])
    minimax = -1.0 / (dim + 4)
    by_size: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_size.setdefault(row["n"], []).append(row)
    table = {
        str(n): {
            "network": float(np.mean([r["network"] for r in group])),
            "empirical_bayes": float(np.mean([r["empirical_bayes"] for r in group])),
        }
        for n, group in by_size.items()
    }
    data = {
        "mixture": name,
        "t": T_NOISE,
        "network_slope": net.slope,
        "network_slope_ci": net.half_width,
        "empirical_bayes_slope": eb.slope,
        "empirical_bayes_slope_ci": eb.half_width,
        "minimax_l2_exponent": minimax,
        "relative_error_by_n": table,
        "points": list(rows),
    }
    result = measure(
        net.slope,
        minimax,
        "<",
        what=f"{name} network slope of the relative L2 error in n",
        interval=net.half_width,
        data=data,
    )
    sizes = ", ".join(
        f"n={n}: {v['network']:.3f} (EB {v['empirical_bayes']:.3f})" for n, v in table.items()
    )
    return _explained(
        result,
        f"{name}: network slope {net.text()}, empirical Bayes {eb.text()}, minimax l2 exponent "
        f"{minimax:.3f}; relative error {sizes}.",
    )


def measure_slope(fit: Slope, what: str, data: dict[str, Any], relation: str) -> Outcome:
    """The slope against 0 with its interval: verified, undecided (straddling) or refuted."""
    return measure(fit.slope, 0.0, relation, what=what, interval=fit.half_width, data=data)


def _explained(outcome: Outcome, text: str) -> Outcome:
    return dataclasses.replace(outcome, explanation=f"{outcome.explanation} {text}")


def summary(parts: Sequence[Outcome]) -> Outcome:
    """The parts combined (the weakest status wins), with every part's explanation."""
    text = " | ".join(p.explanation for p in parts)
    return dataclasses.replace(as_outcome(list(parts)), explanation=text)


@claim(
    id="trained-dae-converges",
    title="Trained DAEs converge to the posterior mean (17) as the sample grows",
    source="[J] Thms 4-5, eqs. (13)-(17); Wibisono, Wu & Yang (COLT 2024)",
    statement=r"\frac{\|\mathsf{dae}_n-g_t\|_{L^2(\nu_t*\mu_0)}}{\|\mathrm{id}-g_t\|_{L^2(\nu_t*\mu_0)}}"
    r"\propto n^{-a},\ a>0",
    kind="measurement",
    scope="instances",
)
def trained_dae_converges(ctx: CheckContext) -> Outcome:
    sizes, replicates = (DEEP_SIZES, DEEP_REPLICATES) if ctx.deep else (SIZES, REPLICATES)
    return summary(
        [
            convergence_outcome(
                name, mix.dim, convergence_sweep(mix, T_NOISE, sizes, replicates, ctx.seed)
            )
            for name, mix in mixtures().items()
        ]
    )


# --- trained-dae-initial-velocity ---------------------------------------------------------------


def shallow_map(fam: Any) -> list:
    """The shallow DAE's map ``g_t`` (17)/(38) of a mixture family, for compiling."""
    return list(fam.shallow().map())


def shallow_jacobian_entries(fam: Any) -> list:
    """The entries of ``grad g_t`` of a mixture family, for compiling."""
    return list(fam.shallow().jacobian())


def exact_map(density: GaussianMixture) -> Callable[[np.ndarray, float], np.ndarray]:
    """``(X, t) -> g_t(X)``: the derived posterior mean (17), compiled for ``density``."""
    fam = family_of(density)
    compiled, params = fam.compiled(shallow_map), fam.values(density)
    return lambda X, t: compiled(X, t, *params)


def rms(values: np.ndarray) -> float:
    """``sqrt(E|v|^2)`` over the rows of ``values``."""
    return float(np.sqrt(np.mean(np.sum(np.square(values), axis=-1))))


def velocity_points(
    density: GaussianMixture,
    times: Sequence[float],
    size: int,
    replicates: int,
    seed: int,
    trainer: Trainer = network,
) -> list[dict[str, Any]]:
    """One record a (noise variance, training seed): over ``x ~ mu_0``, the relative L2 error
    of ``(dae(x) - x)/t`` to the score, of the exact ``(g_t(x) - x)/t`` (Thm 6's ``O(t)``) and
    of ``(dae(x) - g_t(x))/t`` (the network's part), each over ``|score|``'s L2 norm."""
    points = sample(density, EVAL_SAMPLES, seed=derived_seed(seed, density.dim, 0))
    target = score(density, points)
    norm = rms(target)
    g = exact_map(density)
    rows = []
    for t in times:
        exact = g(points, t)
        for r in range(replicates):
            s = derived_seed(seed, density.dim, round(t * 1e6), r)
            dae = np.reshape(trainer(sample(density, size, seed=s), t, s)(points), points.shape)
            rows.append(
                {
                    "t": t,
                    "n": size,
                    "seed": s,
                    "network": rms((dae - points) / t - target) / norm,
                    "exact": rms((exact - points) / t - target) / norm,
                    "network_to_exact": rms((dae - exact) / t) / norm,
                }
            )
    return rows


def velocity_outcome(rows: Sequence[dict[str, Any]]) -> Outcome:
    """The network's velocity error must fall with ``t`` over :data:`VELOCITY_TIMES` (a
    positive slope in ``t``, its interval above 0), and the exact map's error be ``O(t)``."""
    fitted = [row for row in rows if row["t"] in VELOCITY_TIMES]
    ts = [row["t"] for row in fitted]
    net = loglog_slope(ts, [row["network"] for row in fitted])
    exact = loglog_slope(ts, [row["exact"] for row in fitted])
    by_time: dict[float, list[dict[str, Any]]] = {}
    for row in rows:
        by_time.setdefault(row["t"], []).append(row)
    table = {
        str(t): {
            name: float(np.mean([r[name] for r in group]))
            for name in ("network", "exact", "network_to_exact")
        }
        for t, group in by_time.items()
    }
    data = {
        "training_size": rows[0]["n"],
        "network_slope_in_t": net.slope,
        "network_slope_in_t_ci": net.half_width,
        "exact_slope_in_t": exact.slope,
        "relative_velocity_error_by_t": table,
        "points": list(rows),
    }
    falls = measure_slope(net, "slope in t of the network velocity error", data, ">")
    # the limit is the score's, not another field's: where the floor of n matters least (the
    # largest t), the trained velocity is close to the exact map's (a network trained with the
    # wrong noise converges to a multiple of it)
    largest = max(ts)
    share = float(np.mean([row["network_to_exact"] for row in fitted if row["t"] == largest]))
    close = measure(
        share,
        NETWORK_VELOCITY_SHARE,
        "<=",
        what=f"|dae - g_t|/t over |score| at t={largest}",
    )
    order = measure(
        exact.slope, EXACT_VELOCITY_SLOPE, ">", what="slope in t of the exact map's velocity error"
    )
    errors = ", ".join(
        f"t={t}: {v['network']:.3f} (exact map {v['exact']:.3f}, network part "
        f"{v['network_to_exact']:.3f})"
        for t, v in table.items()
    )
    return summary(
        [
            _explained(falls, f"Relative L2 error of (dae(x) - x)/t to the score: {errors}."),
            close,
            order,
        ]
    )


@claim(
    id="trained-dae-initial-velocity",
    title="The velocity (dae(x) - x)/t of trained DAEs approaches the score as t falls",
    source="[J] Thm 6, eq. (19)",
    statement=r"\frac{\mathsf{dae}_t(x)-x}{t}\to\nabla\log\mu_0(x)\quad(t\to0,"
    r"\text{ down to the statistical floor of }n)",
    kind="measurement",
    scope="instances",
)
def trained_dae_initial_velocity(ctx: CheckContext) -> Outcome:
    times, replicates = (DEEP_VELOCITY_TIMES, 3) if ctx.deep else (VELOCITY_TIMES, 2)
    density = mixtures()["1-D"]
    return velocity_outcome(velocity_points(density, times, VELOCITY_SIZE, replicates, ctx.seed))


# --- trained-dae-entropy ------------------------------------------------------------------------


def log_abs_det(jacobians: np.ndarray) -> np.ndarray:
    """``log|det J|`` of a stack of Jacobians ``(N, d, d)``."""
    return np.linalg.slogdet(jacobians)[1]


def entropy_rows(
    density: GaussianMixture,
    times: Sequence[float],
    size: int,
    seed: int,
    trainer: Callable[[np.ndarray, float, int], Any] = network,
) -> list[dict[str, Any]]:
    """For each noise variance: ``E_mu0 log|det grad dae|`` of a trained DAE (an upper bound
    on ``H(dae#mu_0) - H(mu_0)``) and ``E_mu0 log det grad g_t`` (the exact change), each by
    quadrature with its error estimate. ``trainer`` returns an object with ``jacobian(X)``."""
    fam = family_of(density)
    jac, params = fam.compiled(shallow_jacobian_entries), fam.values(density)
    d = density.dim
    rows = []
    for t in times:
        s = derived_seed(seed, d, round(t * 1e6), 1)
        dae = trainer(sample(density, size, seed=s), t, s)
        bound = expectation(density, lambda X, dae=dae: log_abs_det(dae.jacobian(X)))
        exact = expectation(
            density, lambda X, t=t: log_abs_det(jac(X, t, *params).reshape(-1, d, d))
        )
        rows.append(
            {
                "t": t,
                "seed": s,
                "bound": bound.value,
                "bound_error": bound.error,
                "exact": exact.value,
                "exact_error": exact.error,
            }
        )
    return rows


def entropy_outcome(name: str, rows: Sequence[dict[str, Any]]) -> Outcome:
    """Each trained map's bound on the entropy change, with its error, must be below 0."""
    parts = []
    for row in rows:
        result = measure(
            row["bound"],
            0.0,
            "<",
            interval=row["bound_error"],
            what=f"{name} t={row['t']}: E log|det grad dae| (>= H(dae#mu0) - H(mu0))",
            data={"mixture": name, **row},
        )
        parts.append(
            _explained(
                result,
                f"Exact map: H(g_t#mu0) - H(mu0) = {row['exact']:.5f} +- {row['exact_error']:.1g}.",
            )
        )
    return summary(parts)


@claim(
    id="trained-dae-entropy",
    title="A trained DAE's pushforward has lower entropy than its data, as the exact map's has",
    source="[J] §3, Fig. 4; Thm 8",
    statement=r"H[\mathsf{dae}_\sharp\mu_0]-H[\mu_0]\le"
    r"\mathbb{E}_{\mu_0}\log|\det\nabla\mathsf{dae}|<0",
    kind="measurement",
    scope="instances",
)
def trained_dae_entropy(ctx: CheckContext) -> Outcome:
    return summary(
        [
            entropy_outcome(name, entropy_rows(mix, ENTROPY_TIMES, ENTROPY_SIZE, ctx.seed))
            for name, mix in mixtures().items()
        ]
    )


# --- trained-composition-converges ------------------------------------------------------------


def composition_rows(
    density: GaussianMixture,
    depths: Sequence[int],
    size: int,
    seeds: int,
    seed: int,
    noise_total: Callable[[float, int], float] = lambda total, depth: total,
) -> dict[str, Any]:
    """Sliced W2 distances to ``mu_T`` at each depth ``L``: of trained compositions (one a
    training seed), of the exact composition (1-D: the posterior means on a grid), and of
    exact ``size``-samples of ``mu_T`` (the statistical floor). ``noise_total(T, L)``: the
    total noise variance the ``L`` layers share (``T``; a wrong variant changes it)."""
    continuous = ContinuousDAE(density).at(COMPOSITION_TIME)  # mu_T, (42)
    target = mixture_arrays(continuous)
    points = sample(density, EVAL_SAMPLES, seed=derived_seed(seed, density.dim, 0))
    trained: dict[str, list[float]] = {}
    exact: dict[str, float] = {}
    if density.dim == 1:  # the grid of the exact composition
        _, means, covs = mixture_arrays(density)
        reach = GRID_REACH * np.sqrt(covs[:, 0, 0])
        lo, hi = float(np.min(means[:, 0] - reach)), float(np.max(means[:, 0] + reach))
        nodes = np.arange(lo, hi + GRID_STEP, GRID_STEP)
    for depth in depths:
        distances = []
        for r in range(seeds):
            s = derived_seed(seed, density.dim, depth, r)
            composition = train_composition(
                sample(density, size, seed=s), noise_total(COMPOSITION_TIME, depth), depth, seed=s
            )
            distances.append(sliced_w2(composition(points), target))
        trained[str(depth)] = distances
        if density.dim == 1:
            moved = exact_composition_1d(density, COMPOSITION_TIME, depth, nodes)
            exact[str(depth)] = sliced_w2(np.interp(points[:, 0], nodes, moved)[:, None], target)
    floor = [
        sliced_w2(sample(continuous, size, seed=derived_seed(seed, density.dim, 0, r, 2)), target)
        for r in range(seeds)
    ]
    return {"trained": trained, "exact_composition": exact, "floor": floor, "training_size": size}


def composition_outcome(rows: dict[str, Any]) -> Outcome:
    """The distance at the deepest ``L`` must be below that at ``L = 1``: the mean difference
    over the training seeds, with its interval, above 0."""
    depths = list(rows["trained"])
    first, last = rows["trained"][depths[0]], rows["trained"][depths[-1]]
    gain, half = mean_interval(np.subtract(first, last))
    floor, _ = mean_interval(rows["floor"])
    means = {L: mean_interval(v) for L, v in rows["trained"].items()}
    data = {
        "T": COMPOSITION_TIME,
        "training_size": rows["training_size"],
        "sliced_w2_by_depth": {L: {"mean": m, "ci": h} for L, (m, h) in means.items()},
        "exact_composition_by_depth": rows["exact_composition"],
        "floor": floor,
        "points": rows["trained"],
    }
    result = measure(
        gain,
        0.0,
        ">",
        interval=half,
        data=data,
        what=f"SW2(L={depths[0]}) - SW2(L={depths[-1]}) of trained compositions",
    )
    table = ", ".join(
        f"L={L}: {m:.4f} +- {h:.4f}"
        + (f" (exact {rows['exact_composition'][L]:.4f})" if L in rows["exact_composition"] else "")
        for L, (m, h) in means.items()
    )
    return _explained(result, f"Sliced W2 to mu_T: {table}; floor of n: {floor:.4f}.")


@claim(
    id="trained-composition-converges",
    title="Composing L trained DAEs of noise T/L approaches the continuous DAE at T",
    source="[J] §4.1, eqs. (20)-(23), Def. 4, Fig. 10 (right)",
    statement=r"SW_2\big((\mathsf{dae}_{L}\circ\dots\circ\mathsf{dae}_{1})_\sharp\mu_0,"
    r"\mu_T\big)\ \text{falls as }L\text{ grows, to the statistical floor of }n",
    kind="measurement",
    scope="instances",
)
def trained_composition_converges(ctx: CheckContext) -> Outcome:
    depths, size, seeds = (
        (DEEP_DEPTHS, DEEP_COMPOSITION_SIZE, DEEP_COMPOSITION_SEEDS)
        if ctx.deep
        else (DEPTHS, COMPOSITION_SIZE, COMPOSITION_SEEDS)
    )
    density = mixtures()["1-D"]
    return composition_outcome(composition_rows(density, depths, size, seeds, ctx.seed))


if __name__ == "__main__":
    raise SystemExit(run_script(__file__))
