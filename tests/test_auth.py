"""Sign-in: users file with scrypt hashes, HANDBOK_AUTH for quick setups, roles, the add command."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from assistant.auth import Users, _cli, add_user, hash_password, parse_auth_env, read_users_file, verify_password
from assistant.settings import Settings
from ingest.errors import ConfigError


def test_password_hash_is_salted_and_verifies_only_the_right_password():
    first, second = hash_password("hemligt"), hash_password("hemligt")
    assert first != second and first.startswith("scrypt$") and "hemligt" not in first
    assert verify_password("hemligt", first) and verify_password("hemligt", second)
    assert not verify_password("Hemligt", first)
    assert not verify_password("hemligt", "not-a-hash")


def test_users_file_round_trip_keeps_roles_and_replaces_a_user(tmp_path):
    path = tmp_path / "users.txt"
    add_user(path, "anna", "trainer", "ett lösenord")
    add_user(path, "bo", "staff", "två")
    add_user(path, "bo", "trainer", "tre")  # changed role and password
    text = path.read_text(encoding="utf-8")
    assert "ett lösenord" not in text and text.count("bo:") == 1
    users = Users(read_users_file(path))
    assert users.check("anna", "ett lösenord") and not users.check("anna", "två")
    assert users.check("bo", "tre") and not users.check("bo", "två")
    assert users.role("bo") == "trainer"
    assert users.role("okänd") is None and not users.check("okänd", "tre")


def test_handbok_auth_gives_plain_users_with_staff_as_default_role():
    users = Users(parse_auth_env("anna:hemligt:trainer, bo:lösen ,cia:x:staff"))
    assert users.role("anna") == "trainer" and users.check("anna", "hemligt")
    assert users.role("bo") == "staff" and users.check("bo", "lösen")
    assert users.role("cia") == "staff" and not users.check("cia", "y")


@pytest.mark.parametrize("value", ["anna", "anna:", "anna:x:admin", "anna:x:y:staff", "an na:x", ":x:staff"])
def test_bad_handbok_auth_entries_say_how_to_write_them(value):
    with pytest.raises(ConfigError):
        parse_auth_env(value)


def test_settings_and_environment_are_merged_and_environment_wins(tmp_path):
    path = tmp_path / "users.txt"
    add_user(path, "anna", "staff", "fil")
    users = Users.from_settings(Settings(auth_file=path), {"HANDBOK_AUTH": "anna:env:trainer,bo:b"})
    assert users.role("anna") == "trainer" and users.check("anna", "env")
    assert users.check("bo", "b")


def test_without_users_sign_in_is_off_and_the_local_user_is_a_trainer():
    users = Users.from_settings(Settings(), {})
    assert not users
    assert users.role(None) == "trainer"


def test_missing_or_damaged_users_file_is_a_config_error_that_says_how_to_fix_it(tmp_path):
    with pytest.raises(ConfigError, match="python -m assistant.auth add"):
        read_users_file(tmp_path / "saknas.txt")
    bad = tmp_path / "users.txt"
    bad.write_text("anna:trainer:hemligt\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1"):
        read_users_file(bad)


def test_add_command_prompts_for_the_password_twice_and_writes_a_hash(tmp_path, monkeypatch):
    path = tmp_path / "users.txt"
    monkeypatch.setenv("HANDBOK_USERS", str(path))
    result = CliRunner().invoke(_cli(), ["add", "anna", "--role", "trainer"],
                                input="s3kret-lösen\ns3kret-lösen\n")
    assert result.exit_code == 0, result.output
    assert "s3kret-lösen" not in path.read_text(encoding="utf-8")
    assert Users(read_users_file(path)).check("anna", "s3kret-lösen")
    listed = CliRunner().invoke(_cli(), ["list"])
    assert listed.output.split() == ["anna", "trainer"]


def test_add_command_without_a_file_says_where_to_configure_it(monkeypatch):
    result = CliRunner().invoke(_cli(), ["add", "anna"], input="x\nx\n")
    assert result.exit_code != 0 and "HANDBOK_USERS" in result.output
