from django.urls import path

from . import views

urlpatterns = [path("status/demo-fault/", views.choose_demo_fault, name="demo-fault")]
