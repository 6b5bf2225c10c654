"""The browser fixtures of tests/e2e, for the inbox's browser test; in a package of its own, because the
browser fixture lasts for its package (see tests/e2e/conftest.py)."""

from tests.e2e.conftest import (  # noqa: F401 (fixtures and the report hook they use)
    _empty_access_log,
    browser,
    live_server,
    page,
    page_watch,
    pytest_runtest_makereport,
    screenshot_dir,
)
