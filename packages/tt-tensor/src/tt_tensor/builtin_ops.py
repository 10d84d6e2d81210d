"""tt-tensor's own plugin: registers the built-in ops through the same hook as any plugin."""

from tt_tensor.hookspecs import hookimpl
from tt_tensor.ops import arithmetic, elementwise, matmul, reduce, shape, softmax

BUILTIN_OPS = (
    arithmetic.Add, arithmetic.Sub, arithmetic.Mul, arithmetic.Div, arithmetic.Pow, arithmetic.Neg,
    matmul.MatMul,
    elementwise.Exp, elementwise.Log, elementwise.Sqrt, elementwise.Tanh, elementwise.Sigmoid,
    elementwise.ReLU, elementwise.Abs, elementwise.Clamp, elementwise.Maximum, elementwise.Cast,
    reduce.Sum, reduce.Mean, reduce.Max,
    shape.Reshape, shape.Permute, shape.GetItem, shape.Cat, shape.Stack, shape.Where,
    softmax.Softmax, softmax.LogSoftmax,
)


@hookimpl
def register_ops(register):
    for op in BUILTIN_OPS:
        register(op.name, op)
