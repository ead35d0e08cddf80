import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from interviewer.boosted_trees import BoostedTrees, Tree


def _fitted(seed: int = 0, **params):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(1500, 10))
    X[:, 3] = rng.integers(0, 2, len(X))  # a one-hot-like column, as the choice rows have
    y = X[:, 0] + X[:, 3] * X[:, 1] - 0.5 * X[:, 2] ** 2 + rng.normal(size=len(X)) > 0
    return HistGradientBoostingClassifier(random_state=0, **params).fit(X, y), rng


@pytest.mark.parametrize("params", [{"max_iter": 40, "max_depth": 3}, {"max_iter": 25, "max_depth": None,
                                                                           "max_leaf_nodes": 9}])
def test_exported_trees_score_as_sklearn_does_after_a_round_trip_through_json(params):
    model, rng = _fitted(**params)
    trees = BoostedTrees.model_validate_json(BoostedTrees.from_sklearn(model).model_dump_json())
    X = rng.normal(size=(400, 10))
    X[:, 3] = rng.integers(0, 2, len(X))
    assert len(trees.trees) == params["max_iter"]
    np.testing.assert_allclose(trees.raw(X), model.decision_function(X), rtol=0, atol=1e-9)
    # Exactly on a threshold a row goes left, as sklearn sends it.
    node = trees.trees[0]
    row = X[:1].copy()
    row[0, node.feature[0]] = node.threshold[0]
    np.testing.assert_allclose(trees.raw(row), model.decision_function(row), atol=1e-9)


def test_trees_refuse_rows_they_cannot_score_and_malformed_nodes():
    model, _ = _fitted(max_iter=5, max_depth=2)
    trees = BoostedTrees.from_sklearn(model)
    with pytest.raises(ValueError, match="finite"):
        trees.raw(np.full((1, 10), np.nan))
    with pytest.raises(ValueError, match="one length"):
        Tree(feature=[0, -1], threshold=[0.5], left=[1, 1], right=[1, 1], value=[0.0, 1.0])
