"""mockinterview: a terminal-first mock interview coach for data-science candidates."""

__version__ = "0.1.0"
