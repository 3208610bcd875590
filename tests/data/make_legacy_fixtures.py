"""Write the fixtures of tests/test_legacy_pickles.py with an older skmlp.

Run with the release whose files must keep loading on the path, e.g.::

    git archive fef606f skmlp | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python tests/data/make_legacy_fixtures.py tests/data

It writes a pickled fitted classifier and regressor with their predictions
(``legacy_models.pkl``), and the checkpoint of a fit stopped by an error
after its second epoch (``legacy_checkpoint.pkl``, of the first format,
which this release refuses by name).
"""

import os
import pickle
import shutil
import sys
import warnings

import numpy as np
from sklearn.datasets import load_iris

import skmlp
from skmlp import MLPClassifier, MLPRegressor
from skmlp.callback import Checkpoint

#: The fit of the checkpoint fixture (early stopping, so that the record
#: carries the best weights too).
CHECKPOINTED = dict(
    hidden_layer_sizes=(8,), max_iter=4, batch_size=50, early_stopping=True, random_state=0
)


class _StopAfterEpoch:
    """Raise after the given epoch, as a process dying there would leave the file."""

    def __init__(self, epoch):
        self.epoch = epoch

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "epoch" and fitted_estimator is not None:
            if fitted_estimator.n_iter_ == self.epoch:
                raise RuntimeError("stopped")


def data():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def main(folder):
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier = MLPClassifier((5,), max_iter=5, early_stopping=True, random_state=0).fit(X, y)
        regressor = MLPRegressor(
            (4,), max_iter=3, learning_rate="cosine", solver="sgd", random_state=0
        ).fit(X, X[:, 0])
        models = {
            "version": skmlp.__version__,
            "classifier": classifier,
            "classifier_proba": classifier.predict_proba(X),
            "regressor": regressor,
            "regressor_predict": regressor.predict(X),
        }
        with open(os.path.join(folder, "legacy_models.pkl"), "wb") as file:
            pickle.dump(models, file, protocol=5)

        path = os.path.join(folder, "legacy_checkpoint.pkl")
        stopped = MLPClassifier(**CHECKPOINTED).set_callbacks(
            Checkpoint(path), _StopAfterEpoch(2)
        )
        try:
            stopped.fit(X, y)
        except RuntimeError:
            pass


if __name__ == "__main__":
    main(sys.argv[1])
