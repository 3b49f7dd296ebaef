from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import auth, events, schema, views  # noqa: F401  (schema: OpenAPI annotations)

urlpatterns = [
    path("auth/token/", auth.TokenCreateView.as_view(), name="api-token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="api-logout"),
    path("auth/logoutall/", auth.LogoutAllView.as_view(), name="api-logout-all"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
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
