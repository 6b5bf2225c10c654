"""The public mental-health page at /xinli/ (第七条(五)): no sign-in, phone-first, cached for signed-out
visitors; and the centre's editor pages (write, preview, publish, withdraw, images).

The public pages show the centre's facts from the policy file's [centre] table and published articles;
nothing from any other app and never a student.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.common.access import public, requires
from xinyu.org.models import School
from xinyu.policy.loader import policy_in_force
from xinyu.public import scope, services
from xinyu.public.cache import public_page
from xinyu.public.forms import ArticleForm, ImageForm
from xinyu.public.models import Article

PAGE_SIZE = 10
HOME_ARTICLES = 5


def _centre():
    return policy_in_force(timezone.localdate()).centre


def _common(request) -> dict:
    return {
        "centre": _centre(),
        "may_edit": request.user.is_authenticated and scope.may_edit_articles(request.user),
    }


@public
def home(request):
    def page():
        articles = list(scope.published_articles().only("pk", "title", "summary", "published_at")[:HOME_ARTICLES])
        context = _common(request) | {"articles": articles, "booking_url": reverse("counselling:booking_start")}
        return render(request, "public/home.html", context)

    return public_page(request, page)


@public
def article_list(request):
    def page():
        paginator = Paginator(scope.published_articles().only("pk", "title", "summary", "published_at"), PAGE_SIZE)
        articles = paginator.get_page(request.GET.get("page"))
        return render(request, "public/article_list.html", _common(request) | {"page": articles})

    return public_page(request, page)


@public
def article(request, pk):
    def page():
        found = scope.published_articles().filter(pk=pk).first()
        if found is None:
            raise Http404
        return render(request, "public/article.html", _common(request) | {"article": found})

    return public_page(request, page)


def _image_response(image, *, public_answer: bool) -> HttpResponse:
    response = HttpResponse(bytes(image.data), content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if public_answer:
        response["Cache-Control"] = "public, max-age=300"
    return response


@public
def image(request, pk):
    """An article's image: to everyone while the article is published; to its editors always (previews)."""
    found = scope.public_image(pk)
    if found is not None:
        return _image_response(found, public_answer=True)
    if request.user.is_authenticated:
        found = scope.editable_image(request.user, pk)
        if found is not None:
            return _image_response(found, public_answer=False)
    raise Http404


# --- The centre's editor pages ------------------------------------------------------------------------


def _editable(request, pk) -> Article:
    found = scope.editable_articles(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@requires(scope.may_edit_articles, "public_editor")
def manage(request):
    articles = scope.editable_articles(request.user).select_related("updated_by", "published_by")
    status = request.GET.get("status", "")
    if status in Article.Status.values:
        articles = articles.filter(status=status)
    page = Paginator(articles.order_by("-updated_at", "-pk"), 30).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": Article.Status.choices}
    return render(request, "public/manage.html", context)


@requires(scope.may_edit_articles, "public_editor")
def article_new(request):
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        school = School.objects.get(pk=min(scope.editor_schools(request.user)))
        try:
            created = services.create_article(school, by=request.user, **form.cleaned_data)
        except services.ArticleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Draft saved. Preview it, add images, then publish."))
            return redirect("public:article_edit", pk=created.pk)
    return render(request, "public/article_form.html", {"form": form, "article": None})


@requires(scope.may_edit_articles, "public_editor")
def article_edit(request, pk):
    found = _editable(request, pk)
    form = ArticleForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_article(found, by=request.user, **form.cleaned_data)
        except services.ArticleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("public:article_edit", pk=found.pk)
    context = {"form": form, "article": found, "images": found.images.order_by("pk"), "image_form": ImageForm()}
    return render(request, "public/article_form.html", context)


@requires(scope.may_edit_articles, "public_editor")
def article_preview(request, pk):
    """The article as the public page will show it, whatever its status (editors only, never cached)."""
    found = _editable(request, pk)
    return render(request, "public/article.html", _common(request) | {"article": found, "preview": True})


def _move(request, pk, action, done: str):
    found = _editable(request, pk)
    try:
        action(found, by=request.user)
    except services.ArticleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("public:article_edit", pk=found.pk)


@requires(scope.may_edit_articles, "public_editor")
@require_POST
def article_publish(request, pk):
    return _move(request, pk, services.publish, _("Published: the article is on the public page now."))


@requires(scope.may_edit_articles, "public_editor")
@require_POST
def article_withdraw(request, pk):
    return _move(request, pk, services.withdraw, _("Withdrawn: the article is no longer on the public page."))


@requires(scope.may_edit_articles, "public_editor")
@require_POST
def image_add(request, pk):
    found = _editable(request, pk)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_image(
                found, by=request.user, upload=form.cleaned_data["image"], description=form.cleaned_data["description"]
            )
        except services.ArticleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Image added. Put its line into the text where it should appear."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("public:article_edit", pk=found.pk)


@requires(scope.may_edit_articles, "public_editor")
@require_POST
def image_delete(request, pk):
    found = scope.editable_image(request.user, pk)
    if found is None:
        raise Http404
    article_pk = found.article_id
    services.delete_image(found)
    messages.success(request, _("Image removed."))
    return redirect("public:article_edit", pk=article_pk)
