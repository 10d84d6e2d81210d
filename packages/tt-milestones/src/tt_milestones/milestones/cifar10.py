"""1998 — The North Star: from digits to photographs, CIFAR-10.

LeNet's convolutions were built for black-on-white digits; the same idea, stacked deeper,
reads colour photographs. CIFAR-10 (Krizhevsky, 2009) holds 60,000 32×32 images of ten
everyday classes — aeroplanes, cars, birds, cats, deer, dogs, frogs, horses, ships,
lorries — small, noisy and varied: a far harder test than MNIST. This milestone trains a
small three-stage CNN with batch normalisation (Ioffe and Szegedy, 2015: each channel
rescaled to zero mean and unit variance per batch, so deeper stacks train at higher
learning rates) and data augmentation (random crops and mirror images: a shifted or
flipped cat is still a cat), within an epoch budget a 2-core CPU finishes in half an hour.
"""

from __future__ import annotations

import numpy as np
import tt_tensor as tt

from tt_milestones.milestone import Milestone
from tt_milestones.milestones._common import layer, optimizer, percent
from tt_milestones.milestones._data import CIFAR10, load_images
from tt_milestones.milestones._images import accuracy, normalise
from tt_milestones.training import TrainingRun

EPOCHS = 10
BATCH_SIZE = 64
LR = 2e-3
WEIGHT_DECAY = 5e-4
BAR = 0.75
CHANNELS = (16, 32, 64)


# ----- the model ------------------------------------------------------------------------------
def build_model(channels: tuple[int, int, int] = CHANNELS):
    """Three stages of Conv2d(3×3, padding 1) → BatchNorm2d → ReLU → MaxPool2d(2), then Linear.

    (N, 3, 32, 32) → (N, 16, 16, 16) → (N, 32, 8, 8) → (N, 64, 4, 4) → Flatten (N, 1024)
    → Linear(1024, 10) logits.
    """
    Conv2d, BatchNorm2d, ReLU, Pool = (layer(n) for n in ("Conv2d", "BatchNorm2d", "ReLU",
                                                           "MaxPool2d"))
    stages, width = [], 3
    for c in channels:
        stages += [Conv2d(width, c, 3, padding=1), BatchNorm2d(c), ReLU(), Pool(2)]
        width = c
    return layer("Sequential")(*stages, layer("Flatten")(), layer("Linear")(width * 16, 10))


def augmentation():
    """Random 32×32 crops of the image padded by 4 pixels, and mirror images half the time."""
    from tt_vision.transforms import Compose, RandomCrop, RandomHorizontalFlip

    return Compose([RandomCrop(32, padding=4), RandomHorizontalFlip()])


# ----- the training loop ----------------------------------------------------------------------
def train(run: TrainingRun, data_root=None, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
          lr: float = LR, limit: int | None = None, augment: bool = True) -> None:
    """AdamW with a one-cycle schedule on augmented mini-batches; BatchNorm in train mode.

    Options: `data_root` (the CIFAR-10 binary files), `epochs`, `batch_size`, `lr`,
    `limit` (the first `limit` training images, to try it fast), `augment`.
    """
    from tt_nn.data import DataLoader, TensorDataset

    train_x, train_y, test_x, test_y = load_images(CIFAR10, data_root)
    if limit is not None:
        train_x, train_y = train_x[:limit], train_y[:limit]
    train_x, test_x = normalise(train_x, test_x)
    run.describe(batch_size=batch_size, optimizer="AdamW + one-cycle", lr=lr,
                 weight_decay=WEIGHT_DECAY, train_images=len(train_x),
                 test_images=len(test_x), augmentation=augment)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        seed=run.seed)
    model = run.watch(build_model(), sample=tt.tensor(test_x[:256]))
    loss_fn = layer("CrossEntropyLoss")()
    opt = optimizer("AdamW")(model.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)
    total = max(epochs * len(loader), 1)
    schedule = optimizer("OneCycleLR")(opt, max_lr=lr, total_steps=total, cycle_momentum=False)
    transform = augmentation() if augment else None

    def training_step(x, y):
        if transform is not None:
            x = transform(x)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        schedule.step()
        return loss

    for _ in run.epochs(epochs):
        model.train()
        for x, y in loader:
            run.step(training_step, x, y)
        model.eval()  # BatchNorm uses its running statistics
        run.evaluate(accuracy(model, test_x, test_y, batch=500))

    # ----- the checks ------------------------------------------------------------------------
    final = run.accuracy_history[-1] if run.accuracy_history else 0.0
    run.check("test accuracy", final, f"≥ {BAR:.0%}", final >= BAR, percent(final))
    run.extras["parameters"] = int(sum(np.asarray(p.data).size for p in model.parameters()))


MILESTONE = Milestone(
    name="cifar10", year=1998, title="The North Star: CIFAR-10",
    story=__doc__.split("\n\n", 1)[1].strip(),
    model="3 × [Conv2d 3×3 → BatchNorm2d → ReLU → MaxPool2d] (16, 32, 64 channels) → Linear(1024,10)",
    about_data=(f"CIFAR-10 (50,000 / 10,000 32×32 colour images), random crops and flips, "
                f"batch {BATCH_SIZE}, {EPOCHS} epochs"),
    data=(CIFAR10,),
    packages=("tt-nn", "tt-vision"),
    needs={"layers": ("Sequential", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Flatten",
                      "Linear", "CrossEntropyLoss"),
           "optimizers": ("AdamW", "OneCycleLR")},
    bar=f"test accuracy ≥ {BAR:.0%}",
    budget="under 30 minutes on a 2-core CPU",
    train=train)
