"""Requests sent all at once from threads, for the tests of simultaneous duplicates."""

from __future__ import annotations

import threading

from django.db import connection


def all_at_once(send, count: int = 20) -> list:
    """Run `send(i)` in `count` threads released together; each result or the exception raised.

    Send through test clients made with `raise_request_exception=False`: Django's test client
    hears every thread's exception through one signal, not its own, so each thread should count
    the 500 page its own request got instead."""
    results: list = [None] * count
    start = threading.Barrier(count)

    def run(i):
        try:
            start.wait()
            results[i] = send(i)
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever escaped
            results[i] = exc
        finally:
            connection.close()  # each thread has its own connection to the test database

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
