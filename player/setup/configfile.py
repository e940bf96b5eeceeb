"""The config file edited the way a person would: only the keys setup sets change; comments,
order and every other key stay. The new file is checked before it replaces the old one, is
written beside it and renamed into place, and the old one is kept as `config.toml.bak`: a
person's file is never lost."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import tomlkit

from player import config
from player.core.errors import ConfigError, Problem


def edit(path: Path, changes: dict[str, Any]) -> Path | None:
    """Set each `section.key` in `changes` in the file at `path` (made if missing); return
    where the old file was kept, if there was one. ConfigError if the result would not load."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as error:
        message = f"expected a TOML file setup can edit, found: {error}"
        raise ConfigError([Problem(str(path), message)]) from None
    for dotted, value in changes.items():
        section, key = dotted.split(".")
        if section not in document:
            document.add(section, tomlkit.table())
        document[section][key] = value  # type: ignore[index]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.setup")
    temporary.write_text(tomlkit.dumps(document), encoding="utf-8")
    try:
        config.load(temporary)  # relative paths resolve as they will: the same folder
    except ConfigError:
        temporary.unlink()
        raise
    kept = None
    if path.exists():
        kept = path.with_name(path.name + ".bak")
        shutil.copy2(path, kept)
        shutil.copymode(path, temporary)
    else:
        os.chmod(temporary, 0o644)
    os.replace(temporary, path)
    return kept
