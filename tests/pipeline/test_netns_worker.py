"""A grader on another host: a Celery worker in its own network namespace, reaching PostgreSQL
and Redis only over a veth link, with the production settings, grades what the web side sends.

The "other host" is a network namespace joined with `nsenter --net` (and its own UTS namespace,
so it has its own hostname). `ip netns exec` is not used: it remounts /sys, which hides the
cgroup hierarchy the sandbox needs. PostgreSQL and Redis listen on 127.0.0.1 only, as on a
real database host behind a firewall, so the test forwards the host end of the veth link to
them; the worker is given only that address (docs/deploy.md, "Workers on other hosts").
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from django.db import connection
from rest_framework.test import APIClient

from problems.models import Submission
from tests.factories import make_user
from tests.pipeline.conftest import ROOT, Worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

# Redis db 13: the other pipeline tests use 15, the benchmark 14.
BROKER_DB = 13
NAME = f"qsw{os.getpid() % 100000}"
SUBNET = 10 + os.getpid() % 200  # 10.254.<SUBNET>.0/30
HOST_IP = f"10.254.{SUBNET}.1"
WORKER_IP = f"10.254.{SUBNET}.2"
WORKER_HOSTNAME = "grader-b"


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=30)


def in_netns(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return run("nsenter", f"--net=/run/netns/{NAME}", "--", *argv, check=check)


def _ns_inode(path: str) -> int:
    return os.stat(path).st_ino


@pytest.fixture
def netns():
    """A namespace `NAME` linked to the host by a veth pair: host HOST_IP, worker WORKER_IP."""
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("nsenter"):
        pytest.skip("needs root, iproute2 and nsenter to make a network namespace")
    run("ip", "netns", "del", NAME, check=False)
    run("ip", "netns", "add", NAME)
    try:
        run("ip", "link", "add", f"{NAME}h", "type", "veth", "peer", "name", f"{NAME}w")
        run("ip", "link", "set", f"{NAME}w", "netns", NAME)
        run("ip", "addr", "add", f"{HOST_IP}/30", "dev", f"{NAME}h")
        run("ip", "link", "set", f"{NAME}h", "up")
        in_netns("ip", "addr", "add", f"{WORKER_IP}/30", "dev", f"{NAME}w")
        in_netns("ip", "link", "set", f"{NAME}w", "up")
        in_netns("ip", "link", "set", "lo", "up")
        yield NAME
    finally:
        run("ip", "link", "del", f"{NAME}h", check=False)
        run("ip", "netns", "del", NAME, check=False)


class Forwarder:
    """Accepts on (HOST_IP, port) and relays each connection to 127.0.0.1:port."""

    def __init__(self, port: int):
        self.port = port
        self.connections = 0
        self.listener = socket.create_server((HOST_IP, port))
        self.listener.settimeout(0.2)
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            upstream = socket.create_connection(("127.0.0.1", self.port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
        self.thread.join(timeout=5)


@pytest.fixture
def forwarders(netns):
    opened = {port: Forwarder(port) for port in (5432, 6379)}
    yield opened
    for forwarder in opened.values():
        forwarder.close()


class RemoteWorker(Worker):
    """The worker, started inside the namespace with the production settings and only the
    veth address of the services."""

    def env(self) -> dict:
        db = connection.settings_dict
        broker = f"redis://{HOST_IP}:6379/{BROKER_DB}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS"))}
        env.pop("CELERY_BROKER_URL", None)
        env.update(
            DJANGO_SETTINGS_MODULE="quizsite.settings.prod",
            # The web side's key: hidden-test seeds are derived from it.
            SECRET_KEY=str(self.secret_key),
            DATABASE_URL=f"postgres://{db['USER'] or 'postgres'}@{HOST_IP}:5432/{db['NAME']}",
            REDIS_URL=broker,
            CELERY_BROKER_URL=broker,
            GRADING_BACKEND="celery",
        )
        return env

    def start(self) -> None:
        log = open(self.log_path, "ab")
        celery = [sys.executable, "-m", "celery", "-A", "quizsite", "worker", "-l", "info"]
        celery += ["-Q", "grading,training", "-c", "1", "--without-gossip", "--without-mingle"]
        script = f'hostname {WORKER_HOSTNAME} && exec "$@"'
        self.process = subprocess.Popen(
            ["nsenter", f"--net=/run/netns/{NAME}", "--", "unshare", "--uts", "--"]
            + ["sh", "-c", script, "sh", *celery],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture
def remote_broker(settings, transactional_db):
    """The web side (this process) sends to Redis db 13 on loopback, as the web host would."""
    from quizsite.celery import app

    url = f"redis://127.0.0.1:6379/{BROKER_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    settings.GRADING_BACKEND = "celery"
    settings.SUBMISSIONS_IN_FLIGHT_PER_USER = 1000
    # The Django namespace prefixes Celery's keys: `app.conf.broker_url = ...` would not stick.
    previous = app.conf["CELERY_BROKER_URL"]
    # Pools made by earlier tests hold connections to another db; start fresh ones.
    app.conf["CELERY_BROKER_URL"] = url
    app._pool = None
    app.amqp._producer_pool = None
    assert app.conf.broker_write_url == url
    yield client
    app.conf["CELERY_BROKER_URL"] = previous
    app._pool = None
    app.amqp._producer_pool = None
    client.flushdb()


@pytest.fixture
def remote_worker(tmp_path, settings, forwarders, remote_broker):
    worker = RemoteWorker(tmp_path / "remote-worker.log")
    worker.secret_key = settings.SECRET_KEY
    worker.start()
    yield worker
    worker.stop()


def _descendants(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid] + [d for child in children for d in _descendants(int(child))]


def test_the_namespace_is_another_host_with_only_the_veth_link(netns, forwarders):
    links = in_netns("ip", "-o", "link", "show").stdout
    names = sorted(line.split(":")[1].strip().split("@")[0] for line in links.splitlines())
    assert names == sorted(["lo", f"{NAME}w"])
    assert _ns_inode(f"/run/netns/{NAME}") != _ns_inode("/proc/self/ns/net")
    # The services are not on the worker's loopback: only the forwarded veth address has them.
    probe = "import socket,sys; socket.create_connection((sys.argv[1], 5432), timeout=2)"
    refused = in_netns(sys.executable, "-c", probe, "127.0.0.1", check=False)
    assert refused.returncode != 0 and "Connection refused" in refused.stderr
    assert in_netns(sys.executable, "-c", probe, HOST_IP, check=False).returncode == 0


def test_a_worker_on_another_host_grades_right_and_wrong_answers(
    remote_worker, forwarders, lstm_cell
):
    # given a learner and a worker that can reach the services only through the veth link
    learner = make_user()
    client = APIClient()
    client.force_authenticate(learner)
    spec = lstm_cell.versions.get().engine_spec
    url = f"/api/problems/{lstm_cell.slug}/submissions/"
    # when the learner submits a correct and a wrong solution through the API
    right = client.post(url, {"code": spec["solution"]}, format="json")
    wrong = client.post(url, {"code": spec["mutants"][0]["code"]}, format="json")
    assert right.status_code == wrong.status_code == 202, (right.content, wrong.content)
    # then the remote worker grades both with the same verdicts the local pipeline gives
    finished = wait_until(
        lambda: all(
            s.is_finished
            for s in Submission.objects.filter(pk__in=[right.data["id"], wrong.data["id"]])
        ),
        timeout=180,
        what="both verdicts from the remote worker",
        worker=remote_worker,
    )
    assert finished
    ac = Submission.objects.get(pk=right.data["id"])
    wa = Submission.objects.get(pk=wrong.data["id"])
    assert (ac.verdict, ac.score) == ("AC", ac.max_score), ac.result
    assert wa.verdict == "WA" and wa.score < wa.max_score, wa.result
    # and it was that worker, in the namespace, that did it
    pids = _descendants(remote_worker.process.pid)
    worker_pids = [p for p in pids if b"celery" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert worker_pids
    for pid in worker_pids:
        assert _ns_inode(f"/proc/{pid}/ns/net") == _ns_inode(f"/run/netns/{NAME}")
        assert _ns_inode(f"/proc/{pid}/ns/uts") != _ns_inode("/proc/self/ns/uts")
    assert WORKER_HOSTNAME in remote_worker.log()
    # over the veth link: the database and the broker were reached through the forwarders
    assert forwarders[5432].connections > 0 and forwarders[6379].connections > 0
