"""Forward values and gradients equal PyTorch's, op by op and layer by layer.

`compare(tt_fn, torch_fn, *arrays)` runs the same function on the same float64 inputs in
both libraries and checks the output and the gradient of every input (tinygrad's
helper_test_op idea): each case below is one line.
"""

import numpy as np
import pytest
import tt_tensor as tt
from tt_vision import AvgPool2d, BatchNorm2d, Conv2d, MaxPool2d
from tt_vision import functional as F

torch = pytest.importorskip("torch", reason="PyTorch is the optional reference for these tests")
TF = torch.nn.functional


def compare(tt_fn, torch_fn, *arrays, atol=1e-10):
    """Same inputs (float64, None passed through) -> same output and same input gradients."""
    ours = [None if a is None else tt.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = tt_fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=atol, rtol=1e-7)
    weights = np.random.default_rng(7).normal(size=out.shape)
    out.backward(weights)
    ref.backward(torch.tensor(weights))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a is not None:
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), atol=atol, rtol=1e-7,
                                       err_msg=f"gradient of input {i}")


def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


CONV_CASES = [  # x shape, weight shape, bias?, stride, padding
    ((2, 3, 7, 7), (4, 3, 3, 3), True, 1, 0),
    ((2, 3, 7, 7), (4, 3, 3, 3), True, 2, 1),
    ((1, 2, 8, 5), (3, 2, 2, 3), False, (2, 1), (0, 2)),
    ((3, 1, 6, 6), (2, 1, 5, 5), True, 3, 2),
    ((2, 4, 5, 5), (6, 4, 1, 1), True, 1, 0),
    ((2, 2, 4, 4), (2, 2, 4, 4), True, 1, 0),   # kernel the size of the image
]


@pytest.mark.parametrize("xs, ws, bias, stride, padding", CONV_CASES)
def test_conv2d(xs, ws, bias, stride, padding):
    b = normal(ws[0], seed=2) if bias else None
    compare(lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding),
            lambda x, w, b: TF.conv2d(x, w, b, stride=stride, padding=padding),
            normal(*xs, seed=1), normal(*ws, seed=3), b)


@pytest.mark.parametrize("shape, kernel, stride", [
    ((2, 3, 8, 8), 2, None), ((2, 3, 7, 9), 2, None), ((2, 2, 7, 7), 3, 1),
    ((1, 2, 9, 8), (3, 2), (2, 1)), ((2, 1, 6, 6), 3, 2)])
@pytest.mark.parametrize("pool", ["max", "avg"])
def test_pooling(pool, shape, kernel, stride):
    ours = F.max_pool2d if pool == "max" else F.avg_pool2d
    theirs = TF.max_pool2d if pool == "max" else TF.avg_pool2d
    compare(lambda x: ours(x, kernel, stride), lambda x: theirs(x, kernel, stride),
            normal(*shape))


def test_max_pool_ties_match_torch():
    """Equal values in a window: both libraries send the gradient to the first one."""
    x = np.random.default_rng(0).integers(0, 3, size=(2, 2, 6, 6)).astype(np.float64)
    compare(lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), x)
    compare(lambda x: F.max_pool2d(x, 3, 1), lambda x: TF.max_pool2d(x, 3, 1), x)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_function(training):
    rm, rv = np.array([0.1, -0.3, 0.5]), np.array([0.8, 1.2, 2.0])
    ours_rm, ours_rv = rm.copy(), rv.copy()
    theirs_rm, theirs_rv = torch.tensor(rm), torch.tensor(rv)
    compare(lambda x, w, b: F.batch_norm2d(x, ours_rm, ours_rv, w, b, training, 0.2, 1e-3),
            lambda x, w, b: TF.batch_norm(x, theirs_rm, theirs_rv, w, b, training, 0.2, 1e-3),
            normal(4, 3, 5, 5) * 3 + 1, normal(3, seed=1), normal(3, seed=2))
    np.testing.assert_allclose(ours_rm, theirs_rm.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours_rv, theirs_rv.numpy(), atol=1e-12)


def _twins(ours, theirs):
    """Give the torch layer our layer's (float64) parameters."""
    ours.double()
    theirs.double()
    with torch.no_grad():
        for name, value in ours.state_dict().items():
            dict(theirs.state_dict())[name].copy_(torch.tensor(value))
    return ours, theirs


def test_conv2d_layer_matches_torch_layer():
    ours, theirs = _twins(Conv2d(3, 5, 3, stride=2, padding=1), torch.nn.Conv2d(3, 5, 3, 2, 1))
    compare(ours, theirs, normal(2, 3, 9, 9))
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), atol=1e-10)


def test_pool_layers_match_torch_layers():
    x = normal(2, 3, 9, 9)
    compare(MaxPool2d(3, stride=2), torch.nn.MaxPool2d(3, stride=2), x)
    compare(AvgPool2d(2), torch.nn.AvgPool2d(2), x)


def test_batchnorm2d_layer_train_then_eval_matches_torch():
    ours, theirs = _twins(BatchNorm2d(3, momentum=0.3), torch.nn.BatchNorm2d(3, momentum=0.3))
    for step in range(3):  # running statistics follow torch's step by step
        compare(ours, theirs, normal(4, 3, 3, 3, seed=step) * 2 + step)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), atol=1e-12, err_msg=name)
    ours.eval()
    theirs.eval()
    compare(ours, theirs, normal(2, 3, 4, 4, seed=9))


def test_batchnorm2d_cumulative_average_matches_torch():
    ours, theirs = _twins(BatchNorm2d(2, momentum=None), torch.nn.BatchNorm2d(2, momentum=None))
    for step in range(3):
        compare(ours, theirs, normal(3, 2, 2, 2, seed=step) + step)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), atol=1e-12)


def test_conv2d_default_init_has_torchs_spread():
    """Weights and bias uniform in +-1/sqrt(fan_in), like torch's kaiming_uniform_(a=sqrt(5))."""
    tt.manual_seed(0)
    ours = Conv2d(4, 64, 3)
    theirs = torch.nn.Conv2d(4, 64, 3)
    bound = 1 / np.sqrt(4 * 9)
    assert np.abs(ours.weight.data).max() <= bound
    assert np.abs(ours.bias.data).max() <= bound
    np.testing.assert_allclose(ours.weight.data.std(), theirs.weight.detach().numpy().std(), rtol=0.1)
    assert ours.weight.dtype == np.float32
