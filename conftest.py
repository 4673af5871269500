"""Test-wide settings: every test and notebook runs from the recordings, without waiting.

Set before any kernel starts, so nbval's notebook kernels inherit them too. A developer's own
API key or course settings never make the suite go live or change what it compares.
"""

import os

from helpers.config import reproducible_environment

reproducible_environment(os.environ)  # type: ignore[arg-type]
