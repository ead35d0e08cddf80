import numpy as np

from interviewer.fitting import leave_one_file_out


def _score(train: np.ndarray) -> float:
    """A stand-in refit whose score depends on which items it was fitted on (so a mix-up of folds shows)."""
    return float(np.flatnonzero(~train).sum()) / 100.0


def test_folds_in_parallel_score_each_file_as_one_at_a_time_does():
    files = ["a.yaml"] * 3 + ["b.yaml"] * 2 + ["c.yaml"] * 4
    serial = leave_one_file_out(files, _score, jobs=1)
    parallel = leave_one_file_out(files, _score, jobs=2)
    assert serial == parallel
    assert serial == {"a.yaml": 0.03, "b.yaml": 0.07, "c.yaml": 0.26, "mean": 0.12}
