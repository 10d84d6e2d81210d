"""tt-tensor's own plugin: registers the built-in ops through the same hook as any plugin."""

from tt_tensor.hookspecs import hookimpl
from tt_tensor.ops import arithmetic, einsum, elementwise, matmul, reduce, selection, shape, softmax

OP_CLASSES = (
    arithmetic.AddOp, arithmetic.SubOp, arithmetic.MulOp, arithmetic.DivOp,
    arithmetic.RemainderOp, arithmetic.FmodOp, arithmetic.PowOp, arithmetic.NegOp,
    matmul.MatMulOp,
    elementwise.ExpOp, elementwise.LogOp, elementwise.SqrtOp, elementwise.TanhOp,
    elementwise.SigmoidOp, elementwise.ReLUOp, elementwise.AbsOp, elementwise.ClampOp,
    elementwise.MaximumOp, elementwise.MinimumOp, elementwise.CastOp, elementwise.CloneOp,
    elementwise.CopysignOp, elementwise.SinOp, elementwise.CosOp, elementwise.TanOp,
    elementwise.AsinOp, elementwise.AcosOp, elementwise.AtanOp, elementwise.SinhOp,
    elementwise.CoshOp, elementwise.AsinhOp, elementwise.AcoshOp, elementwise.AtanhOp,
    elementwise.Log2Op, elementwise.Log10Op, elementwise.Log1pOp, elementwise.Expm1Op,
    elementwise.Exp2Op, elementwise.ErfOp, elementwise.FloorOp, elementwise.CeilOp,
    elementwise.TruncOp, elementwise.SignOp, elementwise.RoundOp,
    reduce.SumOp, reduce.MeanOp, reduce.AmaxOp, reduce.AminOp, reduce.ProdOp, reduce.CumsumOp,
    reduce.CumprodOp, reduce.NormOp,
    shape.ReshapeOp, shape.PermuteOp, shape.ExpandOp, shape.RepeatOp, shape.RollOp,
    shape.GetItemOp, shape.SetItemOp, shape.CatOp, shape.StackOp, shape.WhereOp,
    selection.GatherOp, selection.ScatterOp, selection.ScatterAddOp, selection.ScatterReduceOp,
    softmax.SoftmaxOp, softmax.LogSoftmaxOp,
    einsum.EinsumOp,
)


@hookimpl
def register_ops(register):
    for op in OP_CLASSES:
        register(op.name, op)
