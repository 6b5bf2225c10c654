"""The demo college: `manage.py seed_demo` builds it, `manage.py demo_accounts` lists who to sign in as.

- `build.py` writes 衢州职业技术学院 (network, students, accounts, posts) in one transaction;
- `layout.py` plans its shape (colleges, classes, dorm rooms) without the database;
- `people.py` draws names, ID numbers and phone numbers from one seeded `random.Random`;
- `accounts.py` holds the demo password and the memorable accounts, one per role;
- `data.py` holds the fixed facts: departments, colleges, majors, word lists.
"""

from xinyu.org.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount, current_intake, demo_accounts
from xinyu.org.demo.build import DEFAULT_SEED, DEFAULT_STUDENTS, DemoCollege, build_demo_college

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_STUDENTS",
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "DemoAccount",
    "DemoCollege",
    "build_demo_college",
    "current_intake",
    "demo_accounts",
]
