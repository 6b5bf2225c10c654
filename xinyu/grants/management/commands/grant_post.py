"""`manage.py grant_post 工号 POST PLACE --by 工号 [--from YYYY-MM-DD] [--bootstrap]`: grant a post from the
server, under the same rules as the network pages (`xinyu.org.grant_services.grant_post`).

PLACE names where the post is held: 学校 (or the school's code), a department's name, a college's name, a
class's name (or 学院/班级), or a dorm room as "楼号 房间号". `--bootstrap` makes a new installation's first
grant of a confirming post (centre supervisor, leading group head or deputy) take effect while nobody holds a
post that could confirm it.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from xinyu.accounts.models import User
from xinyu.grants import posts as grant_services
from xinyu.org.models import POST_SCOPE_KIND, ClassGroup, College, Department, DormRoom, Post, School, ScopeKind


def find_place(kind: str, text: str):
    text = text.strip()
    match kind:
        case ScopeKind.SCHOOL:
            schools = School.objects.all()
            if text in ("学校", "全校"):
                return schools.first() if schools.count() == 1 else None
            return schools.filter(code=text).first() or schools.filter(name=text).first()
        case ScopeKind.DEPARTMENT:
            return Department.objects.filter(name=text).first()
        case ScopeKind.COLLEGE:
            return College.objects.filter(name=text).first()
        case ScopeKind.CLASS_GROUP:
            college, _slash, name = text.rpartition("/")
            groups = ClassGroup.objects.filter(name=name)
            groups = groups.filter(college__name=college) if college else groups
            return groups.first() if groups.count() == 1 else None
        case ScopeKind.DORM_ROOM:
            building, _space, room = text.rpartition(" ")
            return DormRoom.objects.filter(building=building.strip(), room=room).first()
    return None


class Command(BaseCommand):
    help = "Grant a post under the rules of who may grant what; a grant that needs a second person waits for one."

    def add_arguments(self, parser):
        parser.add_argument("person", help="staff or student number of the person")
        parser.add_argument("post", choices=Post.values)
        parser.add_argument("place", help="where the post is held")
        parser.add_argument("--by", required=True, help="staff number of the person granting")
        parser.add_argument("--from", dest="starts_on", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--bootstrap", action="store_true", help="a new installation's first confirming post")

    def handle(self, person, post, place, by, starts_on=None, bootstrap=False, **options):
        with translation.override(settings.LANGUAGE_CODE):
            holder = User.objects.filter(username=person).first()
            granter = User.objects.filter(username=by).first()
            if holder is None or granter is None:
                raise CommandError(_("No account has this staff or student number."))
            found = find_place(POST_SCOPE_KIND[post], place)
            if found is None:
                raise CommandError(_("No place of the network has this name: %(place)s") % {"place": place})
            try:
                with transaction.atomic():
                    appointment = grant_services.grant_post(holder, post, found, by=granter, starts_on=starts_on)
                    if bootstrap and appointment.status == appointment.Status.PENDING:
                        appointment = grant_services.confirm_first_grant(appointment)
            except grant_services.GrantError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                _("%(name)s: %(post)s (%(place)s), %(status)s.")
                % {
                    "name": holder.full_name,
                    "post": appointment.get_post_display(),
                    "place": found,
                    "status": appointment.get_status_display(),
                }
            )
