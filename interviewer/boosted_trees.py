"""A gradient-boosted tree ensemble as plain numbers, so a fitted model ships as JSON data and scores
with numpy alone (no pickle, no sklearn version coupling at run time).

Exported from sklearn's HistGradientBoostingClassifier (binary): its raw score is the baseline plus
the value of the leaf each tree sends the row to; a row goes left when its feature is <= the node's
threshold. The leaf values already carry the learning rate. Rows must be finite: the export drops
sklearn's rule for missing values, and `raw` refuses NaN rather than guess.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, PrivateAttr, model_validator


class Tree(BaseModel):
    """Nodes in sklearn's order (0 is the root). A leaf has feature -1 and left = right = itself."""

    feature: list[int]
    threshold: list[float]
    left: list[int]
    right: list[int]
    value: list[float]

    @model_validator(mode="after")
    def _same_length(self) -> Tree:
        n = len(self.feature)
        if not n or any(len(x) != n for x in (self.threshold, self.left, self.right, self.value)):
            raise ValueError("a tree's node arrays must be non-empty and of one length")
        return self


class BoostedTrees(BaseModel):
    baseline: float
    trees: list[Tree]
    _padded: tuple | None = PrivateAttr(default=None)  # the trees as padded arrays, built on first use

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The ensemble's log-odds for each row of X (rows x features)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if not np.isfinite(X).all():
            raise ValueError("boosted trees score finite rows only")
        feature, threshold, left, right, value = self._arrays()
        rows, t = np.arange(len(X))[:, None], np.arange(len(self.trees))[None, :]
        node = np.zeros((len(X), len(self.trees)), dtype=int)
        for _ in range(feature.shape[1]):  # no path is longer than a tree's nodes; a leaf points at itself
            f = feature[t, node]
            if (f < 0).all():
                break
            goes_left = X[rows, np.maximum(f, 0)] <= threshold[t, node]
            node = np.where(goes_left, left[t, node], right[t, node])
        return self.baseline + value[t, node].sum(axis=1)

    def _arrays(self):
        if self._padded is None:
            width = max(len(tree.feature) for tree in self.trees)

            def pad(name, fill):
                return np.array([getattr(tree, name) + [fill] * (width - len(tree.feature)) for tree in self.trees])

            self._padded = (pad("feature", -1), pad("threshold", 0.0), pad("left", 0), pad("right", 0),
                            pad("value", 0.0))
        return self._padded

    @classmethod
    def from_sklearn(cls, model) -> BoostedTrees:
        """Export a fitted binary HistGradientBoostingClassifier (numerical features only)."""
        if getattr(model, "n_trees_per_iteration_", 1) != 1:
            raise ValueError("only a binary classifier exports")
        trees = []
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits do not export")
            leaf = nodes["is_leaf"].astype(bool)
            own = np.arange(len(nodes))
            trees.append(Tree(
                feature=np.where(leaf, -1, nodes["feature_idx"]).astype(int).tolist(),
                threshold=np.where(leaf, 0.0, nodes["num_threshold"]).astype(float).tolist(),
                left=np.where(leaf, own, nodes["left"]).astype(int).tolist(),
                right=np.where(leaf, own, nodes["right"]).astype(int).tolist(),
                value=np.where(leaf, nodes["value"], 0.0).astype(float).tolist()))
        return cls(baseline=float(np.ravel(model._baseline_prediction)[0]), trees=trees)
