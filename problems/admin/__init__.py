"""The Django admin is where authors write, prove, publish and fix problems."""

from django.contrib import admin

from . import content, learners  # noqa: F401  (each registers its ModelAdmins)

admin.site.site_header = "DL Exam Prep — authoring"
admin.site.site_title = "DL Exam Prep admin"
