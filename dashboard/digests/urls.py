from django.urls import path

from . import views

urlpatterns = [
    path("digests/", views.digest_list, name="digest-list"),
    path("digests/<int:pk>/delete/", views.digest_delete, name="digest-delete"),
]
