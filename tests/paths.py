"""Where the repository's parts are, for tests in any folder."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
NOTEBOOKS = ROOT / "notebooks"
