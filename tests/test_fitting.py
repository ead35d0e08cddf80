import numpy as np

from interviewer.fitting import leave_files_out, leave_one_file_out


def _score(train: np.ndarray) -> float:
    """A stand-in refit whose score depends on which items it was fitted on (so a mix-up of folds shows)."""
    return float(np.flatnonzero(~train).sum()) / 100.0


def test_folds_in_parallel_score_each_file_as_one_at_a_time_does():
    files = ["a.yaml"] * 3 + ["b.yaml"] * 2 + ["c.yaml"] * 4
    serial = leave_one_file_out(files, _score, jobs=1)
    parallel = leave_one_file_out(files, _score, jobs=2)
    assert serial == parallel
    assert serial == {"a.yaml": 0.03, "b.yaml": 0.07, "c.yaml": 0.26, "mean": 0.12}


def test_grouped_folds_score_each_file_with_a_model_fitted_without_it():
    files = ["a.yaml"] * 3 + ["b.yaml"] * 2 + ["c.yaml"] * 4 + ["d.yaml"] * 1
    names = np.array(files)
    seen: list[set[str]] = []

    def hits(train: np.ndarray) -> np.ndarray:
        # Right on an item when its index is even; also records which files each fit left out.
        seen.append(set(names[~train]))
        return np.flatnonzero(~train) % 2 == 0

    grouped = leave_files_out(files, hits, folds=2, jobs=1)
    assert sorted(map(sorted, seen)) == [["a.yaml", "c.yaml"], ["b.yaml", "d.yaml"]]  # two fits, round robin
    # a: items 0-2 -> 2/3 right; b: 3-4 -> 1/2; c: 5-8 -> 2/4; d: 9 -> 0/1
    assert grouped == {"a.yaml": 0.667, "b.yaml": 0.5, "c.yaml": 0.5, "d.yaml": 0.0, "mean": 0.417}
    # A fold per file gives the same per-file figures here, as leave_one_file_out would.
    assert leave_files_out(files, hits, folds=10, jobs=1) == grouped
