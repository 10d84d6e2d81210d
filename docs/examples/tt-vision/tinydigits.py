import numpy as np
import tt_tensor as tt
from tt_nn import CrossEntropyLoss, Flatten, Linear, ReLU, Sequential
from tt_nn.optim import Adam
from tt_vision import Conv2d, MaxPool2d
from tt_vision.datasets import TinyDigits

train, test = TinyDigits("train"), TinyDigits("test")
image, label = train[0]
assert image.shape == (1, 8, 8) and len(train) == 1000 and len(test) == 200

tt.manual_seed(0)
model = Sequential(
    Conv2d(1, 8, kernel_size=3, padding=1), ReLU(), MaxPool2d(2),   # (N, 8, 4, 4)
    Flatten(), Linear(8 * 4 * 4, 10),
)
optimizer = Adam(model.parameters(), lr=0.01)
images, labels = tt.tensor(train.images), tt.tensor(train.labels)

for step in range(60):             # full-batch steps: a few seconds on a laptop
    optimizer.zero_grad()
    loss = CrossEntropyLoss()(model(images), labels)
    loss.backward()
    optimizer.step()

predicted = model(tt.tensor(test.images)).argmax(dim=1).numpy()
accuracy = float(np.mean(predicted == test.labels))
print(f"test accuracy after 60 steps: {accuracy:.1%}")
assert accuracy > 0.8
