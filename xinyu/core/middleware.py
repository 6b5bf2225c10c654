from django.conf import settings
from django.utils import translation


class DefaultLanguageMiddleware:
    """简体中文 unless the person chose another language (the set_language cookie).

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted: a college's
    computers are often set up in English, and Xinyu's users expect the Chinese interface.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every answer to a signed-in person and on every download.

    Any page a signed-in person sees may carry T2+ data (the file, a work list, a name on the registry), so
    no browser cache, shared computer or proxy keeps any of them; finer rules would only add ways to forget
    one. Static files never get here: WhiteNoise answers them before the session is even read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) or response.has_header("Content-Disposition"):
            response["Cache-Control"] = "no-store, private"
        return response
