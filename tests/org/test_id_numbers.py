import pytest
from django.core.exceptions import ValidationError

from tests.factories import StudentFactory
from xinyu.common import crypto
from xinyu.org.id_numbers import birth_date_from_id_number, check_digit, mask_id_number, normalise_id_number

# Published GB 11643 examples: the check digit of 11010519491231002 is X, of 44052418800101001 is 4.
VALID = ["11010519491231002X", "440524188001010014"]


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers(number):
    assert normalise_id_number(number) == number
    assert check_digit(number[:17]) == number[17]


def test_lower_case_x_and_spaces_are_normalised():
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    "number",
    ["110105194912310021", "11010519491231002", "1101051949123100211", "A1010519491231002X", "110105194913310028"],
)
def test_invalid_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        normalise_id_number(number)


def test_mask_and_birth_date():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert str(birth_date_from_id_number("11010519491231002X")) == "1949-12-31"


@pytest.mark.django_db
def test_stored_encrypted_searchable_by_keyed_digest_and_shown_masked():
    student = StudentFactory()
    student.set_id_number("11010519491231002X")
    student.save()
    student.refresh_from_db()
    assert "11010519491231002X" not in student.id_number_ciphertext
    assert student.reveal_id_number() == "11010519491231002X"
    assert student.id_number_masked == "110***********002X"
    assert type(student).objects.get(id_number_digest=crypto.keyed_digest("11010519491231002X")) == student
