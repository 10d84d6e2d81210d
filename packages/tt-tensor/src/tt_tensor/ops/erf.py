"""erf(x) for whole arrays, with NumPy only: the `erf` op's maths, and GELU's in tt-nn.

NumPy has no erf. We use W. J. Cody's rational approximations ("Rational Chebyshev
approximations for the error function", Math. Comp. 23, 1969), the method behind most
libraries' double-precision erf. Three intervals of a = |x|, each with its own formula:

    a ≤ 0.46875:   erf(a)  = a · A(a²) / B(a²)
    0.46875 < a ≤ 4:   erfc(a) = e^(-a²) · C(a) / D(a)
    a > 4:         erfc(a) = e^(-a²) / a · (1/√π - t · P(t) / Q(t)),  t = 1/a²

with erf = 1 - erfc, and erf(-x) = -erf(x). A, B, … are polynomials with Cody's published
coefficients. The error is about 1e-16 in float64 (tested against `math.erf`).
The first interval keeps full relative precision for tiny x, and erf(±0) = ±0.

Float32 inputs are computed in float32 (twice as fast; the result is within a few float32
rounding steps), everything else in float64.
"""

import math

import numpy as np

# Coefficients, highest power first (the order Horner's rule uses them in).
_A = (1.85777706184603153e-1, 3.16112374387056560e0, 1.13864154151050156e2,
      3.77485237685302021e2, 3.20937758913846947e3)
_B = (1.0, 2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3,
      2.84423683343917062e3)
ERFC_NUMERATOR = (2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e0,
      6.61191906371416295e1, 2.98635138197400131e2, 8.81952221241769090e2,
      1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3)
ERFC_DENOMINATOR = (1.0, 1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2,
      1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3,
      3.43936767414372164e3, 1.23033935480374942e3)
_P = (1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
      1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4)
_Q = (1.0, 2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_INV_SQRT_PI = 1 / math.sqrt(math.pi)
# Beyond this, erfc(a) < 1e-300: erf is ±1 to the last bit (and e^(-a²) would underflow).
_ERF_IS_ONE = 26.5


def horner(coefficients, t: np.ndarray) -> np.ndarray:
    """The polynomial with these coefficients (highest power first) at every element of t.

    In place on one fresh array: a degree-8 polynomial is 16 NumPy calls, no temporaries.
    Python floats keep float32 arrays float32 (a NumPy float64 scalar would promote them).
    """
    result = t * coefficients[0] if coefficients[0] != 1.0 else t.copy()
    result += coefficients[1]
    for c in coefficients[2:]:
        result *= t
        result += c
    return result


def _erfc_scaled(a: np.ndarray) -> np.ndarray:
    """e^(a²) · erfc(a) for a ≥ 0, Cody's second-interval formula C(a) / D(a).

    Made for 0.46875 ≤ a ≤ 4, where it is exact to float64; it stays within 5e-12 of the
    truth down to a = 0, and beyond 4 erfc is below 2e-8, so in float32 this one formula
    serves every a (clip a to keep the polynomials finite).
    """
    return horner(ERFC_NUMERATOR, a) / horner(ERFC_DENOMINATOR, a)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise: float32 in, float32 out; otherwise float64."""
    x = np.asarray(x)
    x = x.astype(np.float32 if x.dtype == np.float32 else np.float64, copy=False)
    a = np.abs(x)
    result = np.ones_like(a)  # erf(a) = 1 beyond the last interval (and at a = inf)
    result[np.isnan(a)] = np.nan

    # Each element takes the formula of its interval: gather, compute, scatter back.
    small = a <= 0.46875
    s = a[small]
    s2 = s * s
    result[small] = s * horner(_A, s2) / horner(_B, s2)

    middle = (a > 0.46875) & (a <= 4.0)
    m = a[middle]
    result[middle] = 1.0 - np.exp(-(m * m)) * _erfc_scaled(m)

    # erfc(4) ≈ 1.5e-8 is already below float32's resolution near 1: float32 is done.
    if x.dtype == np.float64:
        large = (a > 4.0) & (a < _ERF_IS_ONE)
        g = a[large]
        t = 1.0 / (g * g)
        erfc = np.exp(-(g * g)) / g * (_INV_SQRT_PI - t * horner(_P, t) / horner(_Q, t))
        result[large] = 1.0 - erfc
    return np.asarray(np.copysign(result, x))  # a 0-d input stays an array
