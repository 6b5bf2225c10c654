from django.utils.functional import SimpleLazyObject

from xinyu.care import scope as care_scope
from xinyu.compliance import scope as compliance_scope
from xinyu.concerns import scope as concern_scope
from xinyu.core.my_work import work_counts
from xinyu.counselling import scope as counselling_scope
from xinyu.courses import scope as course_scope
from xinyu.education import scope as education_scope
from xinyu.grants import resets
from xinyu.grants import rules as grant_rules
from xinyu.org import scope
from xinyu.privacy import scope as privacy_scope
from xinyu.public import scope as public_scope
from xinyu.referrals import scope as referral_scope
from xinyu.reports import scope as report_scope
from xinyu.screening import scope as screening_scope
from xinyu.training import scope as training_scope
from xinyu.workforce import scope as workforce_scope


def screening_link(user) -> str | None:
    """The screening page that matters most to `user` (no database query beyond the cached posts)."""
    if user.is_student:
        return "screening:my_campaigns"
    if scope.posts_of(user) & screening_scope.SITTING_POSTS:
        return "screening:sitting_list"
    if screening_scope.may_list_campaigns(user):
        return "screening:campaign_list"
    return None


# The less frequent pages sit in a "More" menu (templates/base.html), in groups.
MORE_MENU_GROUPS = {
    "more_care": ("referrals", "crisis_board", "duty_roster", "network"),
    "more_running": ("education_plans", "monthly_reports", "research", "compliance", "courses", "public_page"),
    "more_workforce": ("training", "supervision", "case_conferences", "workload_statement"),
    "more_admin": ("roster_import", "privacy", "credentials", "audit", "policy", "retention", "admin"),
}
MORE_MENU = tuple(key for keys in MORE_MENU_GROUPS.values() for key in keys)


def counselling_link(user) -> str | None:
    """Students book; centre staff keep their schedule; others have no counselling page."""
    if user.is_student:
        return "counselling:my_bookings"
    return "counselling:schedule" if counselling_scope.is_counsellor(user) else None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def nav():
        links = {
            "students": not user.is_student and bool(scope.grants_for(user)),
            "network": scope.may_view_network(user),
            "monthly_reports": report_scope.may_see_monthly_reports(user),  # 月报: colleges, 学工部, leading group
            "research": report_scope.may_run_research(user),  # anonymised research extracts: the centre's supervisor
            "roster_import": scope.may_import_roster(user),
            "export_students": scope.may_export_students(user),
            "audit": scope.may_browse_audit_log(user),
            "admin": scope.may_use_admin(user),
            "credentials": resets.may_use_reset_pages(user),
            "posts": grant_rules.may_use_post_pages(user),  # the network page's links to keep posts
            "grant_posts": grant_rules.may_manage_posts(user),
            # Concern reports: everyone signed in reports; staff have "my work" and see the duty roster.
            "report": True,
            "my_work": not user.is_student,
            "crisis_board": scope.may_view_crisis_board(user),
            "duty_roster": not user.is_student,
            # Screening: the centre runs campaigns, head teachers and advisors open sittings, students answer.
            "screening": screening_link(user),
            # Interviews (约谈): the college's working group and the centre, and anyone given one to hold.
            "interviews": not user.is_student
            and (screening_scope.may_view_screening_results(user) or concern_scope.interview_tasks_for(user).exists()),
            "my_page": user.is_student,  # the student's own page (studentfile:mine)
            "counselling": counselling_link(user),
            # Privacy: a student's consents and who opened their file; staff's emergency access (break-glass).
            "my_privacy": user.is_student,
            "privacy": not user.is_student and privacy_scope.may_break_glass(user),
            "referrals": referral_scope.may_refer(user),  # referral, leave and return (T3 staff)
            # Key-concern registry (staff, T2+); a dorm leader asked to check in sees only "Check-ins".
            "care": care_scope.care_link(user),
            "compliance": compliance_scope.may_view_board(user),  # the compliance board (第十三–十五条)
            "courses": course_scope.may_read(user),  # the mental-health courses (第七条(三)): staff of the school
            # Activities (校院班寝, wellbeing reps and dorm leaders too); the year's plans and the coverage.
            "education_activities": education_scope.may_use_activities(user),
            "education_plans": education_scope.may_use_plans(user),
            "education_coverage": education_scope.may_see_coverage(user),
            "training": training_scope.is_staff(user),  # my training and qualification (第七条(八), 第十五条)
            "public_page": public_scope.may_edit_articles(user),  # the public page's articles (第七条(五))
            # Supervision (the centre), case conferences and the workload statement (staff).
            "supervision": workforce_scope.may_use_supervision(user),
            "case_conferences": not user.is_student,
            "workload_statement": workforce_scope.may_view_statement(user),
            # Read-only administration pages for the centre and 学工部: the policy in force, retention.
            "policy": compliance_scope.may_view_policy(user),
            "retention": privacy_scope.may_view_retention(user),
        }
        for group, keys in MORE_MENU_GROUPS.items():
            links[group] = any(links[key] for key in keys)
        links["more"] = any(links[key] for key in MORE_MENU)
        return links

    def my_work_counts():
        return work_counts(user)

    # Lazy: counted only on the pages that show them (the home page's summary).
    return {"nav": SimpleLazyObject(nav), "my_work_counts": SimpleLazyObject(my_work_counts)}
