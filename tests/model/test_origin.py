from __future__ import annotations

from urllib.parse import quote, urlencode

from hypothesis import given
from hypothesis import strategies as st

from casegraph.model.origin import Origin


def test_file_origin_reads_back_with_sheet_row_and_line() -> None:
    origin = Origin(file="data/pay ments.xlsx", sheet="Bank A & B", row=12, line=14)
    text = origin.render()
    assert Origin.parse(text) == origin
    assert origin.describe() == "data/pay ments.xlsx, sheet Bank A & B, row 12 (line 14)"


def test_url_origin_is_kept_verbatim() -> None:
    origin = Origin(url="https://example.org/registry?id=5")
    assert Origin.parse(origin.render()) == origin


@given(
    file=st.text(min_size=1).filter(lambda s: s.strip() != ""),
    sheet=st.none() | st.text(),
    row=st.none() | st.integers(min_value=1, max_value=10**9),
)
def test_any_file_origin_round_trips(file: str, sheet: str | None, row: int | None) -> None:
    origin = Origin(file=file, sheet=sheet, row=row)
    assert Origin.parse(origin.render()) == origin


@given(
    file=st.none() | st.text(max_size=20),
    sheet=st.none() | st.text(max_size=10),
    row=st.none() | st.integers(1, 10**9),
    line=st.none() | st.integers(1, 10**9),
)
def test_render_equals_the_urlencoded_reference_form(
    file: str | None, sheet: str | None, row: int | None, line: int | None
) -> None:
    """The fast path for file-and-row origins writes exactly the general form."""
    parts = [
        (k, str(v)) for k, v in (("sheet", sheet), ("row", row), ("line", line)) if v is not None
    ]
    reference = "file:" + quote(file or "", safe="/._-")
    if parts:
        reference += "#" + urlencode(parts)
    assert Origin(file=file, sheet=sheet, row=row, line=line).render() == reference
