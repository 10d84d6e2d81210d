import numpy as np
import tt_tensor as tt
from tt_autograd import AnomalyError, detect_anomaly

x = tt.tensor([1.0, 0.0, -1.0], requires_grad=True)

# log(0) = -inf and log(-1) = nan: without anomaly mode they would flow on silently.
with detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
    try:
        x.log()
    except AnomalyError as error:
        message = str(error)
    else:
        raise AssertionError("anomaly mode should have stopped at log")

assert "'log'" in message      # the error names the op that produced the bad value
print(message)
