"""Nothing the pack ships carries a credential: fixtures, specs, notebooks and their outputs."""

import pytest
from paths import ROOT

from helpers.replay import recording_file
from helpers.replay.scrub import find_secrets, is_secret_header

SHIPPED = sorted(
    [
        *ROOT.glob("fixtures/**/*.json"),
        *ROOT.glob("fixtures/**/*.toml"),
        *ROOT.glob("notebooks/**/*.ipynb"),
        *ROOT.glob("notebooks/**/*.py"),
    ]
)


def test_there_is_something_to_scan():
    assert any(p.suffix == ".ipynb" for p in SHIPPED) and any(p.suffix == ".json" for p in SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_credential_in_shipped_file(path):
    assert find_secrets(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", sorted(ROOT.glob("fixtures/*.json")), ids=lambda p: p.name)
def test_no_secret_header_in_a_recording(path):
    for exchange in recording_file.load(path).exchanges:
        assert not [name for name in exchange.response.headers if is_secret_header(name)]
