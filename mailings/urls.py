from django.urls import path

from . import views

app_name = "mailings"

urlpatterns = [
    path("<int:participant>/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
]
