"""The public pages as signed-out visitors get them: rendered once, kept in Django's cache (CACHES: the
local-memory cache unless the deployment configures another), and sent with `Cache-Control: public` and a
short max-age so a proxy or the phone may keep them a minute.

A page's cache key carries the page version, the policy version (the centre's facts) and the language.
The page version is one row in the database (`PageVersion`), bumped in the same transaction as every
publish, edit and withdrawal; it is read through the cache for VERSION_SECONDS, and the bump writes the
new number into the cache when its transaction commits. So a change is seen at once by everyone served
through the same cache (every process with a shared cache such as Redis; the process that made it with
the default local-memory cache) and by every other process within VERSION_SECONDS. A page served from the
cache costs no database query at all. Signed-in people get the page rendered fresh; NoStoreMiddleware
then marks it no-store, as every signed-in answer.
"""

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from xinyu.policy.loader import policy_in_force
from xinyu.public.models import PageVersion

MAX_AGE_SECONDS = 60
KEPT_SECONDS = 600  # in Django's cache: the version in the key makes stale entries unreachable anyway
VERSION_SECONDS = 5
VERSION_KEY = "xinyu.public:version"


def stored_version() -> int:
    return PageVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def page_version() -> int:
    number = cache.get(VERSION_KEY)
    if number is None:
        number = stored_version()
        cache.set(VERSION_KEY, number, VERSION_SECONDS)
    return number


def forget_version() -> None:
    cache.delete(VERSION_KEY)


def remember_version(number: int) -> None:
    """After a bump commits: the new number in the cache, so this process (or every one, with a shared
    cache) keys on it from the next request."""
    cache.set(VERSION_KEY, number, VERSION_SECONDS)


def cache_key(request) -> str:
    policy = policy_in_force(timezone.localdate()).key
    return (
        f"xinyu.public:{page_version()}:{policy}:{translation.get_language()}:{request.path}?{request.GET.urlencode()}"
    )


def public_page(request, render) -> HttpResponse:
    """`render()` (an HttpResponse) for this request, from the cache for signed-out visitors."""
    if request.user.is_authenticated:
        return render()
    key = cache_key(request)
    kept = cache.get(key)
    if kept is not None:
        content, content_type = kept
        response = HttpResponse(content, content_type=content_type)
    else:
        response = render()
        if response.status_code == 200:
            cache.set(key, (response.content, response["Content-Type"]), KEPT_SECONDS)
    if response.status_code == 200:
        patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
    return response
