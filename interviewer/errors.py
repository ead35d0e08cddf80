"""Errors the CLI turns into one clear line and an exit code (DESIGN.md contracts)."""


class InterviewerError(Exception):
    """Base: carries the exit code the CLI should use."""

    exit_code = 1


class UserError(InterviewerError):
    """Bad input or usage: exit 2."""

    exit_code = 2


class BackendError(InterviewerError):
    """A backend call failed after retries (timeouts, 5xx); callers may fall back."""

    exit_code = 3


class BackendUnavailable(BackendError):
    """A backend that cannot be reached or loaded: exit 3. The message names the fix."""

    exit_code = 3


class StructuredOutputError(InterviewerError):
    """The model did not produce output matching the schema after the allowed retries."""

    exit_code = 3
