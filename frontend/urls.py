from django.contrib.auth import views as auth_views
from django.urls import path

from .views import accounts, errors, problems, progress, quizzes, study

urlpatterns = [
    path("", problems.home, name="home"),
    path("healthz", errors.healthz, name="healthz"),
    path("sections/<slug:slug>/", problems.section_detail, name="section"),
    path("problems/<slug:slug>/", problems.problem_detail, name="problem"),
    path("problems/<slug:slug>/submit/", problems.problem_submit, name="problem_submit"),
    path("preview/problems/<int:pk>/", problems.problem_preview, name="problem_preview"),
    path("quizzes/<slug:slug>/", quizzes.quiz_detail, name="quiz"),
    path("quizzes/<slug:slug>/start/", quizzes.quiz_start, name="quiz_start"),
    path("attempts/<int:pk>/q/<int:number>/", quizzes.attempt_question, name="attempt_question"),
    path("attempts/<int:pk>/finish/", quizzes.attempt_end, name="attempt_finish"),
    path("attempts/<int:pk>/abandon/", quizzes.attempt_leave, name="attempt_abandon"),
    path("attempts/<int:pk>/review/", quizzes.attempt_review, name="attempt_review"),
    path("submissions/", progress.my_submissions, name="submissions"),
    path("submissions/<int:pk>/", progress.submission_detail, name="submission"),
    path("progress/", progress.dashboard, name="dashboard"),
    path("review/", study.review_today, name="review"),
    path("review/next/", study.review_next, name="review_next"),
    path("review/settings/", study.review_settings, name="review_settings"),
    path("mistakes/", study.mistakes, name="mistakes"),
    path("problems/<slug:slug>/hint/", study.hint_next, name="hint_next"),
    path("problems/<slug:slug>/bookmark/", study.bookmark, name="bookmark"),
    path("problems/<slug:slug>/solution/", study.show_solution, name="show_solution"),
    path(
        "problems/<slug:slug>/explanation/",
        study.explanation_fragment,
        name="problem_explanation",
    ),
    path("sections/<slug:slug>/study/", study.study_section, name="study_section"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
