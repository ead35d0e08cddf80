import pytest

from interviewer.cli import main
from interviewer.config import load_settings
from interviewer.errors import UserError
from tests.conftest import SENTINEL_KEY


def write_config(home, text):
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_are_the_embedded_model():
    s = load_settings()
    assert s.backend == "local"
    assert s.round == "bar_raiser"
    assert s.openai_api_key is None


def test_precedence_flags_over_env_over_file(home, monkeypatch):
    write_config(home, 'backend = "openai"\nopenai_model = "from-file"\ntime_budget_minutes = 30\n')
    monkeypatch.setenv("INTERVIEWER_OPENAI_MODEL", "from-env")
    s = load_settings()
    assert (s.backend, s.openai_model, s.time_budget_minutes) == ("openai", "from-env", 30)
    assert load_settings(backend="local").backend == "local"


def test_standard_openai_variables_are_read(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    s = load_settings()
    assert s.openai_api_key.get_secret_value() == SENTINEL_KEY
    assert s.openai_base_url == "http://127.0.0.1:1/v1"


def test_malformed_toml_names_file_and_line(home):
    path = write_config(home, 'backend = "local"\nthis is not toml\n')
    with pytest.raises(UserError) as err:
        load_settings()
    assert str(path) in str(err.value) and "line 2" in str(err.value)


def test_invalid_value_is_one_line(home):
    write_config(home, "max_depth = 9\n")
    with pytest.raises(UserError, match="max_depth"):
        load_settings()


def test_unknown_key_is_refused(home):
    write_config(home, "bakend = 'local'\n")
    with pytest.raises(UserError, match="bakend"):
        load_settings()


def test_config_command_masks_the_key(monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert SENTINEL_KEY not in out
    assert 'openai_api_key = "**** (set)"' in out
    assert 'backend = "local"' in out


def test_malformed_config_exits_2_with_one_line(home, capsys):
    write_config(home, "[[[\n")
    assert main(["config"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "config file" in err and "Traceback" not in err
