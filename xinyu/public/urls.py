from django.urls import path

from xinyu.public import views

app_name = "public"

urlpatterns = [
    # Everyone, no sign-in.
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/<id:pk>/", views.article, name="article"),
    path("images/<id:pk>/", views.image, name="image"),
    # The centre's editors.
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.article_new, name="article_new"),
    path("manage/<id:pk>/", views.article_edit, name="article_edit"),
    path("manage/<id:pk>/preview/", views.article_preview, name="article_preview"),
    path("manage/<id:pk>/publish/", views.article_publish, name="article_publish"),
    path("manage/<id:pk>/withdraw/", views.article_withdraw, name="article_withdraw"),
    path("manage/<id:pk>/images/", views.image_add, name="image_add"),
    path("manage/images/<id:pk>/delete/", views.image_delete, name="image_delete"),
]
