from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("shares/", views.share_list, name="share-list"),
    path("shares/new/", views.share_create, name="share-create"),
    path("shares/<int:pk>/revoke/", views.share_revoke, name="share-revoke"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
