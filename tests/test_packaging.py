"""What `pip install jig-monitor` brings is what the package imports: every third-party module
a file of `src/jig` imports comes with a dependency the project declares (or one of theirs).
The observers' `jig audit … --url` needed httpx and PDF reports pypdf, both only in `dev`:
the tests, which install `dev`, could not see it."""

from __future__ import annotations

import ast
import contextlib
import importlib.metadata as md
import re
import sys
import tomllib

from tests.conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _installed_with(names: set[str]) -> set[str]:
    """The distributions `names` bring, theirs included (extras not asked for left out)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        # One not installed is not for this platform (colorama for click, on Windows).
        with contextlib.suppress(md.PackageNotFoundError):
            todo += [_name(r) for r in md.requires(name) or [] if "extra ==" not in r]
    return seen


def test_every_imported_library_is_a_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    brought = _installed_with({_name(r) for r in project["dependencies"]})
    modules: set[str] = set()
    for path in (ROOT / "src" / "jig").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules -= {*sys.stdlib_module_names, "jig", "__future__"}
    owners = md.packages_distributions()
    undeclared = {m: owners.get(m) for m in modules
                  if not {_name(d) for d in owners.get(m, [])} & brought}
    assert undeclared == {}
