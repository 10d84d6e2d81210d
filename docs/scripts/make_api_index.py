"""Write docs/generated/tt-names.md: every name of `import tt`, grouped as torch's docs group them.

    hatch run docs:names

The names are read from what is installed: tt-tensor's public functions, the `Tensor`
methods, and everything the plugins register (layers, functional forms, optimizers and
schedules, datasets). Each goes under the heading PyTorch's reference puts it under; a name
this file does not know yet lands under "Other" so that nothing is ever left out.
`tests/docs/test_api_index.py` fails when the committed page is stale.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "generated" / "tt-names.md"

# torch's headings (torch.html, nn.html, nn.functional.html, optim.html, data.html) and the
# names tt has under each. Only the grouping is written by hand; the names come from tt.
TENSOR_GROUPS = {
    "Tensors and dtypes": "Tensor is_tensor from_numpy numel get_default_dtype set_default_dtype "
                          "float32 float64 float16 half float double int64 long int32 int int16 "
                          "short int8 uint8 bool bfloat16 dtype promote_types result_type",
    "Creation ops": "tensor as_tensor zeros zeros_like ones ones_like full full_like empty "
                    "empty_like arange linspace logspace eye",
    "Indexing, slicing, joining, mutating": "cat concat concatenate stack hstack vstack split "
                                            "chunk unbind narrow gather scatter scatter_add "
                                            "scatter_reduce index_select masked_select "
                                            "masked_fill where nonzero reshape squeeze "
                                            "unsqueeze transpose permute movedim flatten "
                                            "unflatten take take_along_dim moveaxis swapaxes swapdims t",
    "Random sampling": "manual_seed seed initial_seed generator Generator rand rand_like randn "
                       "randn_like randint randint_like randperm multinomial bernoulli normal",
    "Pointwise ops": "abs add sub mul div true_divide floor_divide remainder fmod pow neg exp "
                     "exp2 expm1 log log2 log10 log1p sqrt rsqrt square reciprocal sin cos tan "
                     "asin acos atan sinh cosh tanh asinh acosh atanh sigmoid relu erf floor "
                     "ceil round trunc sign clamp clip lerp logaddexp copysign maximum minimum "
                     "absolute arccos arccosh arcsin arcsinh arctan arctanh clamp_max clamp_min "
                     "divide multiply negative subtract fix",
    "Reduction ops": "sum mean prod std var std_mean var_mean amax amin max min argmax argmin "
                     "logsumexp any all",
    "Comparison ops": "eq ne lt le gt ge isclose allclose isinf isnan isfinite sort argsort "
                      "topk equal greater greater_equal less less_equal not_equal "
                      "is_floating_point",
    "Other ops": "einsum cumsum cumprod cummax cummin tril triu flip roll repeat_interleave "
                 "diagonal meshgrid matmul mm bmm outer dot clone softmax log_softmax",
    "Gradient modes": "no_grad enable_grad set_grad_enabled inference_mode is_grad_enabled "
                      "detect_anomaly is_anomaly_enabled",
    "Devices": "device",
}
LAYER_GROUPS = {
    "Containers": "Module Sequential ModuleList ModuleDict",
    "Convolution layers": "Conv1d Conv2d ConvTranspose2d Unfold Fold",
    "Pooling layers": "MaxPool2d AvgPool2d AdaptiveAvgPool2d MaxUnpool2d",
    "Non-linear activations": "ReLU ReLU6 LeakyReLU ELU SELU CELU GELU SiLU Mish Sigmoid Tanh "
                              "Hardtanh Hardsigmoid Hardswish Softplus Softsign LogSigmoid "
                              "Softmax LogSoftmax Softmin GLU",
    "Normalization layers": "BatchNorm1d BatchNorm2d GroupNorm LayerNorm",
    "Transformer layers": "MultiHeadAttention TransformerBlock GPT PositionalEncoding",
    "Linear layers": "Identity Linear",
    "Dropout layers": "Dropout Dropout2d",
    "Sparse layers": "Embedding",
    "Vision layers": "Upsample",
    "Utilities": "Flatten Unflatten",
    "Loss functions": "MSELoss BCELoss BCEWithLogitsLoss CrossEntropyLoss NLLLoss",
}
FUNCTION_GROUPS = {
    "Convolution functions": "conv1d conv2d conv_transpose2d unfold fold",
    "Pooling functions": "max_pool2d avg_pool2d adaptive_avg_pool2d max_unpool2d",
    "Attention mechanisms": "scaled_dot_product_attention",
    "Non-linear activation functions": "relu relu6 leaky_relu elu selu celu gelu silu mish "
                                       "sigmoid tanh hardtanh hardsigmoid hardswish softplus "
                                       "softsign logsigmoid softmax log_softmax softmin glu",
    "Linear functions": "linear",
    "Dropout functions": "dropout dropout2d",
    "Sparse functions": "embedding one_hot",
    "Normalization functions": "batch_norm group_norm layer_norm normalize",
    "Loss functions": "mse_loss binary_cross_entropy binary_cross_entropy_with_logits "
                      "cross_entropy nll_loss",
    "Vision functions": "pad interpolate upsample",
}
OPTIMIZER_GROUPS = {
    "Algorithms (`tt.optim`)": "SGD Adam AdamW RMSprop Adagrad Adadelta",
    "Learning-rate schedules (`tt.optim.lr_scheduler`)": "StepLR MultiStepLR ExponentialLR "
                                                         "CosineAnnealingLR LambdaLR LinearLR "
                                                         "SequentialLR OneCycleLR "
                                                         "ReduceLROnPlateau",
}


def tensor_names() -> list[str]:
    """tt-tensor's public functions and dtypes (what `tt.<name>` reaches)."""
    import tt_tensor

    names = getattr(tt_tensor, "__all__", [])
    hidden = {"Function", "Context", "Example", "unbroadcast", "hookimpl", "plugins", "OPS",
              "RegistryError", "observing", "AnomalyError", "grad_mode", "__version__"}
    return sorted(n for n in names if n not in hidden and not n.startswith("_"))


