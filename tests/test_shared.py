"""Shared fixtures: built once, yet every test starts from what was built, in the database and in memory.

The first two tests run one after the other in one process (adjacent tests stay together under xdist's
work stealing): the first changes the shared world every way it can, the second finds none of it.
"""

from django.db import transaction

from tests.shared import _Outer
from xinyu.org.models import Guardian, Student

CHANGED_NAME = "改过的名字"


def test_a_test_may_change_the_shared_world(world):
    world.in_scope.name = CHANGED_NAME
    world.in_scope.save(update_fields=["name"])
    Guardian.objects.filter(student=world.other_class).delete()
    world.cast["intruder"] = world.cast["student"]


def test_the_next_test_finds_the_world_as_built(world):
    assert world.in_scope.name != CHANGED_NAME
    assert Student.objects.get(pk=world.in_scope.pk).name == world.in_scope.name
    assert Guardian.objects.filter(student=world.other_class).exists()
    assert "intruder" not in world.cast


def test_each_test_gets_its_own_copy_and_a_new_set_rebuilds(db):
    builds = []

    def thing():
        builds.append(1)
        return {"numbers": [1, 2]}

    def more(thing):
        return thing | {"more": True}

    outer = _Outer()
    first = outer.values_for("one", {"thing": thing})
    first["thing"]["numbers"].append(3)
    second = outer.values_for("one", {"thing": thing})
    assert second["thing"] == {"numbers": [1, 2]}
    assert len(builds) == 1

    both = outer.values_for("two", {"more": more, "thing": thing})
    assert both["more"] == {"numbers": [1, 2], "more": True}
    assert len(builds) == 2
    outer.close()
    assert outer.atomic is None and transaction.get_connection().in_atomic_block  # the test's own remains
