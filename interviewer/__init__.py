"""interviewer: a mock Bar Raiser for Amazon TPM interviews."""

__version__ = "0.1.0"
