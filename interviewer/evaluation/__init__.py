"""The offline eval suite: labeled data in evals/, metrics, thresholds, reports."""
