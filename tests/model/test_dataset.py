from __future__ import annotations

import pytest

from casegraph.errors import InvalidInputError
from casegraph.model.dataset import DatasetMeta, check_retention

LABELS = ("PUBLIC", "INTERNAL", "RESTRICTED")


def test_marking_is_normalised_and_checked_against_configured_labels() -> None:
    meta = DatasetMeta(name="leak", title="Leak", marking="restricted").validated(LABELS)
    assert meta.marking == "RESTRICTED"
    with pytest.raises(InvalidInputError, match="configured markings are PUBLIC, INTERNAL"):
        DatasetMeta(name="leak", title="Leak", marking="SECRET").validated(LABELS)


@pytest.mark.parametrize("name", ["Leak", "has space", "", "-x", "a" * 129])
def test_bad_dataset_names_are_refused_with_the_rule(name: str) -> None:
    with pytest.raises(InvalidInputError, match="invalid dataset name"):
        DatasetMeta(name=name, title="t", marking="PUBLIC").validated(LABELS)


@pytest.mark.parametrize("value", ["P5Y", "P18M", "P90D", "P1Y6M", "indefinite", None])
def test_retention_accepts_iso_periods(value: str | None) -> None:
    assert check_retention(value) == value


@pytest.mark.parametrize("value", ["5 years", "P", "PT5H", "P5X"])
def test_retention_refuses_other_text(value: str) -> None:
    with pytest.raises(InvalidInputError, match="ISO 8601 period"):
        check_retention(value)
