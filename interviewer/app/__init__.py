"""The terminal app (textual)."""
