"""`manage.py api_token create|revoke|list`: the technical administrator's service tokens.

    api_token create --account 学工系统 --owner T10009 --operations roster.sync [--days 365] [--as A00001]
    api_token revoke PREFIX [--as A00001]
    api_token list [--account 学工系统]

`create` makes the service account when it is new (with --owner, the responsible staff member) and prints
the token once; only its hash is kept.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinyu.accounts.models import User
from xinyu.api import tokens
from xinyu.api.models import ServiceAccount, ServiceToken


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No user has the sign-in name %(name)s.") % {"name": username})
    return user


class Command(BaseCommand):
    help = "Create, revoke and list the API's service tokens."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="make a token and print it once")
        create.add_argument("--account", required=True, help="the service account's name")
        create.add_argument("--owner", help="工号 of the responsible staff member (for a new account)")
        create.add_argument("--operations", required=True, help="comma-separated: " + ", ".join(
            ["roster.sync", "network.read", "aggregates.read", "concerns.report"]))  # fmt: skip
        create.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS, help="valid for (default 365)")
        create.add_argument("--as", dest="by", help="who makes it, for the access log")
        revoke = commands.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--as", dest="by", help="who revokes it, for the access log")
        listing = commands.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--account", help="only this service account's")

    def handle(self, *args, action, **options):
        with translation.override(settings.LANGUAGE_CODE):
            getattr(self, f"_{action}")(**options)

    def _create(self, account, owner, operations, days, by, **options):
        by = _user(by) if by else None
        service = ServiceAccount.objects.filter(name=account).first()
        if service is None:
            if not owner:
                raise CommandError(_("A new service account needs --owner, the responsible staff member's number."))
            service = ServiceAccount.objects.create(name=account, owner=_user(owner))
        elif owner and service.owner.username != owner:
            raise CommandError(_("This service account already exists with another responsible person."))
        names = [name.strip() for name in operations.split(",") if name.strip()]
        try:
            issued = tokens.create_token(service, names, days=days, by=by)
        except tokens.TokenError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("Token for %(account)s (prefix %(prefix)s), valid until %(until)s:") % {
            "account": service.name, "prefix": issued.token.prefix,
            "until": timezone.localtime(issued.token.expires_at).strftime("%Y-%m-%d %H:%M"),
        })  # fmt: skip
        self.stdout.write(issued.secret)
        self.stdout.write(_("It is shown this once: only its hash is kept."))

    def _revoke(self, prefix, by, **options):
        token = ServiceToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(_("No token has the prefix %(prefix)s.") % {"prefix": prefix})
        tokens.revoke_token(token, by=_user(by) if by else None)
        self.stdout.write(_("Token %(prefix)s is revoked.") % {"prefix": prefix})

    def _list(self, account=None, **options):
        found = ServiceToken.objects.select_related("account__owner").order_by("account__name", "-created_at")
        if account:
            found = found.filter(account__name=account)
        now = timezone.now()
        for token in found:
            if token.revoked_at:
                state = _("revoked")
            elif token.expires_at <= now:
                state = _("expired")
            elif not token.account.active:
                state = _("account switched off")
            else:
                state = _("valid")
            used = timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") if token.last_used_at else "-"
            self.stdout.write("\t".join([
                token.prefix, token.account.name, token.account.owner.username, ",".join(token.operations),
                timezone.localtime(token.expires_at).strftime("%Y-%m-%d"), state, used,
            ]))  # fmt: skip
