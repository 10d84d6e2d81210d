import tt_tensor as tt
from tt_vision import Conv2d, MaxPool2d

# Inputs are (N, C, H, W); weights are (out_channels, in_channels, kH, kW), as in PyTorch.
conv = Conv2d(in_channels=1, out_channels=6, kernel_size=3, padding=1)
assert conv.weight.shape == (6, 1, 3, 3)

x = tt.randn(4, 1, 8, 8)
y = conv(x)                        # padding=1 keeps 8x8
assert y.shape == (4, 6, 8, 8)
z = MaxPool2d(2)(y.relu())         # 2x2 windows, stride 2 by default
assert z.shape == (4, 6, 4, 4)

# Output size along each side: (H + 2*padding - kernel_size) // stride + 1.
assert Conv2d(6, 16, kernel_size=3, stride=2)(z).shape == (4, 16, 1, 1)

# One filter is shared by every position: 6*1*3*3 weights + 6 biases, whatever the image size.
assert sum(p.numel() for p in conv.parameters()) == 60
