"""erf(x) for whole arrays, to float64 precision, with NumPy only.

NumPy has no erf. We fit it once, at first use, with piecewise Chebyshev polynomials
(24 pieces of width 0.25 on [0, 6], degree 14, sampled from the standard library's
`math.erf`), then evaluate every element at once with the Clenshaw recurrence. Beyond
|x| = 6, erf is ±1 to within 2e-17. The error is below 1e-15 everywhere (tested).
Near 0 the Taylor series x·(2/√π)·Σ (-x²)ⁿ/(n!(2n+1)) is used instead, so that erf keeps
full relative precision for tiny x (and erf(0) is exactly 0).
"""

import math

import numpy as np

WIDTH = 0.25
PIECES = 24
DEGREE = 14
_coefficients: np.ndarray | None = None  # (PIECES, DEGREE + 1), built on first use
# Taylor coefficients of erf(x)/x in powers of x²; 10 terms reach 1e-18 for |x| < 0.25.
_TAYLOR = [2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(10)]


def _fit() -> np.ndarray:
    nodes = np.cos(np.pi * (np.arange(DEGREE + 1) + 0.5) / (DEGREE + 1))  # Chebyshev points
    rows = []
    for piece in range(PIECES):
        centre = (piece + 0.5) * WIDTH
        values = [math.erf(centre + 0.5 * WIDTH * t) for t in nodes]
        rows.append(np.polynomial.chebyshev.chebfit(nodes, values, DEGREE))
    return np.array(rows)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise, in float64 (cast the result back if needed)."""
    global _coefficients
    if _coefficients is None:
        _coefficients = _fit()
    a = np.minimum(np.abs(np.asarray(x, dtype=np.float64)), PIECES * WIDTH)
    piece = np.minimum((a / WIDTH).astype(np.intp), PIECES - 1)
    t = (a - (piece + 0.5) * WIDTH) * (2 / WIDTH)  # position inside the piece, in [-1, 1]
    c = _coefficients[piece]  # (..., DEGREE + 1): each element's own polynomial
    # Clenshaw: b_k = c_k + 2t b_{k+1} - b_{k+2}; result = c_0 + t b_1 - b_2.
    b1 = np.zeros_like(t)
    b2 = np.zeros_like(t)
    for k in range(DEGREE, 0, -1):
        b1, b2 = c[..., k] + 2 * t * b1 - b2, b1
    result = np.asarray(np.minimum(c[..., 0] + t * b1 - b2, 1.0))  # 0-d stays an array
    small = a < WIDTH
    if small.any():
        s = a[small]
        s2, series = s * s, _TAYLOR[-1]
        for coefficient in _TAYLOR[-2::-1]:
            series = series * s2 + coefficient
        result[small] = s * series
    return np.copysign(result, x)