def tensor_methods() -> list[str]:
    """The public methods and properties of `Tensor`."""
    from tt_tensor import Tensor

    return sorted(n for n, _ in inspect.getmembers(Tensor)
                  if not n.startswith("_") and n not in ("data",))


def registered(kind: str) -> list[str]:
    from tt_tensor import plugins

    return plugins.registry().names(kind)


def grouped(names: list[str], groups: dict[str, str], where: str) -> list[str]:
    """Markdown: one bullet line per group, then "Other" for names no group lists."""
    lines, placed = [], set()
    for title, members in groups.items():
        present = [n for n in members.split() if n in names]
        placed.update(present)
        if present:
            lines.append(f"- **{title}**: " + ", ".join(f"`{where}{n}`" for n in present))
    rest = [n for n in names if n not in placed]
    if rest:
        lines.append("- **Other**: " + ", ".join(f"`{where}{n}`" for n in rest))
    return lines


def page() -> str:
    """The whole generated page."""
    layers = registered("layers")
    if "Module" not in layers:
        layers = ["Module", *layers]
    out = ["<!-- generated by docs/scripts/make_api_index.py: do not edit by hand -->", "",
           "### `tt`: tensors and their functions", ""]
    out += grouped(tensor_names(), TENSOR_GROUPS, "tt.")
    out += ["", "### `Tensor` methods and properties", "",
            ", ".join(f"`{n}`" for n in tensor_methods())]
    out += ["", "### `tt.nn`: layers", ""]
    out += grouped(layers, LAYER_GROUPS, "nn.")
    out += ["", "### `tt.nn.functional`", ""]
    out += grouped(registered("functions"), FUNCTION_GROUPS, "F.")
    out += ["", "### `tt.optim`", ""]
    out += grouped(registered("optimizers"), OPTIMIZER_GROUPS, "")
    out += ["", "### Datasets (`tt.utils.data`, `tt.vision.datasets`, `tt.text.datasets`)", "",
            ", ".join(f"`{n}`" for n in registered("datasets"))]
    return "\n".join(out) + "\n"


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(page(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
