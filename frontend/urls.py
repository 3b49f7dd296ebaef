from django.contrib.auth import views as auth_views
from django.urls import path

from . import study_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("problems/<slug:slug>/", views.problem_detail, name="problem"),
    path("problems/<slug:slug>/submit/", views.problem_submit, name="problem_submit"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz"),
    path("quizzes/<slug:slug>/start/", views.quiz_start, name="quiz_start"),
    path("attempts/<int:pk>/q/<int:number>/", views.attempt_question, name="attempt_question"),
    path("attempts/<int:pk>/finish/", views.attempt_end, name="attempt_finish"),
    path("attempts/<int:pk>/abandon/", views.attempt_leave, name="attempt_abandon"),
    path("attempts/<int:pk>/review/", views.attempt_review, name="attempt_review"),
    path("submissions/", views.my_submissions, name="submissions"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("progress/", views.dashboard, name="dashboard"),
    path("review/", study_views.review_today, name="review"),
    path("review/next/", study_views.review_next, name="review_next"),
    path("review/settings/", study_views.review_settings, name="review_settings"),
    path("mistakes/", study_views.mistakes, name="mistakes"),
    path("problems/<slug:slug>/hint/", study_views.hint_next, name="hint_next"),
    path("problems/<slug:slug>/bookmark/", study_views.bookmark, name="bookmark"),
    path("problems/<slug:slug>/solution/", study_views.show_solution, name="show_solution"),
    path(
        "problems/<slug:slug>/explanation/",
        study_views.explanation_fragment,
        name="problem_explanation",
    ),
    path("sections/<slug:slug>/study/", study_views.study_section, name="study_section"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
