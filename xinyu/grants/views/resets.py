"""Credential resets: staff ask for them (after step-up), a second person confirms where the rules say so,
and the holder sets a new password with a one-time link or code (`xinyu.grants.resets`)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.accounts import throttle
from xinyu.accounts.models import CredentialReset, TwoFactorDevice, User
from xinyu.accounts.stepup import step_up_required
from xinyu.common.access import public, requires
from xinyu.grants import resets
from xinyu.grants.forms import NewPasswordForm, ResetCodeForm, ResetRequestForm
from xinyu.org.access_log import client_address


def _account_row(by, account) -> dict:
    return {
        "account": account,
        "posts": [appointment.get_post_display() for appointment in resets._held(account)],
        "has_authenticator": TwoFactorDevice.objects.filter(user=account, confirmed_at__isnull=False).exists(),
        "refusals": {kind: resets.refusal(by, account, kind) for kind in CredentialReset.Kind.values},
        "needs_confirmation": bool(resets.needs_confirmation(account)),
    }


@requires(resets.may_reset_anyone, "credentials")
@step_up_required
def people(request):
    """Find an account by its number; show what the viewer may reset."""
    number = throttle.normalise_username(request.GET.get("number", ""))
    row = None
    if number:
        account = User.objects.filter(username=number).first()
        if account is not None:
            candidate = _account_row(request.user, account)
            # An account the viewer may do nothing with is answered like a missing one.
            if any(reason is None for reason in candidate["refusals"].values()):
                row = candidate
        if row is None:
            messages.info(request, _("No account you may reset has this number."))
    context = {"number": number, "row": row, "form": ResetRequestForm(initial={"kind": "password"})}
    return render(request, "grants/people.html", context)


@require_POST
@requires(resets.may_reset_anyone, "credentials")
@step_up_required
def reset_request(request, pk):
    account = get_object_or_404(User, pk=pk)
    form = ResetRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to reset and give a reason."))
        return redirect(f"{_people_url()}?number={account.username}")
    data = form.cleaned_data
    try:
        reset, code = resets.request_reset(
            account, data["kind"], by=request.user, delivery=data["delivery"], reason=data["reason"],
            address=client_address(request),
        )  # fmt: skip
    except resets.ResetError as error:
        messages.error(request, str(error))
        return redirect(f"{_people_url()}?number={account.username}")
    return _after(request, reset, code)


def _people_url() -> str:
    return reverse("grants:people")


def _after(request, reset: CredentialReset, code: str | None):
    if code:
        return render(request, "grants/reset_code.html", {"reset": reset, "code": code})
    if reset.status == CredentialReset.Status.PENDING:
        messages.info(request, _("The reset waits for a second person's confirmation."))
    elif reset.delivery == CredentialReset.Delivery.EMAIL:
        messages.success(request, _("A one-time link was sent to the holder's registered e-mail address."))
    else:
        messages.success(request, _("The authenticator is reset; the holder sets it up again at their next sign-in."))
    return redirect("grants:resets")


@requires(resets.may_use_reset_pages, "credentials")
def reset_list(request):
    pending = CredentialReset.objects.filter(status=CredentialReset.Status.PENDING).select_related(
        "account", "requested_by"
    )
    context = {
        "waiting": [reset for reset in pending if resets.may_decide(request.user, reset)],
        "mine": CredentialReset.objects.filter(requested_by=request.user).select_related("account", "decided_by")[:50],
    }
    return render(request, "grants/resets.html", context)


@require_POST
@requires(resets.may_use_reset_pages, "credentials")
@step_up_required
def reset_decision(request, pk, decision):
    reset = resets.get_reset_to_decide_for_user(request.user, pk)
    address = client_address(request)
    try:
        match decision:
            case "confirm":
                code = resets.decide(reset, by=request.user, confirm=True, address=address)
            case "refuse":
                code = resets.decide(
                    reset, by=request.user, confirm=False, reason=request.POST.get("reason", ""), address=address
                )
            case "issue":
                code = resets.issue(reset, by=request.user, address=address)
            case _:
                raise Http404
    except resets.ResetError as error:
        messages.error(request, str(error))
        return redirect("grants:resets")
    reset.refresh_from_db()
    if decision == "refuse":
        messages.success(request, _("The reset is refused."))
        return redirect("grants:resets")
    return _after(request, reset, code)


@public
def reset_with_code(request):
    """The holder of an in-person code sets a new password: number, code, new password twice."""
    address = client_address(request)
    form = ResetCodeForm(request.POST or None)
    password_form = NewPasswordForm(None, request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if throttle.is_locked(username, address):
            form.add_error(None, _("Too many wrong codes. Please wait a while and try again."))
        else:
            account = User.objects.filter(username=username).first()
            password_form = NewPasswordForm(account, request.POST)
            new_password = password_form.cleaned_data["new_password1"] if password_form.is_valid() else None
            used = account is not None and new_password
            if used and resets.use_code(username, form.cleaned_data["code"], new_password, address=address):
                throttle.clear_failures(username)
                messages.success(request, _("Your new password is set. Please sign in."))
                return redirect("accounts:login")
            if account is None or new_password:
                throttle.record_failure(username, address)
                form.add_error(None, _("The number and the code do not match, or the code has expired or was used."))
    return render(request, "grants/reset_set_password.html", {"form": form, "password_form": password_form})


@public
def reset_with_link(request, token):
    """The holder opened the one-time link from their e-mail: a new password, twice."""
    reset = resets.find_by_link(token)
    if reset is None:
        return render(request, "grants/reset_set_password.html", {"expired": True}, status=404)
    password_form = NewPasswordForm(reset.account, request.POST or None)
    if request.method == "POST" and password_form.is_valid():
        resets.use_code("", token, password_form.cleaned_data["new_password1"], address=client_address(request))
        messages.success(request, _("Your new password is set. Please sign in."))
        return redirect("accounts:login")
    return render(request, "grants/reset_set_password.html", {"password_form": password_form, "via_link": True})
