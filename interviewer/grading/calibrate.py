"""Fit the level model on a labeled set: `python -m interviewer.grading.calibrate LABELS.yaml --out rubrics/levels.json`.

Ridge regression (scikit-learn) from evidence properties to the annotated level, with
leave-one-transcript-out figures stored beside the weights, so the claim travels with the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import yaml

from ..corpus import DIMENSIONS
from ..importers import load_transcript
from .features import dimension_features, names, vector
from .injection import sanitize

ALPHA = 3.0
THRESHOLDS = [1.5, 2.5, 3.5]


def dataset(labels_file: Path) -> tuple[np.ndarray, np.ndarray, list[str], str]:
    data = yaml.safe_load(labels_file.read_text(encoding="utf-8"))
    root = labels_file.parent
    X, y, groups = [], [], []
    digest = hashlib.sha256()
    for item in data["items"]:
        path = root / item["file"]
        digest.update(path.read_bytes())
        t = load_transcript(path)
        texts = [(i, sanitize(turn.text)[0]) for i, turn in t.candidate_turns()]
        for d in DIMENSIONS:
            X.append(vector(d, dimension_features(d, texts)))
            y.append(item["scores"][d])
            groups.append(item["id"])
    return np.array(X), np.array(y, dtype=float), groups, digest.hexdigest()[:16]


def fit(X: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ == 0, 1.0, scaler.scale_)
    model = Ridge(alpha=ALPHA).fit((X - scaler.mean_) / scale, y)
    return scaler.mean_, scale, model


def loo(X: np.ndarray, y: np.ndarray, groups: list[str]) -> dict:
    from ..evaluation.metrics import quadratic_kappa, within_one

    preds = np.zeros(len(y))
    for held in sorted(set(groups)):
        test = np.array([g == held for g in groups])
        mean, scale, model = fit(X[~test], y[~test])
        preds[test] = model.predict((X[test] - mean) / scale)
    levels = [1 + sum(p >= t for t in THRESHOLDS) for p in preds]
    truth = [int(v) for v in y]
    return {"loo_dimension_within_one": round(within_one(truth, levels), 3),
            "loo_quadratic_kappa": round(quadratic_kappa(truth, levels), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m interviewer.grading.calibrate", description=__doc__)
    parser.add_argument("labels", type=Path, help="labels YAML (items with file and scores)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--version", default="levels-1")
    args = parser.parse_args(argv)
    X, y, groups, digest = dataset(args.labels)
    mean, scale, model = fit(X, y)
    out = {
        "version": args.version, "features": names(), "mean": mean.tolist(), "scale": scale.tolist(),
        "coef": model.coef_.tolist(), "intercept": float(model.intercept_), "thresholds": THRESHOLDS,
        "trained_on": {"labels": args.labels.as_posix(), "transcripts": len(set(groups)), "sha256": digest,
                       "alpha": ALPHA, **loo(X, y, groups)},
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out["trained_on"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
