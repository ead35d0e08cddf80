"""The grader: rubric as data, evidence extracted and verified, levels by rule, LP mapping, vote, reports."""
