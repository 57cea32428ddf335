"""Every numerical tolerance of the test suite, each under one name, with its value and reason.

A test imports the tolerance it compares with (``from tolerances import FLOAT64_FEW_OPS``);
no test module defines its own. A name says what kind of computation is checked, at what
precision, and so why the bound is what it is:

``<PRECISION>_<COMPUTATION>``

* ``FLOAT64_``: double-precision arithmetic (NumPy, SciPy, compiled maps) against an exact or
  more precise reference; the bound is the rounding (or truncation) error that computation
  can leave. ``FEW_OPS`` (a dozen roundings) and ``MANY_OPS`` (hundreds) are the generic
  ones; the others name the algorithm whose error they bound.
* ``LONGDOUBLE_``: 64-bit-mantissa (``numpy.longdouble``) reference rules.
* ``MP30_`` / ``MP40_``: mpmath at 30 / 40 significant digits; the bound is the digits the
  computation keeps (quadratures lose a few, depending on the integrand).
* ``DOP853_``: SciPy's DOP853 ODE integrator at its tolerances; the bound is the global error
  of the flow integrated, which depends on how far and how contracting the flow is.
* ``CONTRACT_``: the accuracy the library promises (an issue's accuracy contract), not an
  error estimate: the tests hold the library to it.
* ``MC_``: Monte Carlo checks, in standard errors (sigma counts) or as ratios of standard
  errors; a sigma count is chosen for a false-failure probability, and seeds are fixed.
* ``LEARN_``: estimators fitted to samples (trained networks, the empirical-Bayes denoiser)
  against the population map: the bound is the statistical error measured over many seeds,
  with margin (the tests' seeds are fixed, so a run is always the same run).

Two constants share a name only when they mean the same thing and have the same value; a
different value is a different reason, and gets a different name. Relative or absolute is
decided where a tolerance is used. Values are those the tests have always compared with:
change one only with its reason.
"""

import mpmath
from scipy.stats import binom, norm

# --- float64 ---------------------------------------------------------------------------------

# float64 against a closed form or a more precise (mpmath) reference, a few to a dozen
# roundings of O(1) numbers: double precision carries 16 digits, so a dozen operations a term
# and a log-sum-exp (or softmax) leave 1e-12 of the size of the terms summed (the identity term
# x of a map, or the value itself). Uses: closed forms in float64 against compiled float64
# maps (coordinates <= 3 in size); compiled maps against 50-digit mpmath; the score near the
# data (a softmax of O(1) terms) against mpmath.
FLOAT64_FEW_OPS = 1e-12
# float64 over a few hundred operations on O(1) numbers, rounding only: particle maps and
# compositions over up to tens of steps, each a handful of operations; two compilations of the
# same derived expression; exact derived expressions (JSON output) evaluated in float64, which
# loses a few ulps per operation.
FLOAT64_MANY_OPS = 1e-10
# an exact blow-up time (a root) against NumPy's eigenvalues, which are accurate to a few ulps
FLOAT64_EIGVALSH = 1e-12
# SciPy evaluates the normal density in float64 through a Cholesky factor and a log: a few ulps
# of error, amplified at most by the exponent's size (|log pdf| < 40 at the points used).
FLOAT64_SCIPY_PDF = 1e-12
# mass, mean and second moments under a mixture: the trapezoid rule on a Gaussian times a
# polynomial errs by ~exp(-2 pi^2 / h^2) (< 1e-300), so only rounding over 1e3-1e5 terms is left.
FLOAT64_TRAPEZOID_MOMENTS = 1e-13
# a trained network's Jacobian (exact from its weights) against central differences with step
# h = 1e-4 times the coordinate's scale: truncation h^2 |f'''| / 6 and rounding ~1e-16 |f| / h
# of a smooth tanh network in standardised units, both below 1e-9 (measured: 2e-10 in 1-D and
# 2-D, with and without the standardisation's scales); a wrong chain rule errs by O(1).
FLOAT64_CENTRAL_DIFFERENCE = 1e-7
# absolute slack for the float64 evaluation of the DAE's closed forms (sums of products
# exp(.) * erfc(.), measured to be accurate to ~1e-7 at the times used in test_dae).
FLOAT64_EXP_ERFC_SLACK = 1e-6
# the figures' entropies: numerics' quadrature reports errors below 1e-12 there (conditioning
# floor near t*); mpmath references at 30 digits are exact at this scale
FLOAT64_QUAD_ENTROPY = 1e-10
# the 2-D/3-D quadrature of Density is float64 with a relative error estimate below 1e-7; in
# practice it reaches ~1e-10 on smooth integrands: compare against its own estimate.
FLOAT64_CUBATURE = 1e-7

