"""Automatic exercise checks, one module per lesson, over shared machinery in ``common``."""
