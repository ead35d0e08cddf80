"""The interviewer: signals in an answer -> planner decision -> retrieved probes -> phrased follow-up."""
