from tests.ingest.pipeline.conftest import mapping_file

__all__ = ["mapping_file"]


import pytest

from casegraph.cli import state as cli_state


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as on a wide terminal, so assertions see whole cells."""
    monkeypatch.setattr(cli_state.out, "width", 240)
    monkeypatch.setattr(cli_state.err, "width", 240)
