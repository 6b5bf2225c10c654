"""Who may see which students, at which tier. The one place that decides (DESIGN.md §4).

Tiers are cumulative: a grant at T3 also allows T1 and T2.
- T1 roster (name, 学号, class, dorm, contact): staff over the student's scope.
- T2 "needs attention" (registry, open crisis, my tasks): the responsible chain.
- T3 scores, interview notes, care plans, family contact: college working group and the centre.
- T4 counselling notes, diagnosis: the treating counsellor and the centre's supervisors.

A post grants a tier over its scope (POST_TIER below). Posts held by students (dorm leader, class
wellbeing rep) and posts for aggregates only (领导小组, other departments) grant nothing on individual
students. A student sees only their own record. Grants also come from crisis-case membership and from
break-glass access, both time-limited.

Every answer is computed from the database on each request, so a changed appointment takes effect at
once, also for people who are signed in.

The module is split by domain: `base` (tiers, grants, students), `concerns` (reports, cases, steps),
`screening` (campaigns, sittings, results, interviews), `care` (registry, care plans, dorm check-ins),
`counselling` (bookings, sessions, T4 notes), `referrals` (referral, leave and return), `privacy`
(break-glass, two-factor, consent) and `studentfile` (the file and who opened it); everything is used as
`scope.<name>`.
"""

from xinyu.org.scope.base import *  # noqa: F403
from xinyu.org.scope.base import _case_student_ids, _is_active_staff  # noqa: F401
