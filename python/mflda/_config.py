"""Configs: TOML text validated by the library's own loader."""

from __future__ import annotations

import json
import numbers
import os
from pathlib import Path
from typing import Any, Mapping, Union

from . import _native

__all__ = ["Config", "default_config"]


def np_bool_types() -> tuple:
    """numpy's bool type, when numpy is there (it is a dependency)."""
    try:
        import numpy as np

        return (np.bool_,)
    except ImportError:  # pragma: no cover
        return ()


def _literal(value: Any) -> str:
    """The text `--set key=VALUE` would take for a Python value."""
    if isinstance(value, (bool, np_bool_types())):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value))
    raise TypeError(
        f"config.set: a value of type {type(value).__name__} cannot be a config value; "
        "give a number, a string, a bool or a list"
    )


class Config:
    """A validated mflda configuration (the TOML of ``mflda run CONFIG``).

    Build one with :meth:`from_toml`, :meth:`from_dict` or
    :func:`default_config`; change keys with :meth:`set`, which applies the
    same checks and messages as the CLI's ``--set``. Every change is
    validated at once: a bad key or value raises :class:`mflda.ConfigError`
    naming the key and the fix.
    """

    __slots__ = ("_text",)

    def __init__(self, text: str, origin: str = "the config") -> None:
        self._text = _native.parse(text, origin)

    @classmethod
    def from_toml(cls, text_or_path: Union[str, os.PathLike]) -> "Config":
        """A config from TOML text, or from the path of a TOML file."""
        if isinstance(text_or_path, os.PathLike) or (
            isinstance(text_or_path, str)
            and "\n" not in text_or_path
            and (text_or_path.lower().endswith(".toml") or os.path.isfile(text_or_path))
        ):
            path = Path(text_or_path)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as e:
                raise _native.MfldaIOError(f"reading config file {path}: {e}") from None
            return cls(text, str(path))
        return cls(str(text_or_path))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Config":
        """A config from nested dicts (tables) of numbers, strings, bools, lists."""
        c = cls.__new__(cls)
        c._text = _native.from_json(json.dumps(d))
        return c

    def set(self, key: str, value: Any) -> "Config":
        """Sets the dotted ``key`` (``"game.tau"``, ``"species.mu.tau"``) to
        ``value`` as ``--set key=value`` does, in place; returns ``self``."""
        self._text = _native.with_sets(self._text, [f"{key}={_literal(value)}"])
        return self

    def copy(self) -> "Config":
        """An independent copy."""
        c = Config.__new__(Config)
        c._text = self._text
        return c

    def to_toml(self) -> str:
        """The config as TOML text (every table, canonical form)."""
        return self._text

    def to_dict(self) -> dict:
        """The config as nested dicts (keys left out are at their defaults)."""
        return json.loads(_native.to_json(self._text))

    def resolved(self) -> "Config":
        """The config with its output schedules made concrete, as a run's
        ``config.toml`` records them."""
        c = Config.__new__(Config)
        c._text = _native.resolved(self._text)
        return c

    def __getitem__(self, key: str) -> Any:
        """``config["game.tau"]``: the value of a dotted key (``[[species]]``
        entries by name, ``species.rho.tau``; other arrays by index,
        ``coupling.0.kernel``); KeyError for a key the config leaves out."""
        node: Any = self.to_dict()
        for part in key.split("."):
            if isinstance(node, list):
                match = [s for s in node if isinstance(s, dict) and s.get("name") == part]
                if match:
                    node = match[0]
                elif part.isdigit() and int(part) < len(node):
                    node = node[int(part)]
                else:
                    raise KeyError(key)
            elif isinstance(node, dict) and part in node and node[part] is not None:
                node = node[part]
            else:
                raise KeyError(key)
        return node

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and other._text == self._text

    def __repr__(self) -> str:
        return f"Config.from_toml('''\n{self._text}''')"


def default_config() -> Config:
    """The embedded default config (``assets/default.toml``): what
    ``mflda run`` runs without a config file."""
    return Config(_native.default_toml(), "the embedded default (assets/default.toml)")


def as_config(config: Union[Config, str, os.PathLike, Mapping[str, Any], None]) -> Config:
    """A :class:`Config` from what the functions accept: a Config, TOML text
    or a path, a dict, or ``None`` for the default."""
    if config is None:
        return default_config()
    if isinstance(config, Config):
        return config
    if isinstance(config, Mapping):
        return Config.from_dict(config)
    return Config.from_toml(config)