# --- numpy longdouble ------------------------------------------------------------------------

# two independent reference rules (12-point Gauss-Legendre on 2-sigma panels, 24-point on
# 2.5-sigma panels, both in 64-bit-mantissa arithmetic) must agree to well below the 2-D
# contract (CONTRACT_ENTROPY_FISHER_2D).
LONGDOUBLE_RULES_AGREE = 1e-14

# --- the accuracy contract of symtransport.numerics ------------------------------------------

# entropy and Fisher information, relative to max(1, |value|): the accuracy contract
CONTRACT_ENTROPY_FISHER_1D = 1e-12
CONTRACT_ENTROPY_FISHER_2D = 1e-10
# log mu far from the data: the contract's relative accuracy for log_pdf
CONTRACT_LOG_PDF = 1e-12
# compare_map (the done-when): a hand-written exact posterior mean scores a relative L2
# error below this at 100k samples (two float64 evaluations of one map differ by ~1e-15)
CONTRACT_EXACT_MAP_RELATIVE = 1e-6
# compare_map (the done-when): the identity scores relative 1 and the map with 1.5 times
# the exact denoising step 0.5, each within this
CONTRACT_RELATIVE_SCORE = 0.02

# --- mpmath ----------------------------------------------------------------------------------

# a 30-digit mpmath result keeps 25 digits: 30-digit library values (evaluation, recursions)
# against 40-digit references are rounding only; 30-digit evaluation with quadrature of
# analytic integrands; the error estimate 30-digit quadrature reports for a reference must be
# far below the 1-D contract (CONTRACT_ENTROPY_FISHER_1D).
MP30_RESULT = mpmath.mpf(10) ** -25
# closed-form Gaussian integrals (polynomial times exp of a quadratic) against 30-digit
# quadrature of that analytic Gaussian integrand
MP30_QUAD_GAUSSIAN = mpmath.mpf("1e-24")
# mpmath quadrature of analytic (or piecewise analytic, with break points) integrands at 30
# digits: every reference compared with this is good to at least 25 digits.
MP30_QUAD_PIECEWISE = mpmath.mpf("1e-22")
# quadrature at 30 digits of smooth, Gaussian-decaying integrands (integrals of exact instances,
# entropy-rate integrands) reaches about 25 digits and keeps at least 20: 1e-20 leaves room and
# still separates 1 from anything else.
MP30_QUAD_SMOOTH = mpmath.mpf("1e-20")
# relative gap between an expression and its rewritten (readable) form, both evaluated with
# mpmath at 40 digits: exact rewriting leaves only the rounding of 40-digit arithmetic
MP40_REWRITE = mpmath.mpf(10) ** -30

# --- ODE integration (SciPy DOP853) ----------------------------------------------------------

# DOP853 at its default rtol 1e-10 on exponentials (a linear flow) over t <= 1
DOP853_LINEAR_FLOW = 1e-9
# DOP853 at rtol 1e-10 / atol 1e-12 on a Gaussian's flow: global errors of O(1) positions stay
# near 1e-10; the bound leaves two decades for error growth as the flow contracts
DOP853_GAUSSIAN_FLOW = 1e-8
# DOP853 at rtol 1e-10, atol 1e-12 on a mixture's flow over [0, 0.49], just below the blow-up
# time 1/2; the x-flow contracts, y scales exactly, so the global error stays near the
# tolerance (measured ~1e-9 at worst)
DOP853_MIXTURE_NEAR_BLOWUP = 1e-7

# --- Monte Carlo -----------------------------------------------------------------------------

# within 5 standard errors: a deviation beyond has two-sided normal tail probability 6e-7 per
# check (< 1e-6 under the normal approximation), and the seeds are fixed
MC_SIGMAS = 5.0
# the standard error at 2e4 samples, rescaled to 4e5 samples, matches the one measured there
# within this factor (the sample standard deviation at n = 2e4 is accurate to a few per cent)
MC_SE_RESCALE_FACTOR = 1.25
# the spread of 12 independent Monte Carlo estimates against their mean reported standard
# error: a chi-square with 11 degrees of freedom lies within [0.25, 4] times its mean with
# probability > 0.99
MC_SPREAD_FACTOR = 2.0
# the standard error of 1e5 draws (the figures' MC_SAMPLES) of a log-Jacobian of spread ~1
MC_LOG_JACOBIAN_ERROR = 0.01

