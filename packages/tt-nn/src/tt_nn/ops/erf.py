"""erf(x) and the normal CDF Φ(x) for whole arrays, with NumPy only.

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
_C = (2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e0,
      6.61191906371416295e1, 2.98635138197400131e2, 8.81952221241769090e2,
      1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3)
_D = (1.0, 1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2,
      1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3,
      3.43936767414372164e3, 1.23033935480374942e3)
_P = (1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
      1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4)
_Q = (1.0, 2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_INV_SQRT_PI = 1 / math.sqrt(math.pi)
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
# Beyond this, erfc(a) < 1e-300: erf is ±1 to the last bit (and e^(-a²) would underflow).
_ERF_IS_ONE = 26.5


def _horner(coefficients, t: np.ndarray) -> np.ndarray:
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
    return _horner(_C, a) / _horner(_D, a)


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
    result[small] = s * _horner(_A, s2) / _horner(_B, s2)

    middle = (a > 0.46875) & (a <= 4.0)
    m = a[middle]
    result[middle] = 1.0 - np.exp(-(m * m)) * _erfc_scaled(m)

    # erfc(4) ≈ 1.5e-8 is already below float32's resolution near 1: float32 is done.
    if x.dtype == np.float64:
        large = (a > 4.0) & (a < _ERF_IS_ONE)
        g = a[large]
        t = 1.0 / (g * g)
        erfc = np.exp(-(g * g)) / g * (_INV_SQRT_PI - t * _horner(_P, t) / _horner(_Q, t))
        result[large] = 1.0 - erfc
    return np.asarray(np.copysign(result, x))  # a 0-d input stays an array


def normal_cdf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Φ(x), the standard normal CDF, and φ(x), its density, both shaped and typed like x.

    Φ(x) = erfc(-x/√2) / 2. GELU needs both (its derivative is Φ + x·φ), and they share
    e^(-x²/2), so computing them together saves an exp.
    Float64: Φ = (1 + erf(x/√2)) / 2, to 1e-16 (absolute: as in PyTorch, the far lower tail
    has no relative precision left, harmless for GELU). Float32: one formula for every
    element, Φ(-|x|) = e^(-a²) · C(a)/D(a) / 2 with a = |x|/√2 (see `_erfc_scaled`),
    within 2e-7 (tested), and much faster than picking a formula per element.
    """
    if x.ndim == 0:  # NumPy returns scalars for 0-d results: the in-place steps need arrays
        cdf, pdf = normal_cdf(x.reshape(1))
        return cdf.reshape(()), pdf.reshape(())
    if x.dtype == np.float32:
        # Few, reused buffers: on big activations each fresh array costs more than the maths.
        a = np.abs(x)
        a *= _SQRT_HALF
        np.minimum(a, 10.0, out=a)  # erfc(10) = 2e-45: already 0 in float32
        tail = _horner(_C, a)
        pdf = _horner(_D, a)
        tail /= pdf  # C(a) / D(a) = e^(a²)·erfc(a)
        np.square(x, out=pdf)  # the denominator's memory now holds φ(x) = e^(-x²/2)/√(2π)
        pdf *= -0.5
        np.exp(pdf, out=pdf)
        tail *= pdf
        tail *= 0.5  # Φ(-|x|) = erfc(a) / 2
        pdf *= _INV_SQRT_2PI
        # Φ(x) = Φ(-|x|) for x < 0, 1 - Φ(-|x|) for x ≥ 0, written as arithmetic with
        # the 0/1 mask (several times faster than np.where here, and exact for x < 0).
        cdf = np.multiply(tail, -2.0, out=a)  # a is no longer needed: reuse its memory
        cdf += 1.0
        cdf *= x >= 0
        cdf += tail
        return cdf, pdf
    cdf = 0.5 * (1.0 + erf(x * _SQRT_HALF))
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * (x * x))
    return cdf.astype(x.dtype, copy=False), pdf.astype(x.dtype, copy=False)


