"""YAML that remembers where each value came from, so every error can name its line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

Path = tuple[str | int, ...]


# LibYAML's parser when PyYAML was built with it: ten times faster on agreements that carry
# thousands of coordinates inline, with the same nodes and marks.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """Safe YAML, except dates and times stay text: the agreement's timezone decides them."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        lambda loader, node: loader.construct_scalar(node))


class YamlProblem(ValueError):
    def __init__(self, message: str, line: int | None, code: str = "yaml.syntax"):
        self.line = line
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class YamlLimits:
    """What a document may make the parser build. An alias (`*a`) repeats its anchor's whole
    value, so a few hundred bytes of nested aliases stand for billions of values (the "billion
    laughs"): only `alias_values` values are built beyond those the text itself holds. `depth`
    bounds nesting, and with it a recursive alias (`&a [*a]`)."""

    alias_values: int = 10_000
    depth: int = 64


# Characters YAML 1.1 does not allow in a document (the reader's own set, for the message).
_FORBIDDEN = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                        "\U00010000-\U0010ffff]")


def _reader_problem(text: str) -> YamlProblem:
    """The first character the YAML reader refuses, by line and column."""
    m = _FORBIDDEN.search(text)
    if m is None:  # not expected: the reader refuses only such characters
        return YamlProblem("not valid YAML: a character YAML does not allow", None)
    i = m.start()
    line, column = text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1
    return YamlProblem(f"character U+{ord(m.group()):04X} at line {line}, column {column} is a "
                       "control character, which YAML does not allow", line, "yaml.character")


def _text_nodes(root: yaml.Node, depth: int) -> int:
    """How many distinct nodes the text holds (an alias is its anchor's node again); a
    YamlProblem when they nest deeper than `depth`."""
    seen: set[int] = set()
    todo = [(root, 1)]
    while todo:
        n, level = todo.pop()
        if level > depth:
            raise YamlProblem(f"the document nests deeper than {depth} levels",
                              n.start_mark.line + 1, "yaml.too_deep")
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            todo += [(part, level + 1) for pair in n.value for part in pair]
        elif isinstance(n, yaml.SequenceNode):
            todo += [(item, level + 1) for item in n.value]
    return len(seen)


def load_with_lines(text: str, limits: YamlLimits | None = None
                    ) -> tuple[Any, dict[Path, int]]:
    """Parse YAML text; return the data and a map from each value's path to its 1-based line."""
    limits = limits or YamlLimits()
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlProblem(f"not valid YAML: {exc.problem or exc}", line) from exc
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(text) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {exc}", None) from exc
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is None:
        return None, lines
    budget = _text_nodes(node, limits.depth) + limits.alias_values
    built = 0

    def build(n: yaml.Node, path: Path) -> Any:
        nonlocal built
        built += 1
        if built > budget:
            raise YamlProblem(f"aliases (*name) would expand this document by more than "
                              f"{limits.alias_values:,} values; jig expands no more",
                              n.start_mark.line + 1, "yaml.aliases")
        if len(path) >= limits.depth:  # a recursive alias: the text's own nesting was checked
            raise YamlProblem(f"the document nests deeper than {limits.depth} levels",
                              n.start_mark.line + 1, "yaml.too_deep")
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in n.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlProblem("a mapping key must be a plain value, not a list or "
                                      "mapping", key_node.start_mark.line + 1, "yaml.key")
                key = loader.construct_object(key_node, deep=True)
                if key in out:
                    raise YamlProblem(f"key {key!r} appears twice in the same mapping; "
                                      "YAML would silently keep only the last one",
                                      key_node.start_mark.line + 1, "yaml.duplicate_key")
                lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = build(value_node, (*path, key))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(item, (*path, i)) for i, item in enumerate(n.value)]
        return loader.construct_object(n, deep=True)

    try:
        return build(node, ()), lines
    except yaml.MarkedYAMLError as exc:  # a value that cannot be constructed (a bad tag)
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(f"not valid YAML: {exc.problem or exc}",
                          mark.line + 1 if mark else None) from exc


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
