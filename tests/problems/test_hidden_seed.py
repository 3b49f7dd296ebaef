from django.test import override_settings

from problems.grading import hidden_tests_seed


def test_it_gives_each_submission_its_own_hidden_seed_and_the_same_one_on_a_regrade():
    # given / when
    seeds = [hidden_tests_seed(submission_id=i) for i in range(1, 201)]

    # then
    assert len(set(seeds)) == 200
    assert hidden_tests_seed(submission_id=7) == seeds[6]


def test_it_keys_the_hidden_seed_with_the_secret_so_ids_do_not_predict_inputs():
    with override_settings(SECRET_KEY="one-secret-" * 5):
        first = hidden_tests_seed(submission_id=42)
    with override_settings(SECRET_KEY="another-secret-" * 5):
        second = hidden_tests_seed(submission_id=42)
    assert first != second
