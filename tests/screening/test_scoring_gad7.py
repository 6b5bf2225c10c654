"""GAD-7 (DESIGN.md §5): total 0–21, bands 0–4 / 5–9 / 10–14 / 15–21."""

import pytest

from tests.screening.conftest import in_order, scored, spread


@pytest.mark.parametrize(
    "total,band,severity",
    [
        (0, "minimal", "none"),
        (4, "minimal", "none"),
        (5, "mild", "mild"),
        (9, "mild", "mild"),
        (10, "moderate", "moderate"),
        (14, "moderate", "moderate"),
        (15, "severe", "severe"),
        (21, "severe", "severe"),
    ],
)
def test_every_band_boundary(gad7, total, band, severity):
    result = scored(gad7, in_order(spread(total, 7, 3)))

    assert (result.complete, result.total, result.band.code, result.severity) == (True, total, band, severity)


def test_exactly_5_is_mild_not_minimal(gad7):
    # The trap the README warns of: 5 belongs to the higher band.
    result = scored(gad7, in_order([1, 1, 1, 1, 1, 0, 0]))

    assert (result.total, result.band.code) == (5, "mild")


def test_gad7_has_no_item_flags(gad7):
    assert scored(gad7, in_order([3] * 7)).flags == ()


def test_every_item_is_required(gad7):
    result = scored(gad7, in_order([1, 1, 1, 1, 1, 1]))

    assert [(error.item, error.code) for error in result.errors] == [(7, "missing")]


def test_an_eighth_answer_is_refused(gad7):
    result = scored(gad7, in_order([0] * 8))

    assert [(error.item, error.code) for error in result.errors] == [(8, "unknown_item")]
    assert result.errors[0].message == "没有第 8 题（GAD-7 共 7 题）"
