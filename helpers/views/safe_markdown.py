"""Markdown for model output: CommonMark plus tables and strikethrough, with raw HTML off.

Model output is untrusted, so ``<script>`` and ``<img onerror=...>`` come out as text, and links
and images may only point at http(s), mailto or relative addresses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def is_safe_url(url: str) -> bool:
    """True for web, mail and relative addresses: a link can open a page, never run code."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


class SafeMarkdown(MarkdownIt):
    """CommonMark plus tables and strikethrough, with raw HTML off and only safe link targets."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})
        self.enable(["table", "strikethrough"])

    def validateLink(self, url: str) -> bool:
        return is_safe_url(url)


MARKDOWN = SafeMarkdown()


def render_markdown(text: str) -> str:
    """The whole text rendered once: what a streamed view must end up showing."""
    return MARKDOWN.render(text)


def render_tokens(tokens: Sequence[Token], env: dict[str, Any]) -> str:
    """HTML for part of a parse: a block's tokens, or a table's rows, as the whole render would write them."""
    return MARKDOWN.renderer.render(tokens, MARKDOWN.options, env)
