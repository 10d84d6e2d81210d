"""make_grid and save_image: torchvision's layout, and a clear error without matplotlib."""

import builtins

import numpy as np
import pytest
import tt_tensor as tt
from tt_vision.utils import make_grid, save_image


def test_grid_layout():
    images = np.stack([np.full((3, 2, 3), i, dtype=np.float32) for i in range(5)])
    grid = make_grid(images, nrow=2, padding=1, pad_value=-1)
    assert isinstance(grid, tt.Tensor)
    assert grid.shape == (3, 3 * (2 + 1) + 1, 2 * (3 + 1) + 1)   # 3 rows of 2 cells
    g = grid.data
    for k in range(5):  # image k sits in row k // 2, column k % 2
        top, left = 1 + (k // 2) * 3, 1 + (k % 2) * 4
        np.testing.assert_array_equal(g[:, top:top + 2, left:left + 3], k)
    assert (g[:, 7:9, 5:8] == -1).all()  # the sixth cell is empty
    assert (g[:, 0, :] == -1).all() and (g[:, :, 0] == -1).all()


def test_grid_grey_normalize_and_single_image():
    grey = np.arange(2 * 1 * 2 * 2, dtype=np.float32).reshape(2, 1, 2, 2)
    grid = make_grid(grey, padding=0, normalize=True).data
    assert grid.shape == (3, 2, 4)
    assert grid.min() == 0.0 and grid.max() == 1.0
    each = make_grid(grey, padding=0, normalize=True, scale_each=True).data
    assert each[:, :, :2].max() == 1.0 and each[:, :, 2:].min() == 0.0
    assert make_grid(np.zeros((3, 4, 5))).shape == (3, 4, 5)
    with pytest.raises(ValueError, match=r"make_grid: expected images"):
        make_grid(np.zeros((1, 1, 1, 2, 2)))


def test_save_image_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib import image as mpl_image

    images = np.random.default_rng(0).random((4, 3, 5, 6)).astype(np.float32)
    path = tmp_path / "grid.png"
    save_image(tt.tensor(images), path, nrow=2, padding=2)
    pixels = mpl_image.imread(path)
    assert pixels.shape[:2] == (2 * 7 + 2, 2 * 8 + 2)
    np.testing.assert_allclose(pixels[2:7, 2:8, :3], images[0].transpose(1, 2, 0), atol=1 / 255 + 1e-6)


def test_save_image_without_matplotlib_says_what_to_install(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"pip install 'tt-vision\[plot\]'"):
        save_image(np.zeros((1, 3, 2, 2)), tmp_path / "x.png")
