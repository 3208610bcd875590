import gzip
import struct

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skmlp.datasets import FASHION_MNIST_DIR, load_fashion_mnist, read_idx


def write_idx(path, array, type_code=0x08):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def tiny_fashion(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 0, 9, 9, 1], dtype=np.uint8)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels)
    return tmp_path, images, labels


def test_reads_images_as_rows_of_pixels(tiny_fashion):
    folder, images, labels = tiny_fashion
    X, y = load_fashion_mnist("test", data_home=folder)
    assert X.shape == (5, 784) and X.dtype == np.uint8
    assert_array_equal(X[2].reshape(28, 28), images[2])  # row by row
    assert_array_equal(y, labels)


def test_missing_files_name_the_path_and_the_package(tiny_fashion):
    folder, _, _ = tiny_fashion
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz not found. Install "
                       "Debian's dataset-fashion-mnist package"):
        load_fashion_mnist("train", data_home=folder)


def test_bad_subset_is_refused():
    with pytest.raises(ValueError, match="subset must be 'train' or 'test'; got 'valid'"):
        load_fashion_mnist("valid")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x00\x0d\x01\x00\x00\x00\x01" + b"\x00" * 4, "not an IDX file of unsigned bytes"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x05" + b"\x01\x02", "holds 2 values; its header says"),
    ],
    ids=["float-type-code", "truncated"],
)
def test_malformed_files_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as f:
        f.write(content)
    with pytest.raises(ValueError, match=message):
        read_idx(path)


def test_labels_must_match_images(tmp_path):
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((4, 28, 28)))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(3))
    with pytest.raises(ValueError, match="expected \\(n, 28, 28\\) and \\(n,\\)"):
        load_fashion_mnist("test", data_home=tmp_path)


@pytest.mark.skipif(not FASHION_MNIST_DIR.is_dir(), reason="dataset-fashion-mnist not installed")
def test_the_installed_files():
    X, y = load_fashion_mnist("test")
    assert X.shape == (10_000, 784)
    assert_array_equal(np.bincount(y), np.full(10, 1_000))  # balanced classes
    assert X.max() == 255 and X.min() == 0
