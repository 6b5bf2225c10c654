"""The moves table a status enum declares (xinyu.common.states), and that every status enum has one."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from xinyu.common.states import Moves
from xinyu.policy.errors import DomainError


class Light(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    OFF = "off", "Switched off"


class LightError(DomainError):
    pass


MOVES = Moves(
    Light,
    {Light.RED: (Light.GREEN, Light.OFF), Light.GREEN: (Light.AMBER, Light.OFF), Light.AMBER: (Light.RED, Light.OFF)},
)


def test_allowed_lists_the_states_a_state_may_become():
    assert MOVES.allowed(Light.RED) == {Light.GREEN, Light.OFF}
    assert MOVES.allowed(Light.OFF) == frozenset()


@pytest.mark.parametrize(("current", "target"), list(MOVES.pairs()))
def test_allows_answers_from_the_table_for_every_pair(current, target):
    declared = {
        ("red", "green"), ("red", "off"), ("green", "amber"), ("green", "off"), ("amber", "red"), ("amber", "off"),
    }  # fmt: skip
    assert MOVES.allows(current, target) is ((current, target) in declared)


def test_pairs_include_staying_put():
    pairs = list(MOVES.pairs())
    assert len(pairs) == 16
    assert ("red", "red") in pairs


def test_a_state_is_final_when_nothing_moves_on_from_it():
    assert MOVES.final() == {Light.OFF}


def test_an_allowed_move_passes():
    MOVES.check(Light.RED, Light.GREEN, error=LightError)


def test_a_refused_move_raises_the_apps_error_naming_both_states():
    with translation.override("en"), pytest.raises(LightError) as caught:
        MOVES.check(Light.RED, Light.AMBER, error=LightError)
    assert str(caught.value) == "This cannot go from “Red” to “Amber”."


def test_the_refusal_is_in_chinese():
    with translation.override("zh-hans"), pytest.raises(LightError) as caught:
        MOVES.check(Light.OFF, Light.RED, error=LightError)
    assert "Switched off" in str(caught.value) and "Red" in str(caught.value)
    assert "This cannot go" not in str(caught.value)


def test_a_service_may_give_its_own_words():
    with pytest.raises(LightError) as caught:
        MOVES.check(Light.OFF, Light.RED, error=LightError, message="Already off.")
    assert str(caught.value) == "Already off."


def test_a_table_naming_something_that_is_not_a_state_is_refused():
    with pytest.raises(ValueError, match="blue"):
        Moves(Light, {Light.RED: ("blue",)})
    with pytest.raises(ValueError, match="purple"):
        Moves(Light, {"purple": (Light.RED,)})


# A check-in's status is what the student answers, not a state it moves through.
EXEMPT = {("care", "CheckIn")}


def _status_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("xinyu."):
            continue
        for field in model._meta.get_fields():
            if field.name == "status" and getattr(field, "choices", None):
                yield model, field


def test_every_status_field_declares_its_moves():
    seen = set()
    for model, field in _status_fields():
        key = (model._meta.app_label, model.__name__)
        seen.add(key)
        if key in EXEMPT:
            continue
        moves = getattr(model, "MOVES", None)
        assert isinstance(moves, Moves), f"{key} has no MOVES"
        assert list(moves.states.choices) == list(field.choices), f"{key}: MOVES is not about its status"
    assert ("care", "CheckIn") in seen
    assert len(seen - EXEMPT) == 17
