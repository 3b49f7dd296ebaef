from django.urls import path

from . import api

urlpatterns = [
    path("review/", api.ReviewDueView.as_view(), name="api-review"),
    path("progress/", api.ProgressView.as_view(), name="api-progress"),
    path("problems/<slug:slug>/hints/<int:n>/", api.HintView.as_view(), name="api-hint"),
]
