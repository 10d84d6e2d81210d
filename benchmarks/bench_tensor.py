"""tt-tensor + tt-autograd: time per forward+backward of single ops, against NumPy and PyTorch.

For each op and size it prints the time of forward+backward in tt (one op, one backward()
call, so the engine's fixed cost per backward() is included), the time of the same forward
alone in plain NumPy (the floor), the ratio, tt minus an estimate of the NumPy work of forward
and backward (3× the forward) and PyTorch when installed.

Then the bookkeeping per op, where it matters — inside a graph: a chain of 64 small ops run
forward and backward in tt, against the same arithmetic done by hand in NumPy (each op's
forward and its gradient), divided by the number of ops.
"""

import pathlib
import sys

import numpy as np
import tt_tensor as tt

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from timing import best_time, ratio, torch_or_none  # noqa: E402

SIZES = {"small": (32, 64), "large": (1024, 1024)}

CASES = {
    # name: (tt expression, numpy forward, torch expression)
    "add": (lambda a, b: a + b, lambda a, b: a + b, lambda a, b: a + b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, lambda a, b: a * b),
    "tanh": (lambda a, b: a.tanh(), lambda a, b: np.tanh(a), lambda a, b: a.tanh()),
    "relu": (lambda a, b: a.relu(), lambda a, b: np.maximum(a, 0), lambda a, b: a.relu()),
    "sum": (lambda a, b: a.sum(), lambda a, b: a.sum(), lambda a, b: a.sum()),
    "mean(dim=1)": (lambda a, b: a.mean(1), lambda a, b: a.mean(1), lambda a, b: a.mean(1)),
    "softmax": (lambda a, b: a.softmax(-1), lambda a, b: _np_softmax(a), lambda a, b: a.softmax(-1)),
    "matmul": (lambda a, b: a @ b.T, lambda a, b: a @ b.T, lambda a, b: a @ b.T),
}


def _np_softmax(a):
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def main() -> None:
    torch = torch_or_none()
    print(f"{'op':<12} {'size':<10} {'tt fwd+bwd':>12} {'numpy fwd':>11} {'ratio':>7} "
          f"{'tt-3×numpy':>10} {'torch fwd+bwd':>14} {'vs torch':>9}")
    for size_name, shape in SIZES.items():
        rng = np.random.default_rng(0)
        a_np = rng.normal(size=shape).astype(np.float32)
        b_np = rng.normal(size=shape).astype(np.float32)
        for name, (tt_fn, np_fn, torch_fn) in CASES.items():
            a = tt.tensor(a_np, requires_grad=True)
            b = tt.tensor(b_np, requires_grad=True)

            def tt_step():
                out = tt_fn(a, b)
                out.backward(np.ones(out.shape, dtype=np.float32))
                a.grad = b.grad = None

            ours = best_time(tt_step)
            floor = best_time(lambda: np_fn(a_np, b_np))
            overhead = max(ours - 3 * floor, 0.0)
            theirs = None
            if torch is not None:
                ta = torch.tensor(a_np, requires_grad=True)
                tb = torch.tensor(b_np, requires_grad=True)

                def torch_step():
                    out = torch_fn(ta, tb)
                    out.backward(torch.ones_like(out))
                    ta.grad = tb.grad = None

                theirs = best_time(torch_step)
            print(f"{name:<12} {size_name:<10} {ours * 1e6:>10.1f}µs {floor * 1e6:>9.1f}µs "
                  f"{ours / floor:>6.1f}× {overhead * 1e6:>8.1f}µs "
                  f"{'—' if theirs is None else f'{theirs * 1e6:.1f}µs':>14} {ratio(ours, theirs):>9}")
    x = tt.tensor(np.ones((32, 64), dtype=np.float32))
    y = np.ones((32, 64), dtype=np.float32)
    forward_only = best_time(lambda: x + x) - best_time(lambda: y + y)
    print(f"\nbookkeeping of one forward op on a 32×64 tensor (tt + minus numpy +): "
          f"{forward_only * 1e6:.2f} µs")
    per_op = _chain_overhead(64)
    print(f"bookkeeping per op inside a graph (chain of 64 mul/add/tanh on 32×64, forward and "
          f"backward, minus the same NumPy arithmetic): {per_op * 1e6:.2f} µs per op "
          f"(target: under 10 µs)")


def _chain_overhead(n_ops: int) -> float:
    """Seconds of tt bookkeeping per op in a chain of `n_ops` small ops (forward + backward)."""
    rng = np.random.default_rng(0)
    start = rng.normal(size=(32, 64)).astype(np.float32)
    leaf = tt.tensor(start, requires_grad=True)

    def tt_chain():
        h = leaf
        for i in range(n_ops // 4):
            h = (h * 0.5 + 0.1).tanh() * 1.5
        h.sum().backward()
        leaf.grad = None

    def numpy_chain():
        saved, h = [], start
        for i in range(n_ops // 4):
            t = np.tanh(h * 0.5 + 0.1)
            saved.append(t)
            h = t * 1.5
        g = np.ones_like(h)
        for t in reversed(saved):
            g = (g * 1.5) * (1 - t * t) * 0.5
        return g

    return (best_time(tt_chain) - best_time(numpy_chain)) / n_ops


if __name__ == "__main__":
    main()
