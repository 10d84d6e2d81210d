"""`tt.nn.functional` (usually `F`): the stateless form of every registered op.

Each package registers its functional forms with PyTorch's names and arguments
(`F.relu`, `F.cross_entropy` from tt-nn, `F.conv2d` from tt-vision, `F.embedding` from
tt-text); this module shows whichever are installed.
"""

from tt import _views

__getattr__ = _views.view("tt.nn.functional", "functions", "tt_nn.functional")
