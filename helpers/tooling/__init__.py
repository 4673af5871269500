"""Maintainers' tooling behind ``python -m helpers``: synthesize, check, import and re-record
recordings, and refresh the notebooks' committed outputs."""
