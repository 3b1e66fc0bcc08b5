import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.env import env_bool, env_choice, env_int, env_list, env_range, env_str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)

    assert env_bool("FLAG") is expected


def test_env_bool_falls_back_to_its_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)

    assert env_bool("FLAG", True) is True


def test_env_bool_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="FLAG must be one of"):
        env_bool("FLAG")


def test_env_int_reads_a_number_within_bounds(monkeypatch):
    monkeypatch.setenv("COUNT", "7")

    assert env_int("COUNT", 1, minimum=1, maximum=10) == 7


def test_env_int_uses_the_default_for_an_empty_value(monkeypatch):
    monkeypatch.setenv("COUNT", " ")

    assert env_int("COUNT", 3) == 3


@pytest.mark.parametrize(
    ("raw", "message"),
    [("seven", "whole number"), ("0", "at least 1"), ("11", "at most 10")],
)
def test_env_int_refuses_a_bad_value(monkeypatch, raw, message):
    monkeypatch.setenv("COUNT", raw)

    with pytest.raises(ImproperlyConfigured, match=message):
        env_int("COUNT", 1, minimum=1, maximum=10)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example, b.example ,,")

    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_env_list_and_env_str_fall_back_to_their_defaults(monkeypatch):
    monkeypatch.delenv("HOSTS", raising=False)

    assert env_list("HOSTS", ["localhost"]) == ["localhost"]
    assert env_str("HOSTS", "x") == "x"


def test_env_range_reads_low_dash_high(monkeypatch):
    monkeypatch.setenv("RANGE", "8-12")

    assert env_range("RANGE", (10, 15)) == (8, 12)


@pytest.mark.parametrize("raw", ["12", "a-b", "12-8", "0-3"])
def test_env_range_refuses_a_bad_range(monkeypatch, raw):
    monkeypatch.setenv("RANGE", raw)

    with pytest.raises(ImproperlyConfigured, match="RANGE must"):
        env_range("RANGE", (10, 15))


def test_env_choice_reads_one_of_the_known_values(monkeypatch):
    monkeypatch.setenv("REGION", " IE ")

    assert env_choice("REGION", "GB", {"GB", "IE"}, example="a country code") == "IE"


def test_env_choice_falls_back_to_its_default_when_unset_or_empty(monkeypatch):
    monkeypatch.setenv("REGION", "")

    assert env_choice("REGION", "GB", {"GB", "IE"}, example="a country code") == "GB"


def test_env_choice_refuses_an_unknown_value_and_says_what_it_wants(monkeypatch):
    monkeypatch.setenv("REGION", "UK")

    with pytest.raises(ImproperlyConfigured, match="REGION must be a country code; got 'UK'"):
        env_choice("REGION", "GB", {"GB", "IE"}, example="a country code")
