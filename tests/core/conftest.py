from tests.concerns.conftest import crisis_world  # noqa: F401 - my work's tests build on the crisis world
