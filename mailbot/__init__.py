"""mailbot: polite drafts for LinkedIn-style connection requests. It never sends."""

__version__ = "0.1.0"
