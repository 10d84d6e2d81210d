"""Tensor basics: dtype rules, creation functions, shapes, indexing and error messages."""

import subprocess
import sys

import numpy as np
import pytest
import tt_tensor as tt


def test_dtype_rules():
    assert tt.tensor([1.0, 2.0]).dtype == tt.float32
    assert tt.tensor(2.5).dtype == tt.float32
    assert tt.tensor(np.zeros(3)).dtype == tt.float64  # a NumPy float64 array stays float64
    assert tt.tensor(np.zeros(3, dtype=np.float32)).dtype == tt.float32
    assert tt.tensor([1, 2, 3]).dtype == tt.int64
    assert tt.tensor([True, False]).dtype == tt.bool
    assert tt.tensor([1, 2], dtype=tt.float64).dtype == tt.float64
    assert (tt.tensor([1, 2]) / 2).dtype == tt.float32


def test_only_float_tensors_require_grad():
    with pytest.raises(TypeError, match="only floating-point"):
        tt.tensor([1, 2], requires_grad=True)


def test_creation_functions_and_seeding():
    assert tt.zeros(2, 3).shape == (2, 3) and tt.ones((4,)).data.sum() == 4
    assert tt.arange(5).tolist() == [0, 1, 2, 3, 4] and tt.arange(5).dtype == tt.int64
    assert tt.arange(0, 1, 0.25).dtype == tt.float32
    tt.manual_seed(3)
    a = tt.randn(4, 5)
    tt.manual_seed(3)
    b = tt.randn(4, 5)
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == tt.float32 and 0 <= tt.rand(100).data.min() and tt.rand(100).data.max() < 1


def test_methods_match_numpy():
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7
    t = tt.tensor(x)
    np.testing.assert_allclose(t.sum(1).data, x.sum(1))
    np.testing.assert_allclose(t.mean((0, 2), keepdim=True).data, x.mean((0, 2), keepdims=True))
    np.testing.assert_allclose(t.max(-1).values.data, x.max(-1))
    assert t.argmax(2).tolist() == x.argmax(2).tolist()
    assert t.transpose(0, 2).shape == (4, 3, 2) and t.permute(1, 0, 2).shape == (3, 2, 4)
    assert t.reshape(6, -1).shape == (6, 4) and t.flatten(1).shape == (2, 12)
    assert t.unsqueeze(0).shape == (1, 2, 3, 4) and t.unsqueeze(0).squeeze(0).shape == (2, 3, 4)
    np.testing.assert_allclose(t[1, :, ::2].data, x[1, :, ::2])
    np.testing.assert_allclose(t[np.array([1, 1, 0])].data, x[[1, 1, 0]])
    np.testing.assert_allclose(tt.stack([t, t], 1).data, np.stack([x, x], 1))
    np.testing.assert_allclose(tt.where(t > 1, t, 0.0).data, np.where(x > 1, x, 0.0))
    np.testing.assert_allclose(t.var(1).data, x.var(1, ddof=1))
    assert (t > 1).dtype == tt.bool


def test_indexing_gradient_adds_repeated_rows():
    x = tt.tensor(np.zeros((3, 2)), requires_grad=True)
    x[np.array([0, 2, 2, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1, 1], [0, 0], [3, 3]])


@pytest.mark.parametrize("expression, message", [
    (lambda: tt.ones(3, 4) @ tt.ones(5, 2), r"matmul: \(3, 4\) @ \(5, 2\) — inner dimensions 4 and 5 differ"),
    (lambda: tt.ones(3, 4) * tt.ones(5), r"mul: shapes \(3, 4\) and \(5,\) cannot be broadcast"),
    (lambda: tt.ones(3, 4).reshape(5, 2), r"reshape: cannot reshape a tensor of shape \(3, 4\)"),
    (lambda: tt.ones(3, 4).permute(0, 0), r"permute: dims \(0, 0\)"),
    (lambda: tt.ones(3, 4)[5], r"getitem: index 5 does not fit shape \(3, 4\)"),
    (lambda: tt.cat([tt.ones(2, 3), tt.ones(2, 4)]), r"cat: shapes \(2, 3\), \(2, 4\) must match"),
    (lambda: tt.ones(3).sum(2), r"dimension 2 is out of range"),
    (lambda: tt.ones(3, 4).item(), r"item: only one-element tensors"),
    (lambda: tt.tensor("abc"), r"tensor: cannot make a tensor from str"),
])
def test_errors_name_the_op_and_shapes(expression, message):
    with pytest.raises((ValueError, IndexError, TypeError), match=message):
        expression()


def test_backward_on_non_scalar_needs_a_gradient():
    x = tt.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2, 2\), so pass `gradient`"):
        (x * 2).backward()


def test_repr_shows_values_and_grad_flag():
    assert repr(tt.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    assert "dtype=float64" in repr(tt.tensor(np.ones(1)))


def test_import_is_quiet_and_loads_no_plugins():
    # (Its speed is measured in benchmarks/bench_startup.py, not in a timed unit test.)
    code = ("import sys, tt_tensor; "
            "print(sorted(m for m in sys.modules if m.startswith(('tt_nn', 'tt_vision', 'pluggy._'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stderr == ""
    assert [m for m in eval(result.stdout) if m.startswith("tt_")] == []


BLOCK_AUTOGRAD = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "tt_autograd" or name.startswith("tt_autograd."):
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, Block())
import tt_tensor as tt
x = tt.tensor([[1.0, 2.0]], requires_grad=True)
y = (x @ x.T).sum()
print(y.item())
try:
    y.backward()
except RuntimeError as error:
    print(error)
"""


def test_without_tt_autograd_forward_works_and_backward_says_what_to_install():
    # An environment with tt-tensor alone: tt-autograd cannot be imported, and the packages
    # that build on it are not there either.
    import os

    alone = {**os.environ, "TT_BLOCK_PLUGINS": "tt-nn,tt-vision,tt-text,tt-milestones"}
    result = subprocess.run([sys.executable, "-c", BLOCK_AUTOGRAD], capture_output=True,
                            text=True, check=True, env=alone)
    value, message = result.stdout.strip().splitlines()
    assert float(value) == 5.0
    assert "pip install tt-autograd" in message
