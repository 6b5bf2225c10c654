"""PHQ-9 (DESIGN.md §5): total 0–27 over items 1–9, bands 0–4 / 5–9 / 10–14 / 15–19 / 20–27, item 9 ≥ 1
flagged whatever the total, item 9 required, item 10 (difficulty) asked but never scored."""

import pytest

from tests.screening.conftest import flag_codes, in_order, scored, spread


def phq9_vector(total: int, item9: int = 0, item10: int | None = None) -> dict:
    answers = in_order([*spread(total - item9, 8, 3), item9])
    if item10 is not None:
        answers[10] = item10
    return answers


@pytest.mark.parametrize(
    "total,band,severity",
    [
        (0, "minimal", "none"),
        (4, "minimal", "none"),
        (5, "mild", "mild"),
        (9, "mild", "mild"),
        (10, "moderate", "moderate"),
        (14, "moderate", "moderate"),
        (15, "moderately_severe", "moderately_severe"),
        (19, "moderately_severe", "moderately_severe"),
        (20, "severe", "severe"),
        (24, "severe", "severe"),
    ],
)
def test_every_band_boundary(phq9, total, band, severity):
    result = scored(phq9, phq9_vector(total))

    assert (result.complete, result.total, result.indices, result.band.code, result.severity) == (
        True,
        total,
        {"total": total},
        band,
        severity,
    )
    assert result.flags == ()


def test_the_highest_total_is_27_and_severe_and_flagged(phq9):
    result = scored(phq9, in_order([3] * 9))

    assert (result.total, result.band.code, flag_codes(result)) == (27, "severe", {"suicidal_ideation"})


@pytest.mark.parametrize("total", [5, 10, 15, 20])
def test_a_boundary_total_falls_in_the_higher_band_however_it_is_reached(phq9, total):
    front = scored(phq9, phq9_vector(total))
    back = scored(phq9, in_order(list(reversed(spread(total, 9, 3)))))

    assert front.total == back.total == total
    assert front.band == back.band
    assert front.band.min == total


def test_item_9_alone_is_total_1_minimal_and_flagged(phq9):
    result = scored(phq9, in_order([0, 0, 0, 0, 0, 0, 0, 0, 1]))

    assert (result.complete, result.total, result.band.code, result.severity) == (True, 1, "minimal", "none")
    assert [(flag.code, flag.item, flag.red_flag) for flag in result.flags] == [("suicidal_ideation", 9, True)]
    assert result.red_flag


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_item_9_is_flagged_whatever_the_total(phq9, item9):
    for total in (item9, 12, 20 + item9):
        result = scored(phq9, phq9_vector(total, item9=item9))
        assert result.total == total
        assert flag_codes(result) == {"suicidal_ideation"}


def test_item_9_at_0_is_never_flagged(phq9):
    result = scored(phq9, phq9_vector(24, item9=0))

    assert (result.total, result.band.code, result.flags) == (24, "severe", ())


def test_item_10_is_asked_but_never_scored(phq9):
    without = scored(phq9, phq9_vector(7))
    with_worst = scored(phq9, phq9_vector(7, item10=3))

    assert without.complete and with_worst.complete
    assert (without.total, without.band) == (with_worst.total, with_worst.band) == (7, without.band)


def test_item_9_is_required(phq9):
    answers = phq9_vector(3)
    del answers[9]

    result = scored(phq9, answers)

    assert (result.complete, result.total, result.band, result.severity) == (False, None, None, None)
    assert [(error.item, error.code) for error in result.errors] == [(9, "missing")]
    assert "第 9 题" in result.errors[0].message


def test_item_9_is_flagged_even_when_other_answers_are_missing(phq9):
    result = scored(phq9, {9: 2})

    assert not result.complete
    assert {error.item for error in result.errors} == set(range(1, 9))
    assert flag_codes(result) == {"suicidal_ideation"}


def test_an_answer_outside_the_options_names_the_item(phq9):
    answers = phq9_vector(3)
    answers[4] = 4

    result = scored(phq9, answers)

    assert [(error.item, error.code) for error in result.errors] == [(4, "invalid")]
    assert "第 4 题" in result.errors[0].message and "“4”" in result.errors[0].message


def test_option_codes_as_text_or_numbers_score_the_same(phq9):
    as_numbers = phq9_vector(11, item9=1)
    as_text = {number: str(value) for number, value in as_numbers.items()}

    assert scored(phq9, as_numbers) == scored(phq9, as_text)
