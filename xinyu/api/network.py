"""network.read: the 校院班寝 network over the owner's colleges (`scope.network_colleges_for`), the posts
and who holds them. Names and numbers of post holders only; nothing about any student's care."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from xinyu.api import schemas
from xinyu.api.base import ApiView, atomic_read
from xinyu.api.models import Operation
from xinyu.org import scope
from xinyu.org.access_log import Read
from xinyu.org.network import build_network

ERRORS = {401: schemas.Error, 403: schemas.Error}


def holder(appointment) -> dict:
    return {
        "post": appointment.post,
        "post_name": str(appointment.get_post_display()),
        "number": appointment.person.username,
        "name": appointment.person.full_name,
        "starts_on": appointment.starts_on.isoformat(),
        "ends_on": appointment.ends_on.isoformat() if appointment.ends_on else None,
    }


def network_data(network) -> dict:
    school = network.school
    return {
        "school": {"name": school.name, "code": school.code} if school else None,
        "school_posts": [holder(a) for a in network.school_posts],
        "colleges": [
            {
                "id": node.college.pk,
                "code": node.college.code,
                "name": node.college.name,
                "posts": [holder(a) for a in node.working_group],
                "classes": [
                    {
                        "id": group.pk,
                        "name": group.name,
                        "enrolment_year": group.enrolment_year,
                        "major": group.major,
                        "students_enrolled": group.student_count,
                        "posts": [holder(a) for a in group.people],
                    }
                    for group in node.class_groups
                ],
            }
            for node in network.colleges
        ],
        "dorms": [
            {
                "id": room.pk,
                "building": room.building,
                "room": room.room,
                "gender": room.gender,
                "gender_name": str(room.get_gender_display()),
                "posts": [holder(a) for a in room.people],
            }
            for room in network.dorm_rooms
        ],
    }


class NetworkView(ApiView):
    operation = Operation.NETWORK_READ

    @extend_schema(operation_id="network", responses={200: schemas.Network, **ERRORS}, tags=["network.read"])
    @atomic_read
    def get(self, request):
        """The network over the colleges the token's owner may see: colleges, classes, dorm rooms, the posts
        and who holds them."""
        if not scope.may_view_network(request.user):
            raise PermissionDenied(_("The token's owner holds no post that may see the network."))
        data = network_data(build_network(scope.network_colleges_for(request.user)))
        self.log_reads(Read.NETWORK, colleges=[c["code"] for c in data["colleges"]])
        return Response(data)
