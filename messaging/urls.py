from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
