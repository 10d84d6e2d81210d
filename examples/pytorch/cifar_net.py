"""The classic small image classifier for CIFAR-10, written as for PyTorch.

conv(3->6, 5x5) -> pool -> conv(6->16, 5x5) -> pool -> three linear layers, trained with
CrossEntropyLoss and SGD with momentum; then saved, loaded back, and scored overall and per
class. Only the imports say tt.

    python examples/pytorch/cifar_net.py            # real CIFAR-10 (downloads it once)
    python examples/pytorch/cifar_net.py --smoke    # a few steps on synthetic 3x32x32 images
"""

import argparse
import os
import tempfile

import tt as torch
import tt.vision as torchvision
import tt.nn as nn
import tt.nn.functional as F
import tt.optim as optim
import tt.vision.transforms as transforms
from tt.utils.data import DataLoader, TensorDataset
from tt.vision import datasets

classes = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))   # 3x32x32 -> 6x28x28 -> 6x14x14
        x = self.pool(F.relu(self.conv2(x)))   # -> 16x10x10 -> 16x5x5
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def synthetic_cifar(n, generator):
    """Colour images whose class sets the mean colour of each quadrant, plus noise."""
    colours = torch.rand(10, 3, 2, 2, generator=generator)
    labels = torch.randint(0, 10, (n,), generator=generator)
    base = colours[labels].repeat_interleave(16, dim=2).repeat_interleave(16, dim=3)
    images = base + 0.1 * torch.randn(n, 3, 32, 32, generator=generator)
    return TensorDataset((images - 0.5) / 0.5, labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description="CIFAR-10 tutorial net")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--data", default="./data")
    parser.add_argument("--show", action="store_true", help="show a batch of training images")
    parser.add_argument("--smoke", action="store_true",
                        help="a few steps on synthetic images (no download)")
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    if args.smoke:
        g = torch.Generator().manual_seed(0)
        trainset, testset = synthetic_cifar(64, g), synthetic_cifar(40, g)
        args.epochs, log_every = 1, 4
    else:
        transform = transforms.Compose([
            transforms.ToTensor(),
            transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
        ])
        trainset = datasets.CIFAR10(root=args.data, train=True, download=True,
                                    transform=transform)
        testset = datasets.CIFAR10(root=args.data, train=False, download=True,
                                   transform=transform)
        log_every = 2000
    trainloader = DataLoader(trainset, batch_size=args.batch_size, shuffle=True, num_workers=0)
    testloader = DataLoader(testset, batch_size=args.batch_size, shuffle=False, num_workers=0)

    # a look at one batch, as the tutorial does before training (shown with --show)
    dataiter = iter(trainloader)
    images, labels = next(dataiter)
    grid = torchvision.utils.make_grid(images) / 2 + 0.5     # unnormalise
    picture = grid.numpy().transpose((1, 2, 0))               # (H, W, C) for imshow
    print(" ".join(f"{classes[labels[j]]:5s}" for j in range(args.batch_size)))
    if args.show:
        import matplotlib.pyplot as plt
        plt.imshow(picture)
        plt.show()

    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    net = Net().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    for epoch in range(args.epochs):
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            inputs, labels = data[0].to(device), data[1].to(device)
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % log_every == log_every - 1:
                print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / log_every:.3f}")
                running_loss = 0.0
    print("Finished Training")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cifar_net.pth")
        torch.save(net.state_dict(), path)
        net = Net()
        net.load_state_dict(torch.load(path, weights_only=True))

    correct = 0
    total = 0
    correct_pred = {classname: 0 for classname in classes}
    total_pred = {classname: 0 for classname in classes}
    with torch.no_grad():
        for images, labels in testloader:
            outputs = net(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
            for label, prediction in zip(labels, predicted):
                if label == prediction:
                    correct_pred[classes[label]] += 1
                total_pred[classes[label]] += 1

    print(f"Accuracy of the network on the {total} test images: {100 * correct // total} %")
    for classname, correct_count in correct_pred.items():
        if total_pred[classname]:
            accuracy = 100 * float(correct_count) / total_pred[classname]
            print(f"Accuracy for class: {classname:5s} is {accuracy:.1f} %")


if __name__ == "__main__":
    main()
