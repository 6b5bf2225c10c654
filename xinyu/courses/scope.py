"""Who may see and keep the courses: the one place that decides, built on `xinyu.org.scope`.

- The catalogue, a course and a section (name, teachers, classes, how many take it) are not student data
  (T0): every staff member of the school reads them; students get 404.
- The list of a section's students is the roster (T1): each viewer sees only the students `scope.students_for`
  gives them; the export is for staff who may export students (T2 and up) and holds the same rows.
- 学工部 and the psychology centre's staff keep the catalogue and the sections.
- The freshmen's coverage (counts per college and class, no names) is for those who see the 校院班寝 network:
  school-wide posts every college, a college's working group its own.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from xinyu.courses.models import Course, Section
from xinyu.org import scope
from xinyu.org.models import ClassGroup, College, Post, School, Student
from xinyu.org.scope import Tier

EDIT_POSTS = scope.CENTRE_POSTS | {Post.STUDENT_AFFAIRS_STAFF}


def may_read(user) -> bool:
    """Staff holding a post (each post is in a school) read that school's courses. Asked by the menu on every
    page, so it reads only the appointments cached for the request."""
    return bool(getattr(user, "is_authenticated", False) and not user.is_student and scope.current_appointments(user))


def may_edit(user) -> bool:
    return not user.is_student and bool(scope.school_ids_where(user, EDIT_POSTS))


def school_for(user, *, edit: bool = False) -> School:
    """The school whose courses `user` reads (or keeps); 404 for anyone else."""
    schools = scope.school_ids_where(user, EDIT_POSTS if edit else None) if not user.is_student else set()
    if not schools:
        raise Http404
    return School.objects.get(pk=min(schools))


def courses_for(user, *, edit: bool = False):
    schools = scope.school_ids_where(user, EDIT_POSTS if edit else None) if not user.is_student else set()
    return Course.objects.filter(school_id__in=schools)


def get_course_for_user(user, pk, *, edit: bool = False):
    try:
        return courses_for(user, edit=edit).get(pk=pk)
    except (Course.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_section_for_user(user, pk, *, edit: bool = False):
    schools = scope.school_ids_where(user, EDIT_POSTS if edit else None) if not user.is_student else set()
    try:
        return Section.objects.select_related("course").get(pk=pk, course__school_id__in=schools)
    except (Section.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_students(user) -> QuerySet[Student]:
    """The students whose name and number `user` may read in a section's list (T1)."""
    return scope.students_for(user, Tier.T1)


def may_export_roster(user) -> bool:
    return scope.may_export_students(user)


def addable_class_groups(user) -> QuerySet[ClassGroup]:
    """Classes an editor may add to a section as a whole: those whose students they see as a class."""
    return scope.class_groups_for(user, Tier.T1)


def may_view_coverage(user) -> bool:
    return not user.is_student and scope.may_view_network(user) and coverage_colleges_for(user).exists()


def coverage_colleges_for(user) -> QuerySet[College]:
    return scope.network_colleges_for(user)


def coverage_school_for(user) -> School:
    colleges = coverage_colleges_for(user)
    school_id = colleges.order_by("school_id").values_list("school_id", flat=True).first()
    if school_id is None:
        raise Http404
    return School.objects.get(pk=school_id)


def get_coverage_college_for_user(user, pk) -> College:
    try:
        return coverage_colleges_for(user).get(pk=pk)
    except (College.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def teachers_of(school) -> Q:
    """Staff who may be named a section's teacher: active staff holding a post in the school today."""
    return (
        Q(appointments__school=school)
        | Q(appointments__department__school=school)
        | Q(appointments__college__school=school)
        | Q(appointments__class_group__college__school=school)
    )
