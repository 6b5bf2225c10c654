"""Printable crisis cards: one A4 page per level (its meaning, organiser, steps and deadlines as the policy
states them, and a phone tree from the network and the duty roster), for when the network is down.

Staff only (anyone holding a staff post). A card names staff and their phones, never a student.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from xinyu.common.access import requires
from xinyu.common.params import id_param
from xinyu.concerns import scope
from xinyu.concerns.queries import EVIDENCE_KIND_LABELS, deadline_text, phone_tree, role_label
from xinyu.policy.loader import LEVELS, policy_in_force


def _chosen_college(request):
    """The college whose phone tree the card carries: ?college=, else the user's own college, if any."""
    colleges = scope.crisis_card_colleges_for(request.user)
    wanted = request.GET.get("college", "")
    if wanted:
        college = colleges.filter(pk=id_param(wanted) or 0).first()
        if college is None:
            raise Http404
        return college, colleges
    own = [a.college_id for a in scope.current_appointments(request.user) if a.college_id]
    own += [a.class_group.college_id for a in scope.current_appointments(request.user) if a.class_group_id]
    return (colleges.filter(pk__in=own).first() if own else None), colleges


def _level_summary(policy, level):
    rule = policy.level(level)
    return {
        "level": level,
        "rule": rule,
        "organiser": role_label(rule.organiser),
        "collaborators": [role_label(role) for role in rule.collaborators],
    }


@requires(scope.may_print_crisis_cards, "crisis_cards")
def cards(request):
    policy = policy_in_force(timezone.localdate())
    college, colleges = _chosen_college(request)
    context = {
        "policy": policy,
        "levels": [_level_summary(policy, level) for level in LEVELS],
        "college": college,
        "colleges": colleges,
        "may_start_drill": scope.is_centre_staff(request.user),
    }
    return render(request, "concerns/card_index.html", context)


@requires(scope.may_print_crisis_cards, "crisis_cards")
def card(request, level):
    if level not in LEVELS:
        raise Http404
    policy = policy_in_force(timezone.localdate())
    college, colleges = _chosen_college(request)
    summary = _level_summary(policy, level)
    steps = [
        {
            "step": step,
            "role": role_label(step.role),
            "deadline": deadline_text(policy, step.within_minutes, step.clock),
            "ack": deadline_text(policy, step.ack_minutes, step.clock),
            "evidence": [str(EVIDENCE_KIND_LABELS[kind]) for kind in step.evidence],
        }
        for step in summary["rule"].steps
    ]
    context = {
        **summary,
        "policy": policy,
        "steps": steps,
        "tree": phone_tree(summary["rule"], college),
        "college": college,
        "colleges": colleges,
        # The numbers and the centre's own line come from the policy file's [centre] table (one place).
        "emergency_numbers": [(line.number, line.name) for line in policy.centre.emergency],
        "centre": policy.centre,
        "printed_at": timezone.localtime(),
    }
    return render(request, "concerns/card_level.html", context)
