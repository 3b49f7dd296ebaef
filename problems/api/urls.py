from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from . import events, views

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("problems/", views.ProblemListView.as_view(), name="api-problem-list"),
    path("problems/<slug:slug>/", views.ProblemDetailView.as_view(), name="api-problem-detail"),
    path(
        "problems/<slug:slug>/answers/", views.AnswerCreateView.as_view(), name="api-answer-create"
    ),
    path(
        "problems/<slug:slug>/submissions/",
        views.SubmissionCreateView.as_view(),
        name="api-submission-create",
    ),
    path("submissions/", views.SubmissionListView.as_view(), name="api-submission-list"),
    path(
        "submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="api-submission-detail"
    ),
    path("submissions/<int:pk>/events/", events.submission_events, name="api-submission-events"),
]
