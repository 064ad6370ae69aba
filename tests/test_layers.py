"""The layers' direction: the case service and the runtime stand below the dialog engine.

`bot.messages` (the `Incoming` / `Reply` / `Button` shapes) sits below both, so a case notice is built without
the dialog; an import of `bot.dialog` from `bot/cases` or `bot/runtime` (even one only for type checking)
would run back up the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

from bot import PROJECT_ROOT


def imported_modules(path: Path, root: Path = PROJECT_ROOT) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, relative imports resolved against its package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found += [(node.lineno, base)] + [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def upward_imports(folder: str, forbidden: str, root: Path = PROJECT_ROOT) -> list[str]:
    bad = []
    for path in sorted((root / folder).rglob("*.py")):
        for line, module in imported_modules(path, root):
            if module == forbidden or module.startswith(forbidden + "."):
                bad.append(f"{path.relative_to(root)}:{line}: imports {module}")
    return bad


def test_no_module_under_cases_or_runtime_imports_the_dialog():
    bad = upward_imports("bot/cases", "bot.dialog") + upward_imports("bot/runtime", "bot.dialog")
    assert not bad, "\n".join(bad)


def test_the_message_shapes_import_nothing_from_the_bot():
    assert [m for _, m in imported_modules(PROJECT_ROOT / "bot/messages.py") if m.startswith("bot")] == []


def test_the_check_sees_an_upward_import(tmp_path):
    """The check itself can fail: a relative `from ..dialog import texts` inside bot/cases is caught."""
    (tmp_path / "bot" / "cases").mkdir(parents=True)
    (tmp_path / "bot" / "cases" / "probe.py").write_text(
        "from ..dialog import texts\nfrom . import views\nif False:\n    from bot.dialog.turn import Turn\n", encoding="utf-8")
    assert upward_imports("bot/cases", "bot.dialog", tmp_path) == [
        "bot/cases/probe.py:1: imports bot.dialog", "bot/cases/probe.py:1: imports bot.dialog.texts",
        "bot/cases/probe.py:4: imports bot.dialog.turn", "bot/cases/probe.py:4: imports bot.dialog.turn.Turn"]
