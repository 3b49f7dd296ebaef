"""A Redis that takes connections and never answers (a hung server, a dropped link), for the
tests of code that writes to the cache from a loop that must not wait on it."""

from __future__ import annotations

import contextlib
import socket


class SilentServer:
    """A listening socket nobody answers on; `connections()` counts (and closes) the
    connections made to it so far: one per request that timed out."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]

    def cache_settings(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{self.port}/0",
                "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
            }
        }

    def connections(self) -> int:
        self.socket.setblocking(False)
        asked = 0
        while True:
            try:
                self.socket.accept()[0].close()
            except BlockingIOError:
                return asked
            asked += 1


@contextlib.contextmanager
def silent_cache(settings):
    """The Django cache pointed at a SilentServer for the block; yields the server."""
    server = SilentServer()
    settings.CACHES = server.cache_settings()
    try:
        yield server
    finally:
        server.socket.close()
