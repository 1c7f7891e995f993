"""Configs: round trips, the CLI's validation and messages."""

from __future__ import annotations

import subprocess

import pytest

import mflda
from conftest import cli_binary


def test_toml_and_dict_round_trips_keep_the_config():
    c = mflda.default_config().set("game.tau", 0.15).set("grid.n", 32)
    assert mflda.Config.from_toml(c.to_toml()) == c
    assert mflda.Config.from_dict(c.to_dict()) == c
    assert c["game.tau"] == 0.15
    assert c.to_dict()["grid"]["n"] == 32


def test_from_toml_reads_files_and_text(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[grid]\ndim = 1\nn = 64\n[game]\ntau = 0.3\n')
    from_file = mflda.Config.from_toml(path)
    assert from_file == mflda.Config.from_toml(str(path))
    assert from_file == mflda.Config.from_toml(path.read_text())
    assert from_file["grid.dim"] == 1


def test_set_validates_like_the_cli_and_leaves_the_config_unchanged(tmp_path):
    c = mflda.default_config()
    before = c.to_toml()
    with pytest.raises(mflda.ConfigError) as e:
        c.set("game.tua", 0.1)
    e_typo = str(e.value)
    assert "did you mean `game.tau`" in e_typo
    with pytest.raises(mflda.ConfigError) as e:
        c.set("game.tau", -1.0)
    assert "game.tau" in str(e.value)
    assert c.to_toml() == before
    # The same message as `mflda equilibrium --set game.tua=0.1`.
    p = subprocess.run(
        [str(cli_binary()), "equilibrium", "--out", str(tmp_path / "x"), "--set", "game.tua=0.1"],
        capture_output=True,
        text=True,
    )
    assert p.returncode != 0
    assert f"error: {e_typo}" in p.stderr, p.stderr


def test_bad_toml_dicts_and_values_raise_config_errors():
    with pytest.raises(mflda.ConfigError, match="not valid TOML"):
        mflda.Config.from_toml("[grid\nn = 3")
    with pytest.raises(mflda.ConfigError, match="grid.n"):
        mflda.Config.from_dict({"grid": {"dim": 2, "n": 3}, "game": {"tau": 0.1}})
    with pytest.raises(mflda.ConfigError):
        mflda.Config.from_dict({"grid": {"dim": 2, "n": None}})
    with pytest.raises(TypeError):
        mflda.default_config().set("game.tau", object())
    with pytest.raises(KeyError):
        mflda.default_config()["game.nothing"]
    with pytest.raises(mflda.MfldaIOError):
        mflda.Config.from_toml("/no/such/file.toml")


def test_strings_need_no_quotes_as_with_set():
    c = mflda.default_config().set("init.mu", "eq * (1.0 + 0.1 * cos(x.x))")
    assert c["init.mu"] == "eq * (1.0 + 0.1 * cos(x.x))"
    with pytest.raises(mflda.ConfigError, match="init.mu"):
        mflda.default_config().set("init.mu", "eq * nope(x.x)")
