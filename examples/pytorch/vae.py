"""A variational auto-encoder on 28x28 digits, written as for PyTorch.

A linear encoder gives the mean and log-variance of a 20-dimensional code; a sample is
drawn with the reparameterisation `mu + eps * std` (`eps = randn_like(std)`) so gradients
flow through it; the decoder maps it back to pixels in (0, 1). The loss is the summed
binary cross-entropy of the reconstruction plus the KL divergence from the unit Gaussian,
minimised with Adam. Only the imports say tt.

    python examples/pytorch/vae.py            # real MNIST (downloads it once)
    python examples/pytorch/vae.py --smoke    # a few steps on synthetic images
"""

import argparse
import os
import tempfile

import tt as torch
import tt.nn.functional as F
import tt.vision.transforms as transforms
from tt import nn, optim
from tt.utils.data import DataLoader, TensorDataset
from tt.vision import datasets
from tt.vision.utils import save_image


class VAE(nn.Module):
    def __init__(self, hidden=400, latent=20):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc21 = nn.Linear(hidden, latent)   # mean
        self.fc22 = nn.Linear(hidden, latent)   # log-variance
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    # KL(N(mu, sigma) || N(0, 1)) summed over the code and the batch
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def synthetic_images(n, generator):
    """Pixels in [0, 1]: a few smooth blobs per class, so there is structure to encode."""
    protos = torch.sigmoid(4 * torch.randn(10, 1, 28, 28, generator=generator))
    labels = torch.randint(0, 10, (n,), generator=generator)
    images = (protos[labels] + 0.1 * torch.rand(n, 1, 28, 28, generator=generator)) / 1.1
    return TensorDataset(images, labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description="VAE on MNIST")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--data", default="../data")
    parser.add_argument("--results", default="results", help="folder for the image grids")
    parser.add_argument("--smoke", action="store_true",
                        help="a few steps on synthetic images (no download)")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    device = torch.device("cpu")
    if args.smoke:
        g = torch.Generator().manual_seed(args.seed)
        train_set, test_set = synthetic_images(128, g), synthetic_images(32, g)
        args.batch_size, args.epochs, args.log_interval = 32, 2, 2
        scratch = tempfile.TemporaryDirectory()   # removed when the program ends
        args.results = scratch.name
    else:
        train_set = datasets.MNIST(args.data, train=True, download=True,
                                   transform=transforms.ToTensor())
        test_set = datasets.MNIST(args.data, train=False, transform=transforms.ToTensor())
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=args.batch_size, shuffle=False)

    os.makedirs(args.results, exist_ok=True)
    model = VAE().to(device)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(1, args.epochs + 1):
        model.train()
        train_loss = 0.0
        for batch_idx, (data, _) in enumerate(train_loader):
            data = data.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                      f"\tLoss: {loss.item() / len(data):.6f}")
        print(f"====> Epoch: {epoch} Average loss: {train_loss / len(train_loader.dataset):.4f}")

        model.eval()
        test_loss = 0.0
        with torch.no_grad():
            for i, (data, _) in enumerate(test_loader):
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
                if i == 0:   # first images next to their reconstructions
                    n = min(data.size(0), 8)
                    comparison = torch.cat([data[:n], recon_batch.view(-1, 1, 28, 28)[:n]])
                    save_image(comparison.cpu(),
                               os.path.join(args.results, f"reconstruction_{epoch}.png"), nrow=n)
        print(f"====> Test set loss: {test_loss / len(test_loader.dataset):.4f}")

        with torch.no_grad():
            sample = model.decode(torch.randn(64, 20).to(device)).cpu()
            assert 0.0 <= sample.min().item() and sample.max().item() <= 1.0
            save_image(sample.view(64, 1, 28, 28), os.path.join(args.results, f"sample_{epoch}.png"))
    print(f"images in {args.results}: {len(os.listdir(args.results))}")


if __name__ == "__main__":
    main()
