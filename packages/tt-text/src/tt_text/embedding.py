"""`Embedding` (a learned vector per token id) and `PositionalEncoding` (where each token is).

Attention by itself does not know the order of its inputs: shuffle the tokens and each
output is shuffled the same way. Adding a different vector to each position's embedding is
what tells the model "this token is first, that one third".
"""

from __future__ import annotations

import numpy as np
import tt_tensor
from tt_nn import Module, Parameter, init
from tt_tensor import Tensor

from tt_text import functional as F
from tt_text.ops.embedding import check_padding_idx


class Embedding(Module):
    """A table of `num_embeddings` vectors of size `embedding_dim`; token id i reads row i.

    Same as `torch.nn.Embedding` (weights N(0, 1)); the gradient of a row used several times
    is the sum of its uses. With `padding_idx`, that row starts at zeros and gets no
    gradient, so padding tokens stay zero vectors (negative counts from the end).

    Shape:
        input: integer ids, any shape (*); output: (*, embedding_dim).

    Example:
        >>> emb = Embedding(10, 4, padding_idx=0)
        >>> emb(tt_tensor.tensor([[1, 2, 0]])).shape
        (1, 3, 4)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 _freeze: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        if num_embeddings < 1 or embedding_dim < 1:
            raise ValueError(f"Embedding: num_embeddings and embedding_dim must be positive, "
                             f"got {num_embeddings} and {embedding_dim}")
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: max_norm, scale_grad_by_freq and sparse are "
                                      "not supported by tt (dense gradients only)")
        if device is not None and str(getattr(device, "type", device)) != "cpu":
            raise ValueError(f"Embedding: device {device!r} is not available: tt runs on "
                             "NumPy, on the CPU only (use 'cpu')")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = check_padding_idx("Embedding", padding_idx, self.num_embeddings)
        np_dtype = np.dtype(getattr(dtype, "numpy_dtype", dtype) or np.float32)
        if _weight is not None:
            data = np.array(getattr(_weight, "data", _weight), dtype=np_dtype)
            if data.shape != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {data.shape}, expected "
                                 f"({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(data)
        else:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=np_dtype))
            init.normal_(self.weight)
            if self.padding_idx is not None:
                self.weight.data[self.padding_idx] = 0.0
        if _freeze:
            self.weight.requires_grad = False

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None,
                        **kwargs) -> Embedding:
        """An `Embedding` holding a copy of `embeddings` (V, D); frozen unless `freeze=False`."""
        data = np.asarray(getattr(embeddings, "data", embeddings))
        if data.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D (V, D), got "
                             f"shape {data.shape}")
        return cls(data.shape[0], data.shape[1], padding_idx=padding_idx, _weight=data,
                   _freeze=freeze, dtype=data.dtype, **kwargs)

    def forward(self, input) -> Tensor:
        return F.embedding(input, self.weight, padding_idx=self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"


def sinusoidal_encoding(max_len: int, d_model: int) -> np.ndarray:
    """(max_len, d_model): even features sin(pos / 10000^(2i/d)), odd ones the cosine.

    Each pair of features turns at its own speed, from once every 2π positions down to
    once every 10000·2π, so every position gets a distinct pattern, and a fixed offset
    is the same rotation wherever it starts (easy for attention to pick up).
    """
    position = np.arange(max_len)[:, None]
    speed = np.exp(-np.log(10000.0) * np.arange(0, d_model, 2) / d_model)
    table = np.zeros((max_len, d_model))
    table[:, 0::2] = np.sin(position * speed)
    table[:, 1::2] = np.cos(position * speed[: d_model // 2])
    return table.astype(np.float32)


class PositionalEncoding(Module):
    """Adds to each position of `x` (N, L, d_model) a vector saying which position it is.

    Args:
        d_model: features per position.
        max_len: the longest sequence it can encode.
        kind: "sinusoidal" (fixed sines and cosines, `Transformer` paper; a buffer `pe`) or
            "learned" (a trained table `weight` (max_len, d_model), as in GPT; N(0, 0.02²)).

    `forward(x, start=0)` encodes positions start..start+L-1 (start > 0 when a KV cache
    already holds the first tokens).
    """

    def __init__(self, d_model: int, max_len: int = 512, kind: str = "sinusoidal") -> None:
        super().__init__()
        if kind not in ("sinusoidal", "learned"):
            raise ValueError(f"PositionalEncoding: kind must be 'sinusoidal' or 'learned', "
                             f"got {kind!r}")
        self.d_model, self.max_len, self.kind = int(d_model), int(max_len), kind
        if kind == "sinusoidal":
            self.register_buffer("pe", sinusoidal_encoding(max_len, d_model))
        else:
            self.weight = Parameter(np.empty((max_len, d_model), dtype=np.float32))
            init.normal_(self.weight, std=0.02)

    def forward(self, x: Tensor, start: int = 0) -> Tensor:
        if x.ndim != 3 or x.shape[2] != self.d_model:
            raise ValueError(f"PositionalEncoding: expected input (N, L, {self.d_model}), "
                             f"got shape {x.shape}")
        end = start + x.shape[1]
        if end > self.max_len:
            raise ValueError(f"PositionalEncoding: positions up to {end - 1} requested but "
                             f"max_len={self.max_len}; build it with a larger max_len")
        if self.kind == "sinusoidal":
            return x + self.pe.data[start:end]  # a constant: no gradient needed
        return x + self.weight[start:end]

    def extra_repr(self) -> str:
        return f"{self.d_model}, max_len={self.max_len}, kind={self.kind!r}"
