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
