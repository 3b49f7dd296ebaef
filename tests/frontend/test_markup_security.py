"""Markdown and math rendering produce no element or attribute the sanitiser does not allow."""

from html.parser import HTMLParser

import pytest

from frontend.templatetags.markup import render_markdown
from tests.xss_payloads import XSS_PAYLOADS

_ALLOWED = {
    "a": {"href", "title", "rel"}, "blockquote": set(), "br": set(), "code": {"class"},
    "del": set(), "em": set(), "h2": set(), "h3": set(), "h4": set(), "hr": set(), "li": set(),
    "ol": set(), "p": set(), "pre": set(), "strong": set(), "sub": set(), "sup": set(),
    "table": set(), "tbody": set(), "td": {"align"}, "th": {"align"}, "thead": set(),
    "tr": set(), "ul": set(),
}  # fmt: skip


class _Elements(HTMLParser):
    """The (tag, attributes) a browser would build from the fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def _elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_it_renders_no_script_handler_or_script_url(payload):
    html = render_markdown(payload)

    for tag, attributes in _elements(html):
        assert tag in _ALLOWED, html
        assert set(attributes) <= _ALLOWED[tag], html
        assert not any(name.startswith("on") for name in attributes), html
        href = attributes.get("href", "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), html


def test_it_keeps_the_issue_payload_inside_the_title_attribute():
    payload = '<a href="https://e.com" title="$" onfocus=alert(1) autofocus tabindex=1 x=$">x</a>'

    [(tag, attributes)] = _elements(render_markdown(payload))[1:]

    assert tag == "a"
    assert set(attributes) == {"href", "title", "rel"}
    assert attributes["title"] == '$" onfocus=alert(1) autofocus tabindex=1 x=$'


def test_it_keeps_quotes_in_math_as_text_for_katex():
    html = render_markdown('Solve $a" b$ now.')

    assert _elements(html) == [("p", {})]
    assert html == '<p>Solve $a" b$ now.</p>'


def test_it_still_leaves_math_for_katex_verbatim():
    html = render_markdown("Let $x_1 < y_2$ and $$\\sum_{i} a_i * b_i$$")

    assert "$x_1 &lt; y_2$" in html
    assert "$$\\sum_{i} a_i * b_i$$" in html
