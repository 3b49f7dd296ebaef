"""Production settings: HTTPS by default, proxy headers only on request, pages that never 500."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from frontend.views.errors import server_error


def _prod(monkeypatch, **env):
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("quizsite.settings.prod", None)
    return importlib.import_module("quizsite.settings.prod")


def test_it_redirects_to_https_and_sends_hsts_by_default(monkeypatch):
    prod = _prod(monkeypatch)

    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE and prod.LANGUAGE_COOKIE_SECURE
    assert prod.LANGUAGE_COOKIE_SAMESITE == "Lax"


def test_it_lets_the_environment_turn_https_redirect_and_hsts_off(monkeypatch):
    prod = _prod(monkeypatch, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")

    assert prod.SECURE_SSL_REDIRECT is False
    assert prod.SECURE_HSTS_SECONDS == 0


def test_it_trusts_x_forwarded_proto_only_when_told(monkeypatch):
    monkeypatch.delenv("TRUST_X_FORWARDED_PROTO", raising=False)
    assert not hasattr(_prod(monkeypatch), "SECURE_PROXY_SSL_HEADER")

    prod = _prod(monkeypatch, TRUST_X_FORWARDED_PROTO="true")
    assert prod.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
def test_it_serves_pages_with_prod_storage_after_collecting_with_dev_settings(
    monkeypatch, tmp_path, client
):
    # given: static files collected with the development (non-manifest) storage
    prod = _prod(monkeypatch)
    dev_storage = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=dev_storage):
        call_command("collectstatic", "--noinput", "--ignore", "mermaid*", verbosity=0)

    # when: a page is rendered with the production storage
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=prod.STORAGES, DEBUG=False):
        response = client.get("/accounts/login/")

    # then
    assert response.status_code == 200
    assert b"/static/app.js" in response.content


def test_the_500_page_answers_even_when_its_template_fails(rf, monkeypatch):
    def broken(name):
        raise ValueError("Missing staticfiles manifest entry for 'app.css'")

    monkeypatch.setattr("frontend.views.errors.loader.get_template", broken)

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Please try again" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/admin/login/", "/healthz"])
def test_every_page_has_a_csp_without_inline_scripts(client, url):
    policy = client.get(url).headers["Content-Security-Policy"]

    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "object-src 'none'" in policy


def test_check_deploy_is_clean_with_the_documented_environment():
    # given the environment .env.example documents, with a test secret key
    root = Path(__file__).resolve().parents[2]
    documented = dict(
        line.split("=", 1)
        for line in (root / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    # Not the test run's own switches: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this
    # process, which a deployment must not have (async.E001), and CI sets CI.
    inherited = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "CI"}
    }
    env = {**inherited, **documented, "SECRET_KEY": "test-only-" + "7c1e9a4f2b8d6e3a5c0f" * 3}
    # when Django's deployment checks run under the production settings
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then they find nothing (HSTS preload is silenced on purpose: see prod.py)
    assert env["DJANGO_SETTINGS_MODULE"] == "quizsite.settings.prod"
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout
