import numpy as np
import tt_tensor as tt
from tt_nn import CrossEntropyLoss
from tt_nn.optim import Adam
from tt_text import GPT, generate

# Learn to continue a repeating pattern 0 1 2 3 0 1 2 3 ... from any starting point.
tt.manual_seed(0)
model = GPT(vocab_size=4, d_model=32, num_heads=4, num_layers=2, max_len=16)
sequences = np.array([[(s + i) % 4 for i in range(9)] for s in range(4)] * 8)
inputs, targets = tt.tensor(sequences[:, :-1]), tt.tensor(sequences[:, 1:])

optimizer = Adam(model.parameters(), lr=0.01)
for step in range(40):
    optimizer.zero_grad()
    logits = model(inputs)                         # (N, L, vocab_size)
    loss = CrossEntropyLoss()(logits.reshape(-1, 4), targets.reshape(-1))
    loss.backward()
    optimizer.step()
print(f"loss after 40 steps: {loss.item():.4f}")

# Greedy decoding (temperature 0) continues the pattern; the KV cache makes it cheap.
out = generate(model, [[2, 3]], max_new_tokens=6, temperature=0)
assert out.shape == (1, 8)
assert np.asarray(out)[0].tolist() == [2, 3, 0, 1, 2, 3, 0, 1]
