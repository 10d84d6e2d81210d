"""Shared test helpers for tt-nn, as fixtures (tests run with --import-mode=importlib)."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_autograd import gradcheck


def _parameter_owners(layer):
    """(module, attribute name) for each named parameter, in named_parameters() order."""
    owners = []
    for name, _ in layer.named_parameters():
        *path, attr = name.split(".")
        module = layer
        for part in path:
            module = getattr(module, part)
        owners.append((module, attr))
    return owners


@pytest.fixture
def check_layer():
    """check_layer(layer, *inputs): float64 gradcheck of a layer's output with respect to its
    floating-point inputs AND every parameter."""

    def check(layer, *inputs, **call_kwargs):
        layer.double()
        owners = _parameter_owners(layer)
        params = [p.data for p in layer.parameters()]

        def run(*args):
            xs, ps = args[:len(inputs)], args[len(inputs):]
            for (module, attr), p in zip(owners, ps):
                object.__setattr__(module, attr, p)  # let the checker nudge these copies
            return layer(*xs, **call_kwargs)

        assert gradcheck(run, [*inputs, *params])

    return check


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="PyTorch is not installed: reference comparisons skipped")


@pytest.fixture
def compare_with_torch(torch):
    """compare_with_torch(tt_layer, torch_layer, x): copy tt's weights into torch through the
    state dict (NumPy arrays), then check outputs and all gradients agree in float64."""

    def compare(tt_layer, torch_layer, x, atol=1e-10, **call_kwargs):
        tt_layer.double()
        torch_layer.double()
        torch_layer.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in tt_layer.state_dict().items()})
        xt = tt.tensor(np.array(x, dtype=np.float64), requires_grad=True)
        xr = torch.tensor(np.array(x, dtype=np.float64), requires_grad=True)
        out_t = tt_layer(xt, **call_kwargs)
        out_r = torch_layer(xr, **call_kwargs)
        np.testing.assert_allclose(out_t.data, out_r.detach().numpy(), rtol=1e-7, atol=atol)
        seed = np.random.default_rng(5).normal(size=out_t.shape)
        out_t.backward(seed)
        out_r.backward(torch.from_numpy(seed))
        np.testing.assert_allclose(xt.grad.data, xr.grad.numpy(), rtol=1e-7, atol=atol)
        theirs = dict(torch_layer.named_parameters())
        for name, p in tt_layer.named_parameters():
            np.testing.assert_allclose(p.grad.data, theirs[name].grad.numpy(), rtol=1e-7,
                                       atol=atol, err_msg=name)

    return compare
