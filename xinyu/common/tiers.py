import enum


class Tier(enum.IntEnum):
    """The data tiers of DESIGN.md §4: T0 public, T1 roster, T2 "needs attention", T3 scores, interviews,
    plans and family contact, T4 counselling notes and diagnoses. Who holds which is `xinyu.org.scope`."""

    T0 = 0
    T1 = 1
    T2 = 2
    T3 = 3
    T4 = 4
