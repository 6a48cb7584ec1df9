"""Page ranges: reader/citations/pages.py."""

import pytest

from reader.citations import expand_page_range, split_pages


@pytest.mark.parametrize(
    "given, expected",
    [
        ("152-77", "152-177"),
        ("4163-9", "4163-4169"),
        ("1045-51", "1045-1051"),
        ("309-14", "309-314"),
        ("3976-85", "3976-3985"),
        ("4508-10", "4508-4510"),
        ("163-71", "163-171"),
        ("1099-103", "1099-1103"),
        ("152-177", "152-177"),
        ("152–77", "152-177"),
        ("152 -- 77", "152-177"),
        ("S12-5", "S12-S15"),
        ("152", "152"),
        ("e1234", "e1234"),
        ("xii-xv", "xii-xv"),
        ("", ""),
    ],
)
def test_expand_page_range(given, expected):
    assert expand_page_range(given) == expected


def test_split_pages():
    assert split_pages("152-77") == ("152", "177")
    assert split_pages("152") == ("152", "")