# The DAE's statistical tolerance (test_dae), set once for the whole family of its tests.
#
# Each comparison checks one coordinate of the map at one point against an importance-sampling
# estimate with a delta-method standard error ``se``, and passes when
# ``|map - estimate| <= MC_DAE_FAMILY_SIGMAS * se + FLOAT64_EXP_ERFC_SLACK``. Under the null
# hypothesis (the map is right) the scaled error is approximately N(0, 1) (``ess >= MIN_ESS``
# keeps the delta method and the normal approximation sensible), so a single comparison falsely
# fails with probability 2 * Phi(-K). The family is at most MC_DAE_FAMILY_SIZE comparisons:
# 3 noise models x 100 examples (the largest Hypothesis profile, ``ci``) x 3 coordinates. The
# Bonferroni bound then makes the probability that *any* comparison of a run fails falsely at
# most alpha = MC_DAE_FAMILY_ALPHA = 1e-5 when K = MC_DAE_FAMILY_SIGMAS =
# Phi^-1(1 - alpha / (2 MC_DAE_FAMILY_SIZE)) ~= 5.73 (K = 5.5, as a round figure, would give
# ~3.4e-5). So a failure there is a finding, not a 3-sigma fluke.
MC_DAE_FAMILY_ALPHA = 1e-5
MC_DAE_FAMILY_SIZE = 3 * 100 * 3
MC_DAE_FAMILY_SIGMAS = float(norm.isf(MC_DAE_FAMILY_ALPHA / (2 * MC_DAE_FAMILY_SIZE)))

# compare_map's 95% intervals over MC_CI_SEEDS independent seeds: the number that cover the true
# l2 is Binomial(MC_CI_SEEDS, 0.95) when they are honest (CLT); fewer than MC_CI_MIN_COVERED
# (12 of 20) has probability 2e-7 (< 1e-6), so a failure means intervals far too narrow.
MC_CI_SEEDS = 20
MC_CI_MIN_COVERED = int(binom.ppf(1e-6, MC_CI_SEEDS, 0.95))
# sliced W2^2 of an exact N-sample against its own mixture, as a multiple of its expectation
# E ~ (1/N) int F (1 - F) / f over the central 1 - 1/N of the mass (order statistics' variances;
# Bobkov & Ledoux 2019, §5), averaged over the directions. Measured at N = 20000 on test_samples'
# 1-D and 2-D mixtures (200 / 100 seeds): mean 1.02 / 1.05 times E, sd 0.69 / 0.57 times E,
# worst 5.1 / 3.5 (fixed_mixture(1) / (2), 200 seeds each: sd 0.59 / 0.36, worst 4.5 / 2.5). A
# scaled chi-square of that spread (>= 4 degrees of freedom) exceeds 8.4 times its mean with
# probability 1e-6; 20 leaves room for E's leading-order approximation.
MC_W2_SQUARED_FACTOR = 20.0

# --- estimators fitted to samples --------------------------------------------------------------

