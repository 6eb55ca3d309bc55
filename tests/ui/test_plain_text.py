"""Outside text reaches Streamlit's Markdown only through ``cluster_map.ui.text.plain`` (or ``quote``).

Lint-style: walk the AST of app.py, pages/*.py and cluster_map/ui/*.py; every call of a Streamlit
element that reads Markdown (``st.markdown``, ``st.warning``, ``col.button``, ``st.tabs`` ...) whose text
is not a literal must build it from literals, numbers and ``plain(...)``/``quote(...)`` calls, or from
a value in :data:`ALLOWED` (app-made, with the reason). A new call site that interpolates a raw value
fails here. Unit tests of the helper and an AppTest of a warning box follow.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from cluster_map.ui.text import ELLIPSIS, clean, markdown_table, plain, quote, short

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "cluster_map" / "ui").glob("*.py")])

#: Streamlit elements whose text (first argument, ``body``/``label``/``help``/``text``) is Markdown.
MARKDOWN_ELEMENTS = frozenset(
    {
        "markdown",
        "warning",
        "info",
        "error",
        "success",
        "caption",
        "write",
        "subheader",
        "header",
        "title",
        "metric",
        "toast",
        "expander",
        "tabs",
        "popover",
        "status",
        "button",
        "download_button",
        "link_button",
        "form_submit_button",
        "page_link",
        "checkbox",
        "toggle",
        "spinner",
        "progress",
    }
)
TEXT_KEYWORDS = ("body", "label", "help", "text")
#: Elements whose first argument is a value, not text (their text is a keyword).
VALUE_FIRST = frozenset({"progress"})
ESCAPERS = frozenset({"plain", "quote", "markdown_table"})
#: Calls that give a number (safe in Markdown).
NUMBERS = frozenset({"len", "int", "float", "round", "sum", "_compact"})
#: Expressions known to be app-made text, each with where it comes from.
ALLOWED: dict[str, str] = {
    "message(exc)": "ui/errors.message escapes the exception text itself with plain(..., lines=True)",
    "spec.label": "a metric label of cluster_map.catalogue.METRICS (app-made)",
    "spec.unit": "a metric unit of cluster_map.catalogue.METRICS (app-made)",
}


def _is_safe(node: ast.expr) -> bool:
    """``node`` builds Markdown from literals, numbers, escaped values and allowed app-made values only."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_is_safe(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        parts = node.format_spec.values if isinstance(node.format_spec, ast.JoinedStr) else []
        spec = "".join(str(v.value) for v in parts if isinstance(v, ast.Constant))
        numeric = bool(spec) and (spec[-1] in "dfeEgGn%" or spec.endswith((",", "_")))  # {n:,} {x:.2f} {i:d}
        return numeric or _is_safe(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_safe(node.left) and _is_safe(node.right)
    if isinstance(node, ast.IfExp):
        return _is_safe(node.body) and _is_safe(node.orelse)
    if isinstance(node, ast.List | ast.Tuple):
        return all(_is_safe(e) for e in node.elts)
    if isinstance(node, ast.Name) and node.id.isupper():  # a module constant (FORMAT_HELP)
        return True
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in ESCAPERS or name in NUMBERS:
            return True
    return ast.unparse(node) in ALLOWED


def _texts(call: ast.Call) -> list[ast.expr]:
    """The arguments of a Markdown element call that are shown as text."""
    out = list(call.args[:1]) if call.func.attr not in VALUE_FIRST else []  # type: ignore[attr-defined]
    out += [kw.value for kw in call.keywords if kw.arg in TEXT_KEYWORDS]
    return out


def _app_modules(tree: ast.Module) -> set[str]:
    """Names bound to cluster_map modules in ``tree`` (``from cluster_map.ui import profile``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cluster_map"):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.asname or a.name for a in node.names if a.name.startswith("cluster_map")}
    return names


def unescaped(source: str, filename: str = "<snippet>") -> list[str]:
    """``file:line: call`` for every Markdown element call in ``source`` that shows a raw value."""
    found = []
    tree = ast.parse(source, filename)
    ours = _app_modules(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in MARKDOWN_ELEMENTS:
            continue
        if isinstance(node.func.value, ast.Name) and node.func.value.id in ours:
            continue  # profile.header(p), catalogue.metric(m): the app's own functions, not Streamlit's
        if node.func.attr == "write" and not isinstance(node.func.value, ast.Name | ast.Attribute):
            continue
        for arg in _texts(node):
            if not _is_safe(arg):
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)[:120]}")
    return found


def test_every_markdown_call_site_escapes_outside_text() -> None:
    problems = [p for f in FILES for p in unescaped(f.read_text(encoding="utf-8"), str(f.relative_to(ROOT)))]
    assert not problems, "Outside text must go through cluster_map.ui.text.plain():\n" + "\n".join(problems)


def test_the_walk_sees_the_ui_call_sites() -> None:
    calls = 0
    for f in FILES:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MARKDOWN_ELEMENTS
            ):
                calls += 1
    assert len(FILES) >= 20 and calls >= 100, (len(FILES), calls)


@pytest.mark.parametrize(
    "snippet",
    [
        "st.warning(message)",
        'st.warning(f"Unknown page {page!r}")',
        'st.sidebar.info("Region " + code)',
        'col.button(f"{row.code} · {row.name}", key="x")',
        "st.metric(label, 3, help=row.note)",
        'st.tabs([name, "Other"])',
        'st.caption(f"{plain(a)} and {b}")',
        'st.expander(f"{entry.name}")',
        "left.markdown(text)",
    ],
)
def test_a_new_unescaped_call_site_fails(snippet: str) -> None:
    assert unescaped(textwrap.dedent(snippet)), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        'st.warning("A literal **Markdown** text of the app")',
        "st.warning(plain(message, 400))",
        'st.caption(f"{len(found)} organisations; {n:,} rows; {plain(name)} · {quote(value)}")',
        "st.markdown(FORMAT_HELP)",
        "st.error(message(exc))",
        'col.metric(f"{plain(label)} · {plain(year)}", _compact(v), help=plain(note) if note else None)',
        'st.subheader(f"{spec.label}: {plain(layer.sector)}")',
        "st.text(anything)",  # st.text shows text as it is
    ],
)
def test_escaped_or_app_made_call_sites_pass(snippet: str) -> None:
    assert not unescaped(snippet), snippet


# --- the helper ---------------------------------------------------------------------------------
PAYLOADS = {
    "phishing link": "[Your session expired - sign in again](http://evil.example/phish)",
    "tracking pixel": "![x](http://evil.example/pixel.png)",
    "image in a name": "![t](http://evil.example/t.png)",
    "reference link": "[x][1]\n\n[1]: http://evil.example",
    "autolink": "<http://evil.example>",
    "bare url": "see http://evil.example/x and www.evil.example",
    "e-mail": "write to boss@evil.example",
    "html": "<img src=http://evil.example/i.png><script>alert(1)</script>",
    "directive": ":red[alert] :material/warning: :streamlit:",
    "latex": "$\\href{http://evil.example}{x}$",
    "heading": "# Big\n---",
    "table": "| a | b |\n|---|---|\n| 1 | 2 |",
}


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_plain_leaves_no_markdown_construct(payload: str) -> None:
    out = plain(payload, 0)
    assert "\n" not in out
    for construct in ("](", "![", "[x]", "<http", "<img", "<script", ":red[", "$\\", "# ", "|"):
        assert construct not in out.replace("\\" + construct[:1], "\u0000"), (construct, out)
    for link in ("http://", "www.evil", "@evil"):
        assert link not in out, (link, out)
    # every special character is escaped, so removing the escapes and zero-width spaces gives the text back
    assert out.replace("\u200b", "").replace("\\", "") == clean(payload).replace("\\", "")


def test_plain_cleans_and_cuts() -> None:
    assert plain("a\r\nb\x07c\u202ed\x00") == "a bcd"
    assert plain("x" * 200, 50) == "x" * 49 + ELLIPSIS
    assert len(short("y" * 1000)) == 40 and short("y" * 1000).endswith(ELLIPSIS)
    assert plain(None) == "" and plain(2015) == "2015" and plain("Oberbayern") == "Oberbayern"
    assert plain("x" * 200, 0) == "x" * 200


def test_plain_keeps_lines_as_hard_breaks_when_asked() -> None:
    out = plain("3 problem(s) in a.csv:\n  line 2: [x](http://evil.example)\n  line 3: ok", 2000, lines=True)
    lines = out.split("  \n")
    assert len(lines) == 3 and lines[1].startswith("\u00a0\u00a0line 2") and "](" not in out
    assert plain("a\nb\nc", 2, lines=True).endswith(ELLIPSIS)


def test_quote_names_the_value_short_and_harmless() -> None:
    assert quote("DE2Z") == "\\'DE2Z\\'"
    assert "](" not in quote(PAYLOADS["phishing link"]) and ELLIPSIS in quote(PAYLOADS["phishing link"])


def test_a_warning_box_shows_the_payload_as_text() -> None:
    from streamlit.testing.v1 import AppTest

    def app() -> None:
        import streamlit as st

        from cluster_map.ui.text import plain

        for payload in (
            "[Your session expired](http://evil.example/phish)",
            "![x](http://evil.example/pixel.png)",
            ":red[x] $y$ www.evil.example",
        ):
            st.warning(plain(payload))
            st.markdown(f"**Name:** {plain(payload)}")

    at = AppTest.from_function(app).run()
    assert not at.exception
    bodies = [w.value for w in at.warning] + [m.value for m in at.markdown]
    assert len(bodies) == 6
    for body in bodies:
        assert "](" not in body.replace("\\](", "") and "![" not in body.replace("\\!\\[", "")
        assert "http://" not in body and "www.evil" not in body and ":red[" not in body


def test_markdown_table_escapes_every_cell() -> None:
    table = markdown_table(
        ["rank", "region [x](http://evil.example)"],
        [[1, "a | b"], [2, "![t](http://evil.example/t.png)"]],
        align=["right"],
    )
    lines = table.splitlines()
    assert lines[1] == "|---:|:---|"
    assert len(lines) == 4 and all(line.count(" | ") == 1 for line in lines[2:])  # a '|' in a value is text
    assert "](http" not in table and "![" not in table
    assert lines[2] == "| 1 | a \\| b |"
