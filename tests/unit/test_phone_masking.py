"""Issue 16, finding 8: numbers as people write them are masked where others read the text."""

import pytest

from aduan.logic.phone import mask


@pytest.mark.parametrize("written", [
    "(024) 355-1234", "0812 - 3456 - 7890", "+62 812.3456.7890", "62-812-3456-7890", "081234567890",
    "0812-3456-7890", "3374012345678901",
])
def test_phone_numbers_as_written_are_masked(written: str) -> None:
    assert mask(f"Hubungi {written} ya.", "[x]") == "Hubungi [x] ya."


@pytest.mark.parametrize("text", [
    "Jam 10.00 - 12.00 listrik padam", "RT 03 RW 05 no 12", "Rp 1.500.000 hilang", "Tahun 2026 banjir lagi",
])
def test_other_numbers_stay_readable(text: str) -> None:
    assert mask(text, "[x]") == text