# relative L2 error (weights N(0, 1 + t)) of train_dae's default network on 4000 N(0, 1)
# samples at t = 0.5 against the exact map x/(1 + t): measured 0.011-0.035 (median 0.018) over
# 30 seeds; 0.1 is three times the worst.
LEARN_DAE_GAUSSIAN_4000 = 0.1
# correlation of a trained DAE's velocity (g_t(x) - x)/t at t = 0.05 (2000 N(0, 1) samples)
# with the score -x on [-2, 2]: measured 0.971-0.998 over 20 seeds.
LEARN_VELOCITY_CORRELATION = 0.9
# relative L2 error (as above) of the empirical-Bayes denoiser of 20000 N(0, 1) samples at
# t = 0.5 against x/(1 + t): measured 0.005-0.010 over 20 seeds; 0.03 is three times the worst.
LEARN_EMPIRICAL_BAYES_20000 = 0.03
# Fig. 4 with a trained network (test_figures): train_dae's default network on 2000 N(0, 1)
# samples (seed 0) at t = 0.5 and 1. A least-squares fit of the linear posterior mean
# x/(1 + t) from n pairs has slope error sd sqrt(t/n)/(1 + t) and intercept error
# sqrt(t/((1 + t) n)): an L2(mu_0) error near 0.017 / 0.019. Measured (seeds 0-29): mean 0.022 /
# 0.023, worst 0.047 / 0.043; 0.1 is twice the worst. Absolute (the data have variance 1).
LEARN_DAE_L2_MU0_2000 = 0.1
# the same networks' pushforward variance against (31) 1/(1 + t)^2, relative: the slope's
# relative error sqrt(t/n) doubles in a variance, sd 2 sqrt(t/n) = 0.032 / 0.045; measured
# (seeds 0-29): mean +0.026 / +0.041 (the network's bias), sd 0.028 / 0.042, worst 0.078 /
# 0.111; 0.2 is the bias plus more than 3 sd (the 20000 evaluation draws add sqrt(2/20000) = 0.01)
LEARN_PUSHFORWARD_VARIANCE_2000 = 0.2
# Fig. 10 (right), per layer: sigma_l/sigma_0 of a composition of DAEs trained on 2000 draws of
# N(0, diag(25, 16)) (dt = 0.5) against the exact recursion (35). A layer's fitted slope has
# relative sd sqrt(dt/(n v)) <= 0.0045 while v >= 13 (the first three layers); measured (20
# trials, layers 1-3): sd 0.003-0.007, worst 0.006, 0.014, 0.018; the bound is l times 0.01
# after l layers (errors adding at worst linearly), half the exact move of a layer (0.0196).
LEARN_COMPOSITION_LAYER_2000 = 0.01

# --- Part C (issue 19): one-step denoisers -----------------------------------------------------

# W2 of a scheme's map against the closed form / a 30-digit mpmath quadrature, relative. The gap
# T - S is formed in float64 from values ~|x| <= 10 (rounding ~1e-15 absolute) and the W2
# measured are >= 7e-7 (Heun at s = 1/32), so ~1e-9 relative; the quadrature's own error is
# ~1e-14. 1e-7 leaves two decades.
ONE_STEP_GAUSSIAN_W2 = 1e-7
ONE_STEP_MIXTURE_W2 = 1e-7
# the same map evaluated twice in float64 (arrays vs a lambdified SymPy expression), and a
# distribution function compared after a float64 quantile inversion: a few ulps, relative
ONE_STEP_SCHEMES_AGREE = 1e-12
# a fitted log-log slope of a W2 error (its 95% interval included) against the order: measured
# within 0.03 for s <= lambda_min/16 (the claims' ORDER_TOL, proofs/one_step_denoisers.py)
ONE_STEP_ORDER_TOL = 0.1
# the coupling bound of numerics.coupling_error against the exact 1-D W2, relative: the flow map
# by DOP853 at rtol 1e-12 is off by ~1e-12 |x|, against W2 >= 6e-5 here; measured 1e-11
ONE_STEP_FLOW_W2 = 1e-7

# --- Part D (issue 19): masking noise ----------------------------------------------------------

# the masked posterior mean's closed form (float64 evaluation of exact expressions, ~1e-15)
# against a ratio of two SciPy quad integrals at epsrel 1e-12 (each ~1e-12 relative): ~2e-12;
# 1e-9 leaves two and a half decades, relative and absolute (values are O(1))
MASKING_QUADRATURE = 1e-9
# the fraction of zeros of mask_samples against p: a binomial proportion with sd
# sqrt(p(1-p)/n); 5 sd is exceeded with probability 6e-7 (the draws are seeded: deterministic)
MASKING_ZERO_FRACTION_SIGMAS = 5

# --- Part B (issue 19): ridgelet analysis ------------------------------------------------------

# float64 Gauss-Legendre / periodic trapezoid quadrature of analytic integrands (proofs/ridgelet.py,
# 48 nodes) against mpmath at 20 digits: converged to ~1e-14 relative; 1e-11 leaves three decades
RIDGELET_QUADRATURE = 1e-11

# --- conjecture searches: hard draws (proofs/conjectures.py) ------------------------------------

# the hard draws' means are rounded to 6 decimals: a separation of >= 3 standard deviations of
# >= 3e-3 (covariance scale >= 0.1, condition <= 1e4) moves by < 1e-4 of itself; 1e-3 relative
HARD_DRAW_SEPARATION = 1e-3
