"""Docker cannot run here, so the compose file is checked for structure and for commands that exist."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_runs_the_full_stack():
    assert set(SERVICES) == {"postgres", "redis", "web", "proxy", "worker", "beat"}


def test_only_the_tls_proxy_publishes_ports():
    published = {name for name, service in SERVICES.items() if service.get("ports")}

    assert published == {"proxy"}
    assert SERVICES["web"]["expose"] == ["8000"]
    assert {"80:80", "443:443"} <= set(SERVICES["proxy"]["ports"])


def test_the_proxy_terminates_tls_with_an_internal_certificate_and_forwards_to_gunicorn():
    caddyfile = (ROOT / "Caddyfile").read_text()
    mounts = SERVICES["proxy"]["volumes"]

    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in mounts
    assert "tls internal" in caddyfile
    assert "reverse_proxy web:8000" in caddyfile
    assert SERVICES["web"]["environment"]["TRUST_X_FORWARDED_PROTO"] == "true"


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker"])
def test_long_running_services_have_health_checks(name):
    assert SERVICES[name]["healthcheck"]["test"]


def test_redis_persists_and_never_evicts():
    command = " ".join(SERVICES["redis"]["command"])
    assert "--appendonly yes" in command and "--maxmemory-policy noeviction" in command


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_read_the_same_settings_from_the_environment(name):
    env = SERVICES[name]["environment"]
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"} <= set(env)
    assert env["DJANGO_SETTINGS_MODULE"] == "quizsite.settings.prod"
    assert SERVICES[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_command_exists_in_the_project():
    from django.core.management import get_commands

    commands = " ".join(" ".join(SERVICES[name]["command"]) for name in ("web", "worker", "beat"))
    for management_command in ("migrate", "load_curriculum", "collectstatic"):
        assert f"manage.py {management_command}" in commands
        assert management_command in get_commands()
    assert "gunicorn quizsite.wsgi:application" in commands
    import quizsite.wsgi  # noqa: F401  (the module gunicorn loads)

    assert "celery -A quizsite worker" in " ".join(SERVICES["worker"]["command"])
    from quizsite.celery import app

    assert app.main == "quizsite"
    assert (ROOT / "Dockerfile").exists()


def test_the_web_health_check_url_exists(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
