"""Telling people about grants: the second person that a grant waits for them, the centre's supervisor and the
学工部 head (the leading group's deputy) that a post giving T3 or T4 was granted, and the people concerned
how a grant was decided. Called by `xinyu.org.services` inside the grant's transaction."""

from django.urls import reverse
from django.utils.translation import gettext as _

from xinyu.grants.rules import CONFIRMED, REFUSED, WITHDRAWN, post_tier, school_of
from xinyu.notify.services import notify
from xinyu.org.models import Appointment, Post
from xinyu.org.scope.base import Tier

# Who is alerted when a post giving T3 or T4 is granted (DESIGN.md §9).
ALERTED_POSTS = (Post.CENTRE_SUPERVISOR, Post.LEADING_GROUP_DEPUTY)


def _holders(posts, school_id) -> list:
    return [
        appointment.person
        for appointment in Appointment.objects.current()
        .filter(post__in=posts, school_id=school_id)
        .select_related("person")
        .order_by("pk")
    ]


def _words(appointment: Appointment) -> dict:
    return {
        "post": appointment.get_post_display(),
        "name": appointment.person.full_name,
        "scope": str(appointment.scope),
    }


def granted(appointment: Appointment, *, confirmers) -> None:
    school_id = school_of(appointment.scope)
    link = reverse("grants:grants")
    involved = {appointment.person_id, appointment.granted_by_id}
    if confirmers:
        asked = [person for person in _holders(confirmers, school_id) if person.pk not in involved]
        notify(
            asked,
            student=None,
            tier=Tier.T0,
            key=f"grant{appointment.pk}:confirm",
            title=_("A grant waits for your confirmation: %(post)s for %(name)s (%(scope)s)") % _words(appointment),
            link=link,
        )
    if post_tier(appointment.post) >= Tier.T3:
        alerted = [person for person in _holders(ALERTED_POSTS, school_id) if person.pk not in involved]
        notify(
            alerted,
            student=None,
            tier=Tier.T0,
            key=f"grant{appointment.pk}:alert",
            title=_("A post giving access to sensitive records was granted: %(post)s for %(name)s (%(scope)s)")
            % _words(appointment),
            body=_("Granted by %(by)s. If you did not expect it, look into it at once.")
            % {"by": appointment.granted_by.full_name},
            link=link,
            urgent=True,
        )
    title = (
        _("You were granted the post of %(post)s (%(scope)s); it waits for a second person's confirmation.")
        if confirmers
        else _("You were granted the post of %(post)s (%(scope)s).")
    )
    notify(
        [appointment.person],
        student=None,
        tier=Tier.T0,
        key=f"grant{appointment.pk}:holder",
        title=title % _words(appointment),
        link=link,
    )


def decided(appointment: Appointment, *, what: str, by) -> None:
    titles = {
        CONFIRMED: _("The grant of %(post)s to %(name)s (%(scope)s) was confirmed."),
        REFUSED: _("The grant of %(post)s to %(name)s (%(scope)s) was not confirmed."),
        WITHDRAWN: _("The grant of %(post)s to %(name)s (%(scope)s) was withdrawn."),
    }
    told = [person for person in (appointment.granted_by, appointment.person) if person and person.pk != by.pk]
    notify(
        told,
        student=None,
        tier=Tier.T0,
        key=f"grant{appointment.pk}:{what}",
        title=titles[what] % _words(appointment),
        link=reverse("grants:grants"),
    )
