"""Settings modules: `base` (shared), `dev` (manage.py default), `prod` (wsgi/asgi default), `test`."""
