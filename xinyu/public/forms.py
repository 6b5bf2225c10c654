from django import forms
from django.utils.translation import gettext_lazy as _

from xinyu.public.images import MAX_BYTES
from xinyu.public.models import Article


def _bootstrap(form):
    for field in form.fields.values():
        css = field.widget.attrs.get("class", "")
        field.widget.attrs["class"] = f"form-control {css}".strip()


class ArticleForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    class Meta:
        model = Article
        fields = ["title", "summary", "body"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
        }
        help_texts = {
            "summary": _("One or two sentences shown in the list of articles."),
            "body": _(
                "Markdown: a blank line between paragraphs, ## for a heading, - for a list, **bold**, "
                "[text](https://…) for a link; images uploaded below are added with the line shown beside them. "
                "Never name a student or describe a case someone could recognise."
            ),
        }


class ImageForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    image = forms.ImageField(
        label=_("Image"),
        help_text=_("JPEG, PNG or WebP, at most %(mb)s MB; location and camera data are removed.")
        % {"mb": MAX_BYTES // (1024 * 1024)},
    )
    description = forms.CharField(label=_("Description (for readers who cannot see it)"), max_length=120)
