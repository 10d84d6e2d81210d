"""The compiled loops behind tt-accelerate's ops (numba, one thread).

Why a loop can beat NumPy here: a NumPy expression such as `x * normal_cdf(x)` runs one
pass over memory per operator, and each pass writes a temporary array as big as the input.
GELU's float32 formula is ~25 passes; LayerNorm's forward and backward are ~8 each. A
compiled loop does all of an element's (or a row's) arithmetic while the value sits in a
register, reads the input once and writes the output once, and the compiler turns the loop
into SIMD instructions (8 float64 or 16 float32 lanes on AVX-512).

Rules every kernel here follows, so its results are NumPy's up to float rounding:
- `@njit(cache=True)`: compiled once per dtype on first use and kept on disk (the first call
  in a fresh checkout takes a second or two; later processes load the machine code).
- `error_model="numpy"`: a division by zero gives inf/NaN as in NumPy instead of raising,
  which also removes a branch per division that would stop the loop from vectorising.
- fastmath only as `{"contract"}` (fused multiply-add: one rounding instead of two) and, for
  loops that sum, `{"reassoc"}` (the sum may be added up in SIMD lanes, in another order,
  like NumPy's pairwise sums). Never `nnan`/`ninf` (NaN and inf propagate as usual) nor
  approximate functions.
- No `parallel=True`: tt runs on one thread, like the benchmarks' PyTorch.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

ELEMENTWISE = dict(cache=True, error_model="numpy", fastmath={"contract"})
SUMMING = dict(cache=True, error_model="numpy", fastmath={"contract", "reassoc"})

# ----- GELU ----------------------------------------------------------------------------------
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
# Abramowitz & Stegun 7.1.26 (after C. Hastings), the formula tt-nn's float32 GELU uses:
# Φ(-|x|) = t·(b1 + t·(b2 + … + t·b5))·φ(x)·√(2π)/2, t = 1 / (1 + p·|x|/√2), |error| < 1e-7.
# The factors √(2π)/2 and 1/√2 are folded into the coefficients, as in `tt_nn.ops.erf`.
_P = 0.3275911 * _SQRT_HALF
_B1, _B2, _B3, _B4, _B5 = (b * math.sqrt(2 * math.pi) / 2 for b in (
    0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))


@njit(**ELEMENTWISE)
def _exp_minus_half_square(a):
    """e^(-a²/2) for 0 ≤ a, in float64, with multiplications only (so the loop vectorises).

    A call to the C library's exp cannot be turned into SIMD instructions here, and would
    cost more than all the rest of GELU. Instead: e^y = (e^(y/256))^256. y/256 is small
    (|y/256| < 0.39 for a < 14), so ten terms of the Taylor series give e^(y/256) to 1e-12,
    and eight squarings raise it to the 256th power (relative error ≤ 256·1e-12, far below
    float32's 6e-8). Beyond a = 14, e^(-98) = 3e-43 is below float32's normal range, so
    the result is 0 there (and the series, valid only for small y/256, is never used
    outside it: the argument is capped at 14 before the series).
    """
    c = min(a, 14.0)
    r = c * c * (-0.5 / 256.0)
    e = 1.0 + r * (1.0 + r * (1 / 2) * (1.0 + r * (1 / 3) * (1.0 + r * (1 / 4) * (
        1.0 + r * (1 / 5) * (1.0 + r * (1 / 6) * (1.0 + r * (1 / 7) * (1.0 + r * (1 / 8) * (
            1.0 + r * (1 / 9) * (1.0 + r * (1 / 10))))))))))
    for _ in range(8):
        e = e * e
    return e if a <= 14.0 else 0.0


@njit(**ELEMENTWISE)
def gelu_float32(x, out, slope, with_slope):
    """gelu(x) = x·Φ(x) and its slope Φ(x) + x·φ(x), for a flat float32 array, in one pass.

    Fuses the ~25 NumPy passes of `tt_nn.ops.erf.gelu_float32` (same Hastings formula) into
    one loop: per element, φ(x) from `_exp_minus_half_square`, h = Φ(-|x|) from the
    polynomial, Φ(x) = h for x < 0 and 1 - h otherwise (exactly h in the lower tail, so the
    tail keeps its relative precision), all in float64 registers, rounded once to float32.
    `with_slope` False skips writing the slope (inference: backward will not run).
    """
    for i in range(x.size):
        v = np.float64(x[i])
        a = abs(v)
        pdf = _INV_SQRT_2PI * _exp_minus_half_square(a)
        t = 1.0 / (1.0 + _P * a)
        h = t * (_B1 + t * (_B2 + t * (_B3 + t * (_B4 + t * _B5)))) * pdf
        cdf = (1.0 - h) if v >= 0 else h
        out[i] = v * cdf
        if with_slope:
            slope[i] = cdf + v * pdf


@njit(cache=True, error_model="numpy")
def gelu_float64(x, out, slope, with_slope):
    """gelu(x) and its slope for a flat float64 array, with the C library's erf and exp.

    Exact to float64 rounding (as `x * normal_cdf(x)`). The library calls are not SIMD, so
    this gains less than the float32 kernel: float64 is for checking, float32 for training.
    """
    for i in range(x.size):
        v = x[i]
        cdf = 0.5 * (1.0 + math.erf(v * _SQRT_HALF))
        out[i] = v * cdf
        if with_slope:
            slope[i] = cdf + v * (_INV_SQRT_2PI * math.exp(-0.5 * v * v))


# ----- ReLU ----------------------------------------------------------------------------------
@njit(**ELEMENTWISE)
def relu_forward(x, out, mask):
    """out = max(x, 0) (NaN stays NaN, as `np.maximum`) and, if `mask` has room, x > 0.

    tt-tensor's relu makes two passes over x (the mask, then the maximum); this is one
    read and the two writes. `mask` of size 0: no gradient wanted, no mask written.
    """
    record = mask.size > 0
    for i in range(x.size):
        v = x[i]
        positive = v > 0
        out[i] = v if (positive or v != v) else 0.0
        if record:
            mask[i] = positive


@njit(**ELEMENTWISE)
def relu_backward(grad, mask, out):
    """out = grad · mask, the mask as 1.0 or 0.0 (so NaN·0 is NaN and -g·0 is -0.0, exactly
    as tt-tensor's `grad * mask`), without NumPy's conversion of the boolean mask to floats."""
    for i in range(grad.size):
        out[i] = grad[i] * (1.0 if mask[i] else 0.0)


# ----- LayerNorm -----------------------------------------------------------------------------
@njit(**SUMMING)
def layer_norm_forward(rows, weight, bias, eps, out, mean, rstd):
    """LayerNorm of each row of `rows` (R, F): out = (x - mean)·rstd·weight + bias.

    One row at a time: its F values (128 floats for the GPT) stay in the L1 cache, so the
    three sweeps over a row — sum for the mean, sum of squared deviations for the variance
    (two passes: exact even when the mean is large), and the output — read memory once.
    NumPy needs ~8 passes over the whole (R, F) array, each through main memory. Statistics
    are accumulated in float64; `mean` and `rstd` (R,) are kept for backward, as PyTorch
    does. An empty `weight` or `bias` (size 0) means None.
    """
    n_rows, features = rows.shape
    scale, shift = weight.size > 0, bias.size > 0
    for i in range(n_rows):
        total = 0.0
        for j in range(features):
            total += rows[i, j]
        m = total / features
        square = 0.0
        for j in range(features):
            d = rows[i, j] - m
            square += d * d
        r = 1.0 / math.sqrt(square / features + eps)
        mean[i], rstd[i] = m, r
        for j in range(features):
            y = (rows[i, j] - m) * r
            if scale:
                y = y * weight[j]
            if shift:
                y = y + bias[j]
            out[i, j] = y


@njit(**SUMMING)
def layer_norm_backward(grad, rows, weight, mean, rstd, grad_x, grad_w, grad_b, want_x):
    """The three LayerNorm gradients from the saved row statistics, one row at a time.

    With x̂ = (x - mean)·rstd recomputed on the fly and ĝ = g·weight:
        dx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)),  dweight += g·x̂,  dbias += g (over rows).
    Per row, one sweep sums ĝ and ĝ·x̂, a second writes dx and adds to dweight and dbias
    (float64 accumulators of F values each, in cache). NumPy needs ~10 whole-array passes.
    `grad_w`/`grad_b` of size 0 are not computed; `want_x` False skips dx.
    """
    n_rows, features = rows.shape
    scale = weight.size > 0
    want_w, want_b = grad_w.size > 0, grad_b.size > 0
    for i in range(n_rows):
        m, r = mean[i], rstd[i]
        sum_g = 0.0
        sum_gx = 0.0
        for j in range(features):
            g = grad[i, j] * weight[j] if scale else np.float64(grad[i, j])
            sum_g += g
            sum_gx += g * ((rows[i, j] - m) * r)
        mean_g, mean_gx = sum_g / features, sum_gx / features
        for j in range(features):
            xhat = (rows[i, j] - m) * r
            if want_w:
                grad_w[j] += grad[i, j] * xhat
            if want_b:
                grad_b[j] += grad[i, j]
            if want_x:
                g = grad[i, j] * weight[j] if scale else np.float64(grad[i, j])
                grad_x[i, j] = r * (g - mean_g - xhat * mean_gx)


# ----- max_pool2d (2x2 windows, stride 2) ------------------------------------------------------
@njit(**ELEMENTWISE)
def _nan_max(p, q):
    """max(p, q) as `np.maximum`: NaN if either is NaN; written as a select, not a branch."""
    return q if (q > p or q != q) else p


@njit(**ELEMENTWISE)
def max_pool2x2_forward(x, out, winner):
    """The 2x2, stride-2 max pool and each window's winner, in one pass over the input.

    A window is a, b (top row) and c, d (bottom row). Its maximum is NaN-propagating, as
    `np.maximum`; its winner (0..3 = a, b, c, d; uint8, size 0 when no gradient is wanted)
    is tt-vision's rule for this pool: b beats a, d beats c, and the bottom pair's maximum
    beats the top's only when strictly larger, so the first maximum row by row wins. All
    choices are selects rather than branches: random data would make branches mispredict.
    tt-vision needs a boolean mask per pairwise comparison and several passes; here the
    whole window is in registers.
    """
    record = winner.size > 0
    for n in range(out.shape[0]):
        for c in range(out.shape[1]):
            for y in range(out.shape[2]):
                for xo in range(out.shape[3]):
                    a, b = x[n, c, 2 * y, 2 * xo], x[n, c, 2 * y, 2 * xo + 1]
                    c_, d = x[n, c, 2 * y + 1, 2 * xo], x[n, c, 2 * y + 1, 2 * xo + 1]
                    top, bottom = _nan_max(a, b), _nan_max(c_, d)
                    out[n, c, y, xo] = _nan_max(top, bottom)
                    if record:
                        top_k = 1 if b > a else 0
                        bottom_k = 3 if d > c_ else 2
                        winner[n, c, y, xo] = bottom_k if bottom > top else top_k


@njit(**ELEMENTWISE)
def max_pool2x2_backward(grad, winner, grad_x):
    """Each output's gradient to its window's winner, zeros to the other three, in one pass
    (the windows do not overlap). Rows or columns past 2*oH, 2*oW (odd sizes) belong to no
    window: `grad_x` must hold zeros there on entry."""
    for n in range(grad.shape[0]):
        for c in range(grad.shape[1]):
            for y in range(grad.shape[2]):
                for xo in range(grad.shape[3]):
                    k, g = winner[n, c, y, xo], grad[n, c, y, xo]
                    grad_x[n, c, 2 * y, 2 * xo] = g if k == 0 else 0.0
                    grad_x[n, c, 2 * y, 2 * xo + 1] = g if k == 1 else 0.0
                    grad_x[n, c, 2 * y + 1, 2 * xo] = g if k == 2 else 0.0
                    grad_x[n, c, 2 * y + 1, 2 * xo + 1] = g if k == 3 else 0.0


# ----- conv2d (stride 1, small channel counts: LeNet's layers) --------------------------------
# Direct convolution, batch last. A chunk of m images is copied (padded) into xp of shape
# (C, Hp, Wp, m): the batch is the last axis. Then for an output row y of channel o, the
# values out[o, y, x, k] for all x and all images k are ONE contiguous run of oW*m numbers
# ("run"), and so is the input they need for a kernel offset (c, i, j): xp[c, y+i, x+j, k]
# for all x, k starts at xp[c, y+i, j, 0] and is contiguous too. So
#     out[o, y] (a run) += weight[o, c, i, j] * xp[c, y+i] shifted by j*m   (a run)
# for every (c, i, j): a long vectorisable loop (oW*m = 640..1792 numbers for LeNet at
# m = 64) with the weight in a register, the accumulator run in the L1 cache. Five kernel
# columns j are done in one sweep (`acc[t] += w0*s0[t] + ... + w4*s4[t]`): one read and one
# write of the accumulator per five multiply-adds instead of per one, which is what makes
# the loop faster than L1's load/store limit for plain `acc += w*s` sweeps.
# No im2col matrix is made: the input is read in place, kH*kW*C times per output row,
# from the cache. Worth it only while C*kH*kW and O are small (LeNet: 25 and 150 weights
# per output, 6 and 16 output channels); BLAS wins beyond that (ops.py sends such layers
# to tt-vision's op).

@njit(**ELEMENTWISE)
def conv2d_pad_batch_last(x, start, ph, pw, xp):
    """xp (C, Hp, Wp, m)[c, ph + h, pw + w, k] = x[start + k, c, h, w], zero elsewhere."""
    c_in, hp, wp, m = xp.shape
    h_in, w_in = x.shape[2], x.shape[3]
    for c in range(c_in):
        for hh in range(hp):
            for ww in range(wp):
                h, w = hh - ph, ww - pw
                if 0 <= h < h_in and 0 <= w < w_in:
                    for k in range(m):
                        xp[c, hh, ww, k] = x[start + k, c, h, w]
                else:
                    for k in range(m):
                        xp[c, hh, ww, k] = 0.0


@njit(**ELEMENTWISE)
def _add_shifted(acc, row, weight, o, c, i, shift, sign, m, run):
    """acc[t] += sum over j of weight[o, c, i, j] * row[base(j) + t], t < run, where
    base(j) = shift + sign*j*m (sign +1: forward, -1: the input gradient's flipped kernel).
    Five columns j per sweep over acc (see the section comment), then three, then one."""
    kw = weight.shape[3]
    j = 0
    while j + 5 <= kw:
        w0, w1, w2 = weight[o, c, i, j], weight[o, c, i, j + 1], weight[o, c, i, j + 2]
        w3, w4 = weight[o, c, i, j + 3], weight[o, c, i, j + 4]
        b0 = shift + sign * j * m
        b1, b2, b3, b4 = b0 + sign * m, b0 + 2 * sign * m, b0 + 3 * sign * m, b0 + 4 * sign * m
        s0, s1, s2 = row[b0:b0 + run], row[b1:b1 + run], row[b2:b2 + run]
        s3, s4 = row[b3:b3 + run], row[b4:b4 + run]
        for t in range(run):
            acc[t] += w0 * s0[t] + w1 * s1[t] + w2 * s2[t] + w3 * s3[t] + w4 * s4[t]
        j += 5
    while j + 3 <= kw:
        w0, w1, w2 = weight[o, c, i, j], weight[o, c, i, j + 1], weight[o, c, i, j + 2]
        b0 = shift + sign * j * m
        b1, b2 = b0 + sign * m, b0 + 2 * sign * m
        s0, s1, s2 = row[b0:b0 + run], row[b1:b1 + run], row[b2:b2 + run]
        for t in range(run):
            acc[t] += w0 * s0[t] + w1 * s1[t] + w2 * s2[t]
        j += 3
    while j < kw:
        w = weight[o, c, i, j]
        b0 = shift + sign * j * m
        s0 = row[b0:b0 + run]
        for t in range(run):
            acc[t] += w * s0[t]
        j += 1


@njit(**ELEMENTWISE)
def conv2d_forward(xp, weight, bias, out, start):
    """out[start + k, o, y, x] = bias[o] + sum over c, i, j of weight[o, c, i, j] *
    xp[c, y + i, x + j, k], for the chunk's m images (xp from `conv2d_pad_batch_last`).

    Loop order: (o, y) outer; the output row's run of oW*m numbers is accumulated in a
    scratch array (L1) over (c, i, j) by `_add_shifted`, then written into the NCHW output
    (image by image: oW contiguous numbers each). `bias` of size 0: no bias.
    """
    c_in, hp, wp, m = xp.shape
    c_out, kh = weight.shape[0], weight.shape[2]
    oh, ow = out.shape[2], out.shape[3]
    run = ow * m
    acc = np.empty(run, dtype=out.dtype)
    for o in range(c_out):
        b = bias[o] if bias.size > 0 else 0.0
        for y in range(oh):
            for t in range(run):
                acc[t] = b
            for c in range(c_in):
                for i in range(kh):
                    _add_shifted(acc, xp[c, y + i].reshape(wp * m), weight, o, c, i, 0, 1, m, run)
            for k in range(m):
                for x in range(ow):
                    out[start + k, o, y, x] = acc[x * m + k]


@njit(**SUMMING)
def conv2d_backward(xp, grad, start, weight, grad_w, grad_b, gxp, want_w, want_b, want_x):
    """The chunk's gradients: grad_w, grad_b (float64, added to) and gxp (C, Hp, Wp, m),
    the padded input's gradient, batch last (overwritten).

    For each output row (o, y) the gradient's run g (oW*m numbers, gathered from the NCHW
    `grad`, with kW-1 zero columns of m numbers on either side: `gh`) is used twice while
    it sits in L1:
      grad_w[o, c, i, j] += sum over t of g[t] * xp[c, y+i] shifted by j*m — a dot
        product per (c, i, j), five j per sweep, summed in SIMD lanes (reassoc);
      gxp[c, y+i] (a run of Wp*m) += sum over j of weight[o, c, i, j] * gh shifted by
        (kW-1-j)*m — the "full" correlation with the flipped kernel, again as
        `_add_shifted` (one write of gxp per five multiply-adds).
    grad_b[o] is the sum of the runs.
    """
    c_in, hp, wp, m = xp.shape
    c_out, _, kh, kw = weight.shape
    oh, ow = grad.shape[2], grad.shape[3]
    run, pad = ow * m, (kw - 1) * m
    gh = np.zeros(run + 2 * pad, dtype=xp.dtype)
    zero = gh[0]  # 0 in the input's dtype: the dot products sum in it, in SIMD lanes
    g = gh[pad:pad + run]
    if want_x:
        gxp[...] = 0.0
    for o in range(c_out):
        for y in range(oh):
            for k in range(m):
                for x in range(ow):
                    g[x * m + k] = grad[start + k, o, y, x]
            if want_b:
                total = 0.0
                for t in range(run):
                    total += g[t]
                grad_b[o] += total
            for c in range(c_in):
                for i in range(kh):
                    if want_w:
                        row = xp[c, y + i].reshape(wp * m)
                        j = 0
                        while j + 5 <= kw:
                            s0, s1 = row[j * m:j * m + run], row[(j + 1) * m:(j + 1) * m + run]
                            s2, s3 = row[(j + 2) * m:(j + 2) * m + run], row[(j + 3) * m:(j + 3) * m + run]
                            s4 = row[(j + 4) * m:(j + 4) * m + run]
                            a0 = a1 = a2 = a3 = a4 = zero
                            for t in range(run):
                                v = g[t]
                                a0 += v * s0[t]
                                a1 += v * s1[t]
                                a2 += v * s2[t]
                                a3 += v * s3[t]
                                a4 += v * s4[t]
                            grad_w[o, c, i, j] += a0
                            grad_w[o, c, i, j + 1] += a1
                            grad_w[o, c, i, j + 2] += a2
                            grad_w[o, c, i, j + 3] += a3
                            grad_w[o, c, i, j + 4] += a4
                            j += 5
                        while j + 3 <= kw:
                            s0, s1 = row[j * m:j * m + run], row[(j + 1) * m:(j + 1) * m + run]
                            s2 = row[(j + 2) * m:(j + 2) * m + run]
                            a0 = a1 = a2 = zero
                            for t in range(run):
                                v = g[t]
                                a0 += v * s0[t]
                                a1 += v * s1[t]
                                a2 += v * s2[t]
                            grad_w[o, c, i, j] += a0
                            grad_w[o, c, i, j + 1] += a1
                            grad_w[o, c, i, j + 2] += a2
                            j += 3
                        while j < kw:
                            s0 = row[j * m:j * m + run]
                            a0 = zero
                            for t in range(run):
                                a0 += g[t] * s0[t]
                            grad_w[o, c, i, j] += a0
                            j += 1
                    if want_x:
                        _add_shifted(gxp[c, y + i].reshape(wp * m), gh, weight, o, c, i, pad, -1,
                                     m, wp * m)


@njit(**ELEMENTWISE)
def conv2d_unpad_batch_first(gxp, start, ph, pw, grad_x):
    """grad_x[start + k, c, h, w] = gxp[c, ph + h, pw + w, k] (the inverse of the padding copy)."""
    c_in, m = gxp.shape[0], gxp.shape[3]
    h_in, w_in = grad_x.shape[2], grad_x.shape[3]
    for k in range(m):
        for c in range(c_in):
            for h in range(h_in):
                for w in range(w_in):
                    grad_x[start + k, c, h, w] = gxp[c, ph + h, pw + w, k]
