"""Fashion-MNIST from its original files, read offline.

scikit-learn's ``fetch_openml`` downloads; this reader only reads the four
gzipped IDX files that Debian's ``dataset-fashion-mnist`` package installs
(or that Zalando publishes), wherever they are.
"""

import gzip
from pathlib import Path

import numpy as np

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

_FILE_PREFIX = {"train": "train", "test": "t10k"}


def read_idx(path):
    """The array of unsigned bytes stored in a gzipped IDX file.

    An IDX file is a big-endian header (two zero bytes, the type code 0x08
    for unsigned bytes, the number of dimensions, then one 32-bit size per
    dimension) followed by the values.

    Parameters
    ----------
    path : str or path-like
        The gzipped file.

    Returns
    -------
    array : ndarray of uint8, read-only
        Of the shape its header gives.

    Raises
    ------
    ValueError
        If the file is no IDX file of unsigned bytes, or its size is wrong.

    See Also
    --------
    load_fashion_mnist : Fashion-MNIST from its IDX files.

    Examples
    --------
    >>> import gzip, os, tempfile
    >>> from skmlp.datasets import read_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny-idx2-ubyte.gz")
    >>> with gzip.open(path, "wb") as f:
    ...     _ = f.write(bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]))
    >>> read_idx(path)
    array([[1, 2, 3],
           [4, 5, 6]], dtype=uint8)
    """
    with gzip.open(path, "rb") as f:
        raw = f.read()
    shape = _idx_shape(raw, path)
    values = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * len(shape))
    if values.size != np.prod(shape):
        raise ValueError(f"{path} holds {values.size} values; its header says {shape}.")
    return values.reshape(shape)


def _idx_shape(raw, path):
    """The shape in the header of an IDX file of unsigned bytes."""
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes.")
    ndim = raw[3]
    return tuple(int(size) for size in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))


def load_fashion_mnist(subset="train", *, data_home=None):
    """Fashion-MNIST images as rows of 784 pixel values, and their labels.

    Zalando's 70,000 grey images of 28x28 pixels in 10 classes of clothing
    (Xiao et al., 2017), read from the gzipped IDX files of its release.

    Parameters
    ----------
    subset : {'train', 'test'}, default='train'
        The 60,000 training images or the 10,000 test images.
    data_home : str or path-like, default=None
        The folder of the gzipped IDX files; None is where Debian's
        ``dataset-fashion-mnist`` package puts them,
        ``/usr/share/datasets/fashion-mnist``.

    Returns
    -------
    X : ndarray of shape (n_images, 784), dtype=uint8
        Grey levels 0 (background) to 255, row by row of each 28x28 image.
    y : ndarray of shape (n_images,), dtype=uint8
        Class indices into ``FASHION_MNIST_CLASSES``.

    Raises
    ------
    FileNotFoundError
        If the files are not in ``data_home``; nothing is downloaded.

    See Also
    --------
    read_idx : Read one IDX file.

    Examples
    --------
    >>> from skmlp.datasets import load_fashion_mnist
    >>> X, y = load_fashion_mnist("test")  # doctest: +SKIP
    >>> X.shape, y.shape  # doctest: +SKIP
    ((10000, 784), (10000,))
    """
    if subset not in _FILE_PREFIX:
        raise ValueError(f"subset must be 'train' or 'test'; got {subset!r}.")
    folder = FASHION_MNIST_DIR if data_home is None else Path(data_home)
    images, labels = _read_images_and_labels(folder, _FILE_PREFIX[subset])
    return images.reshape(len(images), -1), labels


def _read_images_and_labels(folder, prefix):
    """The images and labels of the IDX files named ``prefix-...`` in ``folder``."""
    paths = [folder / f"{prefix}-{kind}-idx{ndim}-ubyte.gz"
             for kind, ndim in (("images", 3), ("labels", 1))]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found. Install Debian's dataset-fashion-mnist package, "
                "or pass data_home, the folder of Fashion-MNIST's gzipped IDX files."
            )
    images, labels = (read_idx(path) for path in paths)
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise ValueError(
            f"{folder} holds images of shape {images.shape} and labels of shape "
            f"{labels.shape}; expected (n, 28, 28) and (n,)."
        )
    return images, labels
