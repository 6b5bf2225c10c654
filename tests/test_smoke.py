from xinyu.org import scope


def test_world_builds(world):
    assert set(scope.students_for(world.cast["head_teacher"])) >= {world.in_scope}
