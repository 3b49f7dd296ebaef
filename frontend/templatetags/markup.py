"""Problem text to HTML: Markdown rendered on the server and sanitised, math left for KaTeX."""

from __future__ import annotations

import html
import re

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

from problems.variants import choice_labels, choice_references_render

register = template.Library()

# Code first, so that `$HOME` in code stays code; then display math before inline math.
_CODE_OR_MATH = re.compile(
    r"(?P<code>^[ \t]*```.*?^[ \t]*```[ \t]*$|`[^`\n]+`)"
    r"|(?P<math>\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|(?<![\\$])\$(?!\s)[^$\n]+?(?<![\s\\])\$)",
    re.DOTALL | re.MULTILINE,
)
_PLACEHOLDER = "KATEXSPAN{}ENDSPAN"
_PLACEHOLDER_RE = re.compile(r"KATEXSPAN(\d+)ENDSPAN")

_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "td": {"align"}, "th": {"align"}}


def _protect_math(text: str) -> tuple[str, list[str]]:
    """Replace math spans by placeholders Markdown leaves alone (`_` and `*` are common in TeX)."""
    spans: list[str] = []

    def replace(match: re.Match) -> str:
        if match.group("code"):
            return match.group("code")
        spans.append(match.group("math"))
        return _PLACEHOLDER.format(len(spans) - 1)

    return _CODE_OR_MATH.sub(replace, text), spans


def render_markdown(text: str) -> str:
    """Safe HTML of Markdown `text`; its `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]` kept verbatim."""
    protected, spans = _protect_math(text or "")
    rendered = markdown_lib.markdown(
        protected, extensions=["fenced_code", "tables", "sane_lists"], output_format="html"
    )
    clean = _sanitise(rendered)
    # The math goes back fully escaped (quotes too): KaTeX reads the text, and neither `<` nor
    # `"` in TeX can open a tag or close an attribute. A span that landed inside an attribute
    # (`href="$javascript:…$"`) is then caught by sanitising the result once more.
    restored = _PLACEHOLDER_RE.sub(lambda m: html.escape(spans[int(m.group(1))], quote=True), clean)
    return _sanitise(restored)


def _sanitise(fragment: str) -> str:
    return nh3.clean(fragment, tags=_TAGS, attributes=_ATTRIBUTES, link_rel="noopener noreferrer")


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 above


@register.filter
def markdown_inline(text: str) -> SafeString:
    """For one-line texts (choices): the same rendering without the surrounding paragraph."""
    rendered = render_markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return mark_safe(rendered)  # noqa: S308 - sanitised by nh3 above


@register.filter
def choice_refs(text: str, choices) -> str:
    """`[[choice:K]]` in `text` as the number choice K has in `choices` (the learner's order)."""
    return choice_references_render(text, labels=choice_labels(list(choices or [])))
