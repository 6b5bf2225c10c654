"""Deterministic Chinese names, ID numbers and phone numbers, drawn from one `random.Random`."""

import datetime as dt
import random
from itertools import accumulate

from xinyu.org.demo.data import (
    FEMALE_CHARACTERS,
    MALE_CHARACTERS,
    PHONE_PREFIXES,
    REGION_CODES,
    SHARED_CHARACTERS,
    SURNAMES,
)
from xinyu.org.id_numbers import check_digit

MALE = "male"
FEMALE = "female"


class PeopleMaker:
    """Every draw comes from `rng` in call order, so the same seed gives the same people. Numbers
    (ID and phone) are unique within one maker."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._surnames = [name for name, _ in SURNAMES]
        self._surname_weights = list(accumulate(weight for _, weight in SURNAMES))
        self._regions = [code for code, _ in REGION_CODES]
        self._region_weights = list(accumulate(weight for _, weight in REGION_CODES))
        self._id_numbers: set[str] = set()
        self._phones: set[str] = set()

    def gender(self, female_share: float) -> str:
        return FEMALE if self.rng.random() < female_share else MALE

    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._surname_weights)[0]

    def given_name(self, gender: str) -> str:
        own = MALE_CHARACTERS if gender == MALE else FEMALE_CHARACTERS
        if self.rng.random() < 0.15:
            return self.rng.choice(own)
        first = self.rng.choice(SHARED_CHARACTERS if self.rng.random() < 0.25 else own)
        return first + self.rng.choice(own)

    def name(self, gender: str, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given_name(gender)

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def birth_date(self, year: int) -> dt.date:
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def id_number(self, born: dt.date, gender: str) -> str:
        """A valid 18-digit number: region, birth date, a sequence whose last digit is odd for men and
        even for women (GB 11643-1999), and the check digit."""
        while True:
            region = self.rng.choices(self._regions, cum_weights=self._region_weights)[0]
            sequence = self.rng.randrange(100) * 10 + self.rng.randrange(5) * 2 + (gender == MALE)
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = first17 + check_digit(first17)
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number
