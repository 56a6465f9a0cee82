"""Every function of the package fits in a screen, or its docstring says why it is longer.

A reader follows a function of 60 lines or fewer at a glance; a longer one
stays long only for a reason given in its docstring, in words that contain
"long because".
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "policygraph"

#: The most lines a function may span (``end_lineno - lineno``) without a reason.
MAX_LINES = 60
REASON = "long because"
#: Long functions still waiting for a reason or a shorter body, as ``path name`` (each must still be long).
AWAITING: set[str] = set()


def _functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, node) of every function and method, nested ones too."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def long_functions() -> list[tuple[str, int, bool]]:
    """(``path:line name``, lines, whether its docstring gives a reason) of each function over :data:`MAX_LINES`."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for name, node in _functions(tree):
            lines = node.end_lineno - node.lineno
            if lines > MAX_LINES:
                reason = REASON in " ".join((ast.get_docstring(node) or "").split()).lower()
                found.append((f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {name}", lines, reason))
    return found


def test_the_shape_check_sees_nested_functions_and_methods():
    tree = ast.parse("class A:\n    def m(self):\n        def inner():\n            pass\n")
    assert [name for name, _ in _functions(tree)] == ["A.m", "A.m.inner"]


def _unexplained() -> dict[str, str]:
    """``path name`` -> ``path:line name (N lines)`` of each long function whose docstring gives no reason."""
    out = {}
    for where, lines, reason in long_functions():
        if not reason:
            place, name = where.split(" ", 1)
            out[f"{place.rsplit(':', 1)[0]} {name}"] = f"{where} ({lines} lines)"
    return out


def test_no_function_is_longer_than_a_screen_without_a_reason():
    unexplained = [text for key, text in sorted(_unexplained().items()) if key not in AWAITING]
    assert not unexplained, (f"longer than {MAX_LINES} lines with no {REASON!r} in the docstring "
                             "(shorten it, or say why it is long):\n" + "\n".join(unexplained))


def test_every_function_awaiting_a_reason_still_needs_one():
    settled = sorted(AWAITING - set(_unexplained()))
    assert not settled, f"shortened or explained, so no longer awaited: remove {settled} from AWAITING"
