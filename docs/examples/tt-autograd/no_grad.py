import tt_tensor as tt
from tt_autograd import enable_grad, is_grad_enabled, no_grad

w = tt.tensor([1.0, 2.0], requires_grad=True)

with no_grad():                 # evaluation: record nothing, save memory and time
    y = w * 3
    assert not y.requires_grad
    assert not is_grad_enabled()
    with enable_grad():         # ...except here
        assert (w * 3).requires_grad


@no_grad()
def evaluate(weights):
    return (weights * weights).sum()


assert not evaluate(w).requires_grad
assert (w * 3).requires_grad    # outside, recording is back on
