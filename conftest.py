"""Test-wide settings: every test and notebook runs from the recordings, without waiting.

Set before any kernel starts, so nbval's notebook kernels inherit them too. A developer's own
API key never makes the suite go live.
"""

import os

os.environ["COURSE_MODE"] = "replay"
os.environ["COURSE_REPLAY_SPEED"] = "0"
os.environ.pop("COURSE_FIXTURES", None)
os.environ.pop("COURSE_MODEL", None)
os.environ.pop("COURSE_FAULT", None)
