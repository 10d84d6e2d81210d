"""tt-tensor + tt-autograd: time per forward+backward of single ops, against NumPy and PyTorch.

For each op and size it prints the time of forward+backward in tt, the time of the same
forward alone in plain NumPy (the floor), the ratio, tt's per-op overhead (tt minus the NumPy
forward+backward work, estimated as 3× the forward) and PyTorch when installed.
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
          f"{'overhead':>10} {'torch fwd+bwd':>14} {'vs torch':>9}")
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
          f"{forward_only * 1e6:.2f} µs (target: under 10 µs per op)")


if __name__ == "__main__":
    main()
