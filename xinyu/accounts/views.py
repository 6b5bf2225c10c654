from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from xinyu.accounts import cas, sso, sso_views, throttle, twofactor
from xinyu.accounts.forms import CODE_ERRORS, PASSWORD_ERRORS, CodeForm, LoginForm, StepUpPasswordForm
from xinyu.accounts.redirects import safe_next
from xinyu.accounts.stepup import mark_reauthenticated
from xinyu.common.access import public, signed_in
from xinyu.org.access_log import client_address

SIGN_IN_EXPIRED = _("Your sign-in has expired. Please sign in again.")


class LoginView(auth_views.LoginView):
    """The password step. A user who needs two factors is not signed in yet: the code step follows."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_protocols"] = sso.enabled_protocols()
        return context

    def form_valid(self, form):
        # Signed in with the password: whatever an unfinished SSO sign-in left in this session is not theirs.
        self.request.session.pop(sso.SESSION_KEY, None)
        user = form.get_user()
        if getattr(user, "second_factor_verified", False):
            # Password and code together, while the account's password sign-in was paused: signed in.
            response = super().form_valid(form)
            twofactor.mark_verified(self.request)
            return response
        if not twofactor.two_factor_required(user):
            return super().form_valid(form)
        twofactor.begin_pending(self.request, user, self.get_success_url())
        if twofactor.confirmed_device(user) is None:
            return redirect("accounts:two_factor_enrol")
        return redirect("accounts:two_factor")


class LogoutView(auth_views.LogoutView):
    """Ends the Xinyu session; after a sign-in through the unified identity authentication, goes on to the
    IdP's logout as well (CAS /logout?service=…, OIDC end_session_endpoint), where the setting allows."""

    def post(self, request, *args, **kwargs):
        data = sso.signed_in_with(request)
        cas.forget(request.session.session_key)
        target = sso_views.idp_logout_url(request, data)
        response = super().post(request, *args, **kwargs)
        return redirect(target) if target else response


login = public(LoginView.as_view())
logout = signed_in(LogoutView.as_view())


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Your password has been changed."))
        return response


password_change = signed_in(PasswordChangeView.as_view())


def _code_error(form: CodeForm, result: twofactor.CodeCheck) -> None:
    form.add_error("code", CODE_ERRORS[result.value])


@public
def two_factor(request):
    """The code step of signing in (the password step left a pending sign-in in the session)."""
    found = twofactor.pending(request)
    if found is None:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        messages.info(request, SIGN_IN_EXPIRED)
        return redirect(settings.LOGIN_URL)
    user, data = found
    device = twofactor.confirmed_device(user)
    if device is None:
        return redirect("accounts:two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = twofactor.check_code(device, form.cleaned_data["code"], request)
        if result is twofactor.CodeCheck.OK:
            twofactor.complete_sign_in(request, user, data)
            return redirect(safe_next(request, data.get("next")))
        _code_error(form, result)
    return render(request, "accounts/two_factor.html", {"form": form, "person": user})


@public
def two_factor_enrol(request):
    """Setting up the authenticator app: at the first sign-in (pending), or for a signed-in session of a
    user who needs two factors and has no device yet (sent here by the step-up page)."""
    found = twofactor.pending(request)
    if found is not None:
        user, data = found
        next_url = data.get("next")
    elif twofactor.two_factor_required(request.user):
        user, data = request.user, None
        next_url = request.POST.get("next") or request.GET.get("next")
    else:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        messages.info(request, SIGN_IN_EXPIRED)
        return redirect(settings.LOGIN_URL)
    if twofactor.confirmed_device(user) is not None:
        if data is not None:
            return redirect("accounts:two_factor")
        return redirect(f"{reverse('accounts:step_up')}?{urlencode({'next': safe_next(request, next_url)})}")
    device = twofactor.start_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = twofactor.confirm_enrolment(device, form.cleaned_data["code"], request)
        if result is twofactor.CodeCheck.OK:
            if data is not None:
                twofactor.complete_sign_in(request, user, data)
            else:
                twofactor.mark_verified(request)
            messages.success(request, _("Your authenticator app is set up. You will need a code from it to sign in."))
            return redirect(safe_next(request, next_url))
        _code_error(form, result)
    context = {
        "form": form,
        "person": user,
        "qr_svg": twofactor.qr_svg(device),
        "secret": twofactor.grouped_secret(device.secret),
        "issuer": twofactor.ISSUER,
        "next": next_url if data is None else "",
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@signed_in
def step_up(request):
    """Prove it is you again before a sensitive action: a code from the app, or the password of a user who
    has no app and does not need one. Returns to `next` (this site only)."""
    user = request.user
    next_url = request.POST.get("next") or request.GET.get("next")
    device = twofactor.confirmed_device(user)
    signed_in_with = sso.signed_in_with(request)
    # Signed in through the IdP, without an authenticator app: a fresh round trip to the IdP proves it is
    # them (a T3/T4 holder only where the IdP's MFA is trusted and it asserted MFA at sign-in).
    sso_step_up = (
        device is None
        and signed_in_with is not None
        and signed_in_with["protocol"] in sso.enabled_protocols()
        and (not twofactor.two_factor_required(user) or (settings.SSO_TRUST_IDP_MFA and signed_in_with.get("mfa")))
    )
    sso_url = ""
    if sso_step_up:
        query = urlencode({"next": safe_next(request, next_url), "reauthenticate": "1"})
        sso_url = f"{reverse(f'accounts:sso_{signed_in_with["protocol"]}_login')}?{query}"
        if not user.has_usable_password() or twofactor.two_factor_required(user):
            return render(request, "accounts/step_up.html", {"sso_url": sso_url, "sso_only": True, "next": ""})
    if device is None and twofactor.two_factor_required(user):
        return redirect(f"{reverse('accounts:two_factor_enrol')}?{urlencode({'next': safe_next(request, next_url)})}")
    address = client_address(request)
    if device is not None:
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            result = twofactor.check_code(device, form.cleaned_data["code"], request)
            if result is twofactor.CodeCheck.OK:
                twofactor.mark_verified(request)
                return redirect(safe_next(request, next_url))
            _code_error(form, result)
    else:
        form = StepUpPasswordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if throttle.is_locked(user.username, address):
                form.add_error("password", PASSWORD_ERRORS["locked"])
            elif user.check_password(form.cleaned_data["password"]):
                throttle.clear_failures(user.username)
                mark_reauthenticated(request, method="password")
                return redirect(safe_next(request, next_url))
            else:
                throttle.record_failure(user.username, address)
                form.add_error("password", PASSWORD_ERRORS["wrong"])
    context = {"form": form, "uses_code": device is not None, "next": safe_next(request, next_url), "sso_url": sso_url}
    return render(request, "accounts/step_up.html", context)
