import numpy as np
import tt_tensor as tt
from tt_text import MultiHeadAttention, causal_mask

attn = MultiHeadAttention(embed_dim=16, num_heads=4)   # batch-first: (N, L, E)
x = tt.randn(2, 5, 16)

# mask means what PyTorch's boolean attn_mask means: True = may NOT attend.
mask = causal_mask(5)                  # position i sees positions 0..i only
assert mask.shape == (5, 5) and mask[0, 1] and not mask[1, 0]

y = attn(x, mask=mask)                 # self-attention: query = key = value = x
assert y.shape == (2, 5, 16)

w = np.asarray(attn.attn_weights)      # (N, heads, L, S): each row is a distribution
assert w.shape == (2, 4, 5, 5)
assert np.allclose(w.sum(axis=-1), 1.0, atol=1e-5)
assert np.all(w[..., 0, 1:] == 0)      # the first position attends only to itself
