"""The deploy bundle: all production code, no tests, caches or local tooling, named by its content hash."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from tests.infra.parsed import FUNCTIONS, INFRA, expression, infra

NEVER_SHIPPED = (
    re.compile(r"(^|/)mail2task/local(/|$)"),
    re.compile(r"(^|/)__pycache__(/|$)"),
    re.compile(r"\.pyc$"),
    re.compile(r"(^|/)tests?(/|$)"),
    re.compile(r"(^|/)test_[^/]*\.py$"),
    re.compile(r"\.egg-info(/|$)"),
    re.compile(r"(^|/)\.(mypy|pytest|ruff)_cache(/|$)"),
)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a doublestar glob (as the archive provider's excludes use) into a regular expression."""
    parts = pattern.split("/")
    regex = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
            continue
        piece = ""
        for char in part:
            piece += {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char))
        regex += piece + ("" if last else "/")
    return re.compile(f"^{regex}$")


def bundled_files(source: Path, excludes: list[str]) -> set[str]:
    """Files archive_file would zip: a walk that skips excluded directories and files (doublestar match)."""
    patterns = [_glob_regex(pattern) for pattern in excludes]
    included: set[str] = set()
    for root, directories, files in os.walk(source):
        relative_root = Path(root).relative_to(source)
        for directory in list(directories):
            relative = (relative_root / directory).as_posix()
            if any(p.match(relative) for p in patterns):
                directories.remove(directory)
        for file in files:
            relative = (relative_root / file).as_posix()
            if not any(p.match(relative) for p in patterns):
                included.add(relative)
    return included


def _excludes() -> list[str]:
    return list(infra().locals["bundle_excludes"])


def test_glob_translation_follows_doublestar_semantics() -> None:
    assert _glob_regex("**/__pycache__").match("__pycache__")
    assert _glob_regex("**/__pycache__").match("mail2task/cards/__pycache__")
    assert not _glob_regex("**/__pycache__").match("mail2task/__pycache__x")
    assert _glob_regex("**/*.pyc").match("a/b/c.pyc")
    assert not _glob_regex("mail2task/local").match("mail2task/localization")
    assert _glob_regex("mail2task/local").match("mail2task/local")


def test_bundle_excludes_local_tooling_tests_and_caches(tmp_path: Path) -> None:
    for relative in (
        "main.py",
        "requirements.txt",
        "mail2task/__init__.py",
        "mail2task/local/stack.py",
        "mail2task/local/preview/page.html",
        "mail2task/__pycache__/config.cpython-311.pyc",
        "mail2task/cards/__pycache__/home.cpython-311.pyc",
        "mail2task/tests/test_x.py",
        "mail2task/test_helpers.py",
        "mail2task.egg-info/PKG-INFO",
        ".mypy_cache/x.json",
    ):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert bundled_files(tmp_path, _excludes()) == {"main.py", "requirements.txt", "mail2task/__init__.py"}


def test_bundle_of_the_real_tree_ships_all_production_code_and_nothing_else() -> None:
    shipped = bundled_files(FUNCTIONS, _excludes())
    assert {"main.py", "requirements.txt", "mail2task/__init__.py", "mail2task/config/__init__.py"} <= shipped
    leaked = sorted(path for path in shipped if any(p.search(path) for p in NEVER_SHIPPED))
    assert not leaked, f"the bundle would ship {leaked}"
    production = {
        Path(root, file).relative_to(FUNCTIONS).as_posix()
        for root, _, files in os.walk(FUNCTIONS / "mail2task")
        for file in files
        if not file.endswith(".pyc")
    }
    dropped = sorted(path for path in production - shipped if not any(p.search(path) for p in NEVER_SHIPPED))
    assert not dropped, f"the excludes drop production files: {dropped}"


def test_shipped_code_never_imports_the_local_tooling() -> None:
    for relative in sorted(bundled_files(FUNCTIONS, _excludes())):
        if not relative.endswith(".py"):
            continue
        tree = ast.parse((FUNCTIONS / relative).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            assert not any(
                name == "mail2task.local" or name.startswith("mail2task.local.") for name in names
            ), f"{relative} imports mail2task.local, which the bundle does not ship"


def test_bundle_is_one_zip_of_functions_named_by_content_hash() -> None:
    module = infra()
    archive = module.data["archive_file"]["bundle"]
    assert archive["type"] == "zip"
    assert expression(archive["source_dir"]) == "${path.module}/../functions"
    assert expression(archive["excludes"]) == "local.bundle_excludes"
    output = expression(archive["output_path"])
    assert output.startswith("${path.module}/"), "the zip is written inside infra/"
    assert "/../functions" not in output, "the zip must not be written into the tree it archives"
    assert (INFRA / ".gitignore").read_text(encoding="utf-8").count(".build/") == 1
    bundle = module.resource("google_storage_bucket_object", "bundle")
    assert "${data.archive_file.bundle.output_md5}" in expression(bundle["name"])
    assert expression(bundle["source"]) == "data.archive_file.bundle.output_path"
    bucket = module.resource("google_storage_bucket", "bundle")
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "enforced"
