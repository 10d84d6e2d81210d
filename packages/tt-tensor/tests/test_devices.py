"""The CPU is the only device: every spelling of it is accepted, anything else is refused."""

import pytest
import tt_tensor as tt


@pytest.mark.parametrize("spelling", ["cpu", "cpu:0", tt.device("cpu"), None])
def test_the_cpu_is_accepted_everywhere(spelling):
    x = tt.ones(2)
    assert x.to(spelling) is x if spelling is not None else True
    assert x.cpu() is x and x.device == tt.device("cpu") and x.device == "cpu"
    assert str(tt.device("cpu")) == "cpu" and not x.is_cuda


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "mps"])
def test_other_devices_are_a_clear_error(name):
    with pytest.raises(RuntimeError, match=rf"device '{name}' is not available: tt computes with NumPy"):
        tt.ones(2).to(name)
    with pytest.raises(RuntimeError, match="only device is 'cpu'"):
        tt.device(name)


def test_cuda_method_refuses():
    with pytest.raises(RuntimeError, match="tt computes with NumPy on the CPU"):
        tt.ones(2).cuda()


def test_to_with_a_dtype_and_a_device_casts():
    x = tt.ones(2)
    y = x.to("cpu", tt.float64)
    assert y.dtype == tt.float64 and x.dtype == tt.float32
    assert x.to(dtype=tt.float64, device="cpu").dtype == tt.float64
    assert x.to(tt.ones(1, dtype=tt.float64)).dtype == tt.float64
