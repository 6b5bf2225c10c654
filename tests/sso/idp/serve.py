"""Starts the test identity provider: migrates its SQLite file, creates the configured users, the CAS
service pattern and the OIDC client, then serves on 127.0.0.1 on a free port and prints
"listening on PORT" once it accepts connections. Stops on SIGTERM."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idp_project.settings")

import django

django.setup()

from cas_server.models import ReplaceAttributName, ServicePattern  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from oauth2_provider.models import get_application_model  # noqa: E402


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def prepare():
    config = settings.CONFIG
    call_command("migrate", verbosity=0)
    users = get_user_model()
    for username, entry in config["users"].items():
        user = users(username=username)
        user.set_password(entry["password"])
        user.save()
    pattern = ServicePattern.objects.create(
        name="xinyu",
        pattern=config["cas_service_pattern"],
        single_log_out=True,
        single_log_out_callback=config.get("cas_single_logout_callback", ""),
    )
    ReplaceAttributName.objects.create(name="*", service_pattern=pattern)
    application = get_application_model()
    application.objects.create(
        name="xinyu",
        client_id=config["oidc_client_id"],
        client_secret=config["oidc_client_secret"],
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=" ".join(config["oidc_redirect_uris"]),
        post_logout_redirect_uris=" ".join(config["oidc_post_logout_redirect_uris"]),
        algorithm="RS256",
        skip_authorization=True,
    )


def main():
    prepare()
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
