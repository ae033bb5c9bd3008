from django.urls import path

from . import views

urlpatterns = [path("changes/", views.change_list, name="change-list")]
