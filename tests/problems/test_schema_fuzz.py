"""The OpenAPI schema is served and fuzzed: a bounded schemathesis run against a live server,
as a learner, finds no 5xx and no response that breaks the schema."""

import re

import hypothesis
import hypothesis.errors
import pytest
import requests
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, Phase
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from problems.services.submissions import submission_create
from tests.factories import make_choice_problem, make_code_problem, make_user

EXAMPLES_PER_OPERATION = 25
# Fuzzing these would revoke the token the run authenticates with.
NOT_FUZZED = {"/api/auth/logout/", "/api/auth/logoutall/"}


@pytest.fixture
def api(live_server, transactional_db, settings):
    settings.GRADING_BACKEND = "none"
    cache.clear()
    learner = make_user("fuzzer")
    make_choice_problem(slug="fuzz-choice")
    code = make_code_problem(slug="fuzz-code")
    submission = submission_create(
        user=learner, problem=code, code="def double(x):\n    return 2 * x\n"
    )
    _, token = AuthToken.objects.create(learner)
    known = {
        "/api/problems/{slug}/": {"slug": "fuzz-code"},
        "/api/problems/{slug}/answers/": {"slug": "fuzz-choice"},
        "/api/problems/{slug}/submissions/": {"slug": "fuzz-code"},
        "/api/submissions/{id}/": {"id": submission.pk},
    }
    return live_server.url, {"Authorization": f"Token {token}"}, known


def test_it_serves_the_schema_and_offline_docs(api):
    url, _, _ = api
    schema = requests.get(f"{url}/api/schema/", timeout=10)
    assert schema.status_code == 200 and b"/api/problems/{slug}/submissions/" in schema.content
    docs = requests.get(f"{url}/api/docs/", timeout=10)
    assert docs.status_code == 200
    page = docs.text
    assert "swagger-ui" in page and "cdn" not in page.lower() and "https://" not in page
    # No inline script (the CSP allows only 'self'): each one is a file served here.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    for source in re.findall(r'<script src="([^"]+)"', page):
        assert requests.get(f"{url}{source}", timeout=10).status_code == 200, source


@pytest.mark.slow
def test_a_bounded_fuzz_of_every_operation_finds_no_server_error(api):
    url, headers, known = api
    schema = schemathesis.openapi.from_url(f"{url}/api/schema/")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        if operation.path in NOT_FUZZED:
            continue
        # Random paths, then the bodies and queries against objects that exist.
        for path_parameters in ({}, known.get(operation.path)):
            if path_parameters is None:
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                strategy = operation.as_strategy(
                    generation_mode=mode, path_parameters=path_parameters
                )
                _fuzz(operation, strategy, mode, url, headers, failures)
    assert failures == [], "\n".join(failures[:20])


def _fuzz(operation, strategy, mode, url, headers, failures) -> None:
    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,  # the same examples every run
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(base_url=url, headers=headers, timeout=30)
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except (FailureGroup, AssertionError) as failure:
            failures.append(
                f"{operation.method.upper()} {operation.path} [{mode.value}] "
                f"→ {response.status_code}: {str(failure)[:400]}"
            )

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        pass  # no negative example exists (e.g. an operation with nothing but optional strings)
