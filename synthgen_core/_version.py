"""The package version, on the lowest floor so any module can read it without a loop.

``pyproject.toml`` writes the same number; ``tests/core/test_public_api.py`` holds the two
together.
"""

__version__ = "0.1.0"
