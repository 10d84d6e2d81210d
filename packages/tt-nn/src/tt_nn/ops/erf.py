"""erf(x) and the normal CDF Φ(x) for whole arrays, with NumPy only.

erf itself (W. J. Cody's rational approximations, about 1e-16 in float64) lives in tt-tensor,
where the `erf` op needs it (`tt_tensor.ops.erf`); this module builds Φ and GELU's float32
fast path on it.
"""

import math
import threading

import numpy as np
from tt_tensor.ops.erf import ERFC_NUMERATOR, ERFC_DENOMINATOR, horner, erf

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


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
        tail = horner(ERFC_NUMERATOR, a)
        pdf = horner(ERFC_DENOMINATOR, a)
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
# With a = |x|/√2: Φ(-|x|) = erfc(a)/2 = t·B(t)·e^(-x²/2)/2, t = 1 / (1 + q·|x|) with
# q = p/√2. Two rescalings save two NumPy passes, the maths unchanged:
# - t = u/(k·q) with u = k / (1/q + |x|): an add and a division instead of a multiply, an
#   add and a reciprocal;
# - t·B(t) = Σ (b_i/2)·t^i = Σ c_i·u^i with c_i = b_i / (2·(k·q)^i), and k chosen so that
#   c_5 = 1: Horner then starts with an add (u + c_4) instead of a multiply and an add.
_GELU_Q = _HASTINGS_P * _SQRT_HALF
_GELU_C = 1.0 / _GELU_Q
_GELU_K = (_HASTINGS_B[4] / 2) ** 0.2 / _GELU_Q  # makes c_5 = 1
_GELU_B = tuple(b / 2 / (_GELU_K * _GELU_Q) ** (i + 1) for i, b in enumerate(_HASTINGS_B))
assert abs(_GELU_B[4] - 1.0) < 1e-12  # c_1..c_4 are _GELU_B[:4]
_SIGN_BIT = np.uint32(0x80000000)  # float32's sign bit, as an unsigned integer
_FLOAT32_MAX = float(np.finfo(np.float32).max)
# Elements per block: a block's float32 work arrays (~640 KiB) stay in the L2 cache, so
# each pass reads cache instead of memory (about 3× faster per pass).
_BLOCK = 32768
_scratch = threading.local()  # per thread: the work arrays of `_work_arrays`


def _work_arrays(size: int) -> tuple[np.ndarray, ...]:
    """Four float32 work arrays and one uint32 array of at least `size` elements, kept per
    thread and reused by every call (at most `_BLOCK` elements each, ~640 KiB in all).

    Why kept: fresh arrays of this size come from the top of the heap, which glibc gives
    back to the system when they are freed, so every call paid ~40-90 page faults (about
    as much time as the maths at generation sizes). Only the results are fresh arrays.
    """
    arrays = getattr(_scratch, "arrays", None)
    if arrays is None or arrays[0].size < size:
        arrays = _scratch.arrays = tuple(np.empty(size, dtype=dtype) for dtype in
                                         (np.float32,) * 4 + (np.uint32,))
    return arrays


def gelu_float32(x: np.ndarray, slope: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """gelu(x) = x·Φ(x) for a float32 array, and (if `slope`) its derivative Φ(x) + x·φ(x).

    The same maths as `x * normal_cdf(x)[0]`, arranged for speed (NumPy runs one pass over
    the data per operation, so the count of operations is the cost):
    - h = Φ(-|x|) from the 5-term Hastings formula above (absolute error < 1e-7, its
      variable and coefficients rescaled to save two passes, see above), with
      e = e^(-x²/2) computed once (it is also φ(x)·√(2π));
    - with the slope (training): Φ(x) = 0.5 + sign(x)·(0.5 - h), gelu = x·Φ and slope =
      Φ + x·e/√(2π). Since 0.5 - h ≥ 0, "times sign(x)" is copying x's sign bit onto it:
      two integer passes on the float32 bits (NumPy's `copysign` and `sign` are several
      times slower than an add). Like PyTorch's float32 `x·(1 + erf(x/√2))/2`, this Φ is
      exact to ~3e-8 absolute, not relative, in the far lower tail;
    - without the slope (inference): gelu = max(x, 0) - |x|·h, the same value without
      forming Φ, which also keeps h's relative precision in the lower tail;
    - the work runs block by block (`_BLOCK` elements) through a few reused buffers:
      nothing is allocated per pass, and the buffers stay in cache. A column-major x (a
      transposed view) is processed in its own memory order, and the results keep it.
    About 18 passes without the slope, 23 (most of them cheap) with it; gelu(+inf) = +inf and
    gelu(-inf) is NaN, as in PyTorch. Tested against the float64 formula (tt-nn tests).
    """
    if x.ndim > 1 and x.flags.f_contiguous and not x.flags.c_contiguous:
        # Column-major (linear's output for a few rows is a transposed view): work on the
        # row-major transpose and give the result back in x's layout, instead of a copy.
        out, slopes = gelu_float32(x.T, slope)
        return out.T, None if slopes is None else slopes.T
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    slopes = np.empty_like(flat) if slope else None
    a, t, h, e, bits = _work_arrays(min(flat.size, _BLOCK))
    for start in range(0, flat.size, _BLOCK):
        xs = flat[start:start + _BLOCK]
        n = xs.size
        a_, t_, h_, e_ = a[:n], t[:n], h[:n], e[:n]
        np.abs(xs, out=a_)
        np.add(a_, _GELU_C, out=t_)
        np.divide(_GELU_K, t_, out=t_)                 # u = k / (1/q + |x|) = k·q·t
        np.add(t_, _GELU_B[3], out=h_)                 # Horner with c_5 = 1:
        h_ *= t_                                       # h = u·(c_1 + u·(… + u·(c_4 + u)))
        for c in _GELU_B[2::-1]:
            h_ += c
            h_ *= t_
        np.multiply(xs, -0.5, out=e_)
        e_ *= xs
        np.exp(e_, out=e_)                             # e = e^(-x²/2)
        h_ *= e_                                       # h = Φ(-|x|)
        o = out[start:start + n]
        if slope:
            np.subtract(0.5, h_, out=h_)               # 0.5 - Φ(-|x|) ≥ 0
            sign = bits[:n]
            np.bitwise_and(xs.view(np.uint32), _SIGN_BIT, out=sign)
            np.bitwise_or(h_.view(np.uint32), sign, out=h_.view(np.uint32))  # sign(x)·(0.5 - h)
            h_ += 0.5                                  # Φ(x)
            np.multiply(xs, h_, out=o)                 # gelu = x·Φ(x)
            s = slopes[start:start + n]
            np.multiply(xs, e_, out=s)
            s *= _INV_SQRT_2PI                         # x·φ(x)
            s += h_                                    # Φ(x) + x·φ(x)
        else:  # inference: max(x, 0) - |x|·h is the same gelu, without forming Φ
            np.maximum(xs, 0.0, out=o)
            np.multiply(a_, h_, out=t_)
            o -= t_
    if not slope and flat.size and not flat.max() <= _FLOAT32_MAX:  # an inf (or NaN) in x:
        out[np.isposinf(flat)] = np.inf  # inf - inf·0 gave NaN; gelu(+inf) = +inf, as torch
    shape = np.shape(x)
    return out.reshape(shape), None if slopes is None else slopes.reshape(shape)
