import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_it_creates_missing_demo_users_with_the_printed_password(capsys):
    call_command("create_demo_users")

    out = capsys.readouterr().out
    learner = get_user_model().objects.get(username="learner")
    assert learner.check_password("learner-demo-pass")
    assert "username=learner password=learner-demo-pass" in out
    assert get_user_model().objects.get(username="admin").is_superuser


def test_it_keeps_an_existing_demo_users_password():
    # given a demo learner who changed their password
    call_command("create_demo_users")
    learner = get_user_model().objects.get(username="learner")
    learner.set_password("changed-by-learner")
    learner.save()

    # when make run runs the command again
    call_command("create_demo_users")

    # then the password is not reset
    learner.refresh_from_db()
    assert learner.check_password("changed-by-learner")
    assert not learner.check_password("learner-demo-pass")


def test_the_demo_reviewer_may_read_learners_work_and_the_author_may_not():
    call_command("create_demo_users")
    users = get_user_model().objects
    assert users.get(username="reviewer").has_perm("problems.view_learner_work")
    assert not users.get(username="author").has_perm("problems.view_learner_work")
    assert users.get(username="admin").has_perm("problems.view_learner_work")
