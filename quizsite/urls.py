from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("problems.api.urls")),
    path("api/", include("study.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("frontend.urls")),
]

handler400 = "frontend.views.errors.bad_request"
handler404 = "frontend.views.errors.page_not_found"
handler500 = "frontend.views.errors.server_error"
