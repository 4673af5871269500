"""Benchmarks for the course pack: replay overhead, pacing fidelity, test-suite time.

Run ``python -m benchmarks`` from the repository root; timings live here, never in the tests.
"""
