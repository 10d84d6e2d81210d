"""A small convolutional network for handwritten digits, written as for PyTorch.

Two convolutions, a max-pool, dropout and two linear layers end in `log_softmax`, trained
with `nll_loss`, Adadelta and a StepLR schedule that shrinks the rate once per epoch.
The imports are the only lines that say tt: put `torch`/`torchvision` back and it runs on
PyTorch unchanged.

    python examples/pytorch/mnist_cnn.py            # real MNIST (downloads it once)
    python examples/pytorch/mnist_cnn.py --smoke    # a few steps on synthetic digits
"""

import argparse

import tt as torch
import tt.nn as nn
import tt.nn.functional as F
import tt.optim as optim
import tt.vision.transforms as transforms
from tt.optim.lr_scheduler import StepLR
from tt.utils.data import DataLoader, TensorDataset
from tt.vision import datasets


class Net(nn.Module):
    def __init__(self, channels=(16, 32), hidden=64):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, 3, 1)
        self.conv2 = nn.Conv2d(c1, c2, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        # 28x28 -> 26x26 -> 24x24 -> pooled 12x12
        self.fc1 = nn.Linear(c2 * 12 * 12, hidden)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def synthetic_digits(n, generator):
    """Digit-like 1x28x28 images: each class is a blurred stroke pattern plus noise."""
    templates = (torch.rand(10, 1, 28, 28, generator=generator) > 0.8).float()
    templates = F.avg_pool2d(F.pad(templates, (1, 1, 1, 1)), 3, stride=1)
    labels = torch.randint(0, 10, (n,), generator=generator)
    images = templates[labels] + 0.2 * torch.randn(n, 1, 28, 28, generator=generator)
    images = images.clamp(0.0, 1.0)
    return TensorDataset((images - 0.1307) / 0.3081, labels)


def train(args, model, device, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}"
                  f" ({100.0 * batch_idx / len(loader):.0f}%)]\tLoss: {loss.item():.6f}")
        if args.dry_run or (args.max_steps and batch_idx + 1 >= args.max_steps):
            break


def test(model, device, loader):
    model.eval()
    test_loss = 0.0
    correct = 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(loader.dataset)
    accuracy = 100.0 * correct / len(loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, "
          f"Accuracy: {correct}/{len(loader.dataset)} ({accuracy:.0f}%)")
    return test_loss, accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description="MNIST CNN")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=50)
    parser.add_argument("--max-steps", type=int, default=0, help="stop each epoch after N steps")
    parser.add_argument("--no-accel", action="store_true", help="do not use an accelerator")
    parser.add_argument("--dry-run", action="store_true", help="one batch per epoch")
    parser.add_argument("--save-model", action="store_true")
    parser.add_argument("--data", default="../data")
    parser.add_argument("--smoke", action="store_true",
                        help="a few steps of a small net on synthetic digits (no download)")
    args = parser.parse_args(argv)

    use_accel = not args.no_accel and torch.accelerator.is_available()
    torch.manual_seed(args.seed)
    if use_accel:
        device = torch.accelerator.current_accelerator()
    else:
        device = torch.device("cpu")
    train_kwargs = {"batch_size": args.batch_size, "shuffle": True}
    test_kwargs = {"batch_size": args.test_batch_size}
    if use_accel:
        accel_kwargs = {"num_workers": 1, "persistent_workers": True, "pin_memory": True}
        train_kwargs.update(accel_kwargs)
        test_kwargs.update(accel_kwargs)

    if args.smoke:
        g = torch.Generator().manual_seed(args.seed)
        train_set, test_set = synthetic_digits(96, g), synthetic_digits(32, g)
        train_kwargs["batch_size"] = 16
        args.epochs, args.max_steps, args.log_interval = 2, 3, 1
        model = Net(channels=(4, 8), hidden=32).to(device)
    else:
        transform = transforms.Compose([
            transforms.ToTensor(),
            transforms.Normalize((0.1307,), (0.3081,)),
        ])
        train_set = datasets.MNIST(args.data, train=True, download=True, transform=transform)
        test_set = datasets.MNIST(args.data, train=False, transform=transform)
        model = Net().to(device)

    train_loader = DataLoader(train_set, **train_kwargs)
    test_loader = DataLoader(test_set, **test_kwargs)

    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test(model, device, test_loader)
        scheduler.step()
        print(f"lr now {scheduler.get_last_lr()[0]:.4f}")

    if args.save_model:
        torch.save(model.state_dict(), "mnist_cnn.pt")


if __name__ == "__main__":
    main()
