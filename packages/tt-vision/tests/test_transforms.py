"""Transforms: seeded, vectorised over a batch, and the same on one image or a batch."""

import numpy as np
import pytest
import tt_tensor as tt
from tt_vision.transforms import Compose, Normalize, RandomCrop, RandomHorizontalFlip, ToTensor


def batch(n=16, c=2, h=6, w=5):
    return np.random.default_rng(0).random((n, c, h, w)).astype(np.float32)


def test_normalize_per_channel():
    x = batch()
    out = Normalize(mean=[0.5, 0.25], std=[0.5, 2.0])(x)
    np.testing.assert_allclose(out[:, 0], (x[:, 0] - 0.5) / 0.5, rtol=1e-6)
    np.testing.assert_allclose(out[:, 1], (x[:, 1] - 0.25) / 2.0, rtol=1e-6)
    np.testing.assert_allclose(Normalize([0.5, 0.25], [0.5, 2.0])(x[3]), out[3], rtol=1e-6)
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match="Normalize: 3 mean/std values for an input of shape "
                                         r"\(16, 2, 6, 5\) with 2 channels"):
        Normalize([0, 0, 0], [1, 1, 1])(x)
    with pytest.raises(ValueError, match="std must be positive"):
        Normalize([0], [0])


def test_random_crop_picks_windows_of_the_padded_image():
    tt.manual_seed(0)
    x = batch()
    out = RandomCrop((6, 5), padding=2)(x)
    assert out.shape == x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    for i in range(len(x)):  # each output is some window of its own padded image
        windows = np.lib.stride_tricks.sliding_window_view(padded[i], (6, 5), axis=(1, 2))
        assert any(np.array_equal(windows[:, a, b], out[i])
                   for a in range(windows.shape[1]) for b in range(windows.shape[2]))
    # different images got different positions (16 images, 25 positions)
    offsets = {tuple(np.argwhere(np.isin(padded[i, 0], out[i, 0]))[0]) for i in range(len(x))}
    assert len(offsets) > 1


def test_random_crop_without_padding_and_single_image():
    tt.manual_seed(1)
    x = batch(n=1)[0]
    out = RandomCrop(4)(x)
    assert out.shape == (2, 4, 4)
    windows = np.lib.stride_tricks.sliding_window_view(x, (4, 4), axis=(1, 2))
    assert any(np.array_equal(windows[:, a, b], out) for a in range(3) for b in range(2))
    with pytest.raises(ValueError, match=r"RandomCrop: crop size \(9, 9\) is larger than the "
                                         r"padded image \(8, 7\)"):
        RandomCrop(9, padding=1)(x)


def test_random_horizontal_flip():
    tt.manual_seed(0)
    x = batch(n=200)
    out = RandomHorizontalFlip(p=0.5)(x)
    flipped = np.array([np.array_equal(o, xi[..., ::-1]) for o, xi in zip(out, x)])
    kept = np.array([np.array_equal(o, xi) for o, xi in zip(out, x)])
    assert (flipped ^ kept).all()  # every image is either mirrored or unchanged
    assert 70 < flipped.sum() < 130
    np.testing.assert_array_equal(RandomHorizontalFlip(p=1.0)(x), x[..., ::-1])
    np.testing.assert_array_equal(RandomHorizontalFlip(p=0.0)(x), x)


def test_seeded_and_compose():
    augment = Compose([RandomCrop(6, padding=1), RandomHorizontalFlip(), Normalize([0.5], [0.2])])
    x = batch(c=1, h=6, w=6)
    tt.manual_seed(3)
    first = augment(x)
    tt.manual_seed(3)
    np.testing.assert_array_equal(augment(x), first)
    assert not np.array_equal(augment(x), first)  # the next draw differs
    assert "RandomCrop" in repr(augment)


def test_tensors_in_tensors_out_and_bad_shapes():
    out = RandomHorizontalFlip(p=1.0)(tt.Tensor(batch()))
    assert isinstance(out, tt.Tensor) and out.shape == (16, 2, 6, 5)
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip: expected an image \(C, H, W\) or "
                                         r"a batch \(N, C, H, W\), got shape \(6, 5\)"):
        RandomHorizontalFlip()(batch()[0, 0])


def test_torchvision_style_pipeline_on_a_tt_dataset():
    from tt_vision.datasets import TinyDigits

    pipeline = Compose([ToTensor(), Normalize((0.5,), (0.5,))])
    ds = TinyDigits("test", transform=pipeline)
    image, _ = ds[0]
    assert tuple(np.shape(image)) == (1, 8, 8)
    np.testing.assert_allclose(np.asarray(image), (ds.images[0] - 0.5) / 0.5, rtol=1e-6)
    images, _ = ds.__getitems__(np.arange(4))
    assert images.shape == (4, 1, 8, 8)


def test_dataset_applies_its_transform_to_items_and_batches():
    from tt_vision.datasets import TinyDigits

    ds = TinyDigits("test", transform=Normalize([0.5], [0.25]))
    image, _ = ds[0]
    np.testing.assert_allclose(image, (ds.images[0] - 0.5) / 0.25)
    images, _ = ds.__getitems__(np.arange(4))
    np.testing.assert_allclose(images.data, (ds.images[:4] - 0.5) / 0.25)


def test_to_tensor_scales_uint8_and_moves_channels_first():
    hwc = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 10
    out = ToTensor()(hwc)
    assert isinstance(out, tt.Tensor) and out.shape == (4, 2, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, np.moveaxis(hwc, -1, 0) / 255.0, rtol=1e-6)
    grey = ToTensor()(np.full((5, 6), 255, dtype=np.uint8))
    assert grey.shape == (1, 5, 6) and float(grey.data.max()) == 1.0
    floats = ToTensor()(np.full((5, 4, 3), 7.5))  # float (H, W, C): moved, not scaled
    assert floats.shape == (3, 5, 4) and float(floats.data[0, 0, 0]) == 7.5
    # tt's data sets give float (C, H, W) images and (N, C, H, W) batches: kept as they are.
    chw = np.random.default_rng(0).random((3, 8, 8)).astype(np.float32)
    np.testing.assert_array_equal(ToTensor()(chw).data, chw)
    assert ToTensor()(np.stack([chw, chw])).shape == (2, 3, 8, 8)
    assert ToTensor()(np.zeros((4, 10, 10, 3), dtype=np.uint8)).shape == (4, 3, 10, 10)
    with pytest.raises(ValueError, match=r"ToTensor: expected an image"):
        ToTensor()(np.zeros(3))


def test_random_crop_torchvision_arguments():
    tt.manual_seed(0)
    x = batch(n=4, c=1, h=4, w=4)
    # (left/right, top/bottom) padding with a fill value: every crop of size 4 stays 4x4.
    out = RandomCrop(4, padding=(1, 2), fill=9.0)(x)
    assert out.shape == (4, 1, 4, 4)
    assert set(np.unique(out)) - set(np.unique(x)) <= {9.0}
    # pad_if_needed grows a small image up to the crop size.
    assert RandomCrop((6, 7), pad_if_needed=True)(x).shape == (4, 1, 6, 7)
    # reflect padding only ever shows values of the image.
    reflected = RandomCrop(4, padding=2, padding_mode="reflect")(x)
    assert set(np.unique(reflected)) <= set(np.unique(x))
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        RandomCrop(4, padding_mode="wrap")
    assert Normalize([0.5], [0.5], inplace=True)(x).shape == x.shape
