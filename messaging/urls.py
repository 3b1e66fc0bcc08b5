from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path("feedback/<str:token>/language/", views.feedback_language, name="feedback_language"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "unsubscribe/<str:token>/language/",
        views.unsubscribe_language,
        name="unsubscribe_language",
    ),
]
