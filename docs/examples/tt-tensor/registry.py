import tt_tensor as tt
from tt_tensor import plugins

# Every op, layer, optimizer, dataset and milestone is registered by some package.
ops = {entry.name: entry.provider for entry in plugins.listing("ops")}
assert ops["matmul"] == "tt-tensor"

# Operators and methods look their op up by name: `a @ b` runs OPS["matmul"].
assert tt.OPS["matmul"] is plugins.get("ops", "matmul")

# Asking for something nobody registered gives an error that says so.
try:
    plugins.get("ops", "no-such-op")
except tt.RegistryError as error:
    print(error)
else:
    raise AssertionError("expected a RegistryError")