# ----- the float32 fast path of GELU ---------------------------------------------------------
# Abramowitz & Stegun 7.1.26 (after C. Hastings): for a ≥ 0,
#     erfc(a) ≈ t·(b1 + t·(b2 + t·(b3 + t·(b4 + t·b5)))) · e^(-a²),   t = 1 / (1 + p·a),
# with |error| ≤ 1.5e-7: as close as float32 can resolve 1 + erf, which is what PyTorch's
# float32 GELU computes. Five coefficients instead of Cody's eighteen: 9 NumPy passes for
# the polynomial instead of 32.
_HASTINGS_P = 0.3275911
_HASTINGS_B = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)  # b1..b5
# With a = |x|/√2: Φ(-|x|) = erfc(a)/2 = t·B(t)·e^(-x²/2)/2 = t·B(t)·φ(x)·√(2π)/2, so the
# factor √(2π)/2 goes into the coefficients, and e^(-x²/2) is computed once as φ(x).
_GELU_B = tuple(b * math.sqrt(2 * math.pi) / 2 for b in _HASTINGS_B)
_GELU_P = _HASTINGS_P * _SQRT_HALF
# Elements per block: a block's four float32 work arrays (512 KiB) stay in the L2 cache,
# so each of the ~25 passes reads cache instead of memory (about 3× faster per pass).
_BLOCK = 32768


def gelu_float32(x: np.ndarray, slope: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """gelu(x) = x·Φ(x) for a float32 array, and (if `slope`) its derivative Φ(x) + x·φ(x).

    The same maths as `x * normal_cdf(x)[0]`, arranged for speed:
    - Φ(-|x|) = h from the 5-term Hastings formula above (absolute error < 1e-7);
    - Φ(x) = [x ≥ 0] - sign(x)·h, which is exactly h for x < 0, so gelu = x·Φ(x) keeps the
      lower tail's relative precision; without the slope, gelu = max(x, 0) - |x|·h (the
      same value for both signs, without forming Φ);
    - slope = Φ(x) + x·φ(x);
    - the work runs block by block (`_BLOCK` elements) through a few reused buffers:
      nothing is allocated per pass, and the buffers stay in cache.
    ±inf give NaN, as in PyTorch. Tested against the float64 formula (tt-nn tests).
    """
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    slopes = np.empty_like(flat) if slope else None
    size = min(flat.size, _BLOCK)
    a, t, h, pdf = (np.empty(size, dtype=np.float32) for _ in range(4))
    up = np.empty(size, dtype=bool)
    for start in range(0, flat.size, _BLOCK):
        xs = flat[start:start + _BLOCK]
        n = xs.size
        a_, t_, h_, pdf_, up_ = a[:n], t[:n], h[:n], pdf[:n], up[:n]
        np.abs(xs, out=a_)
        np.multiply(a_, _GELU_P, out=t_)
        t_ += 1.0
        np.reciprocal(t_, out=t_)                      # t = 1 / (1 + p·|x|/√2)
        np.multiply(t_, _GELU_B[4], out=h_)            # Horner: h = t·(b1 + t·(b2 + …))
        for b in _GELU_B[3::-1]:
            h_ += b
            h_ *= t_
        np.square(xs, out=pdf_)
        pdf_ *= -0.5
        np.exp(pdf_, out=pdf_)
        pdf_ *= _INV_SQRT_2PI                          # φ(x)
        h_ *= pdf_                                     # h = Φ(-|x|)
        o = out[start:start + n]
        if slope:
            s = slopes[start:start + n]
            np.signbit(xs, out=up_)
            np.logical_not(up_, out=up_)               # x ≥ 0 (and -0.0 counts as < 0)
            np.copysign(h_, xs, out=h_)
            np.subtract(up_, h_, out=h_)               # Φ(x): 1 - h for x ≥ 0, exactly h for x < 0
            np.multiply(xs, h_, out=o)                 # gelu = x·Φ(x)
            np.multiply(xs, pdf_, out=s)
            s += h_                                    # Φ(x) + x·φ(x)
        else:  # without the slope, skip Φ: max(x, 0) - |x|·h is the same gelu
            np.maximum(xs, 0.0, out=o)
            np.multiply(a_, h_, out=t_)
            o -= t_
    shape = np.shape(x)
    return out.reshape(shape), None if slopes is None else slopes.reshape(shape)
