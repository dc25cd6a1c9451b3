"""Large pieces of markup put into a page once its template has rendered, not carried up through it.

Every level of a Django template (an ``if``, a ``for``, an ``include``, a ``block``, the
``extends``) joins what its nodes rendered into a new string. A piece of hundreds of kilobytes (a
scorecard's 300 rows, a report's articles) was so copied some ten times on its way to the page:
for a report of 3 MB, more time than building it. A tag returning such a piece passes it through
``late``: while a page renders (``Template.render`` below, the project's template backend), the
piece is filed and a short placeholder rendered in its place; the page's text is then put
together once. Outside a page's rendering, ``late`` returns the piece itself.

A placeholder holds a token random to the process and the number of the rendering that filed it,
so one can never be mistaken for text, nor put into another page. A piece must not be kept beyond
its page with a placeholder still in it: ``table_memo.kept`` refuses one.

A page sent as a response (``PageResponse``) is put together as the UTF-8 bytes it is sent as, not
as text: joining a report's 3 MB as text, copying it into a safe string and encoding it took some
10 ms. Markup kept between requests (``EncodedMarkup``) carries its bytes, encoded once.
"""

import itertools
import re
import secrets
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.template import TemplateDoesNotExist
from django.template.backends import django as django_backend
from django.template.response import TemplateResponse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

TOKEN = secrets.token_hex(8)
OPEN, CLOSE = "\ue000", "\ue001"  # private-use characters: no text a page shows is made of them
PLACEHOLDER = re.compile(f"{OPEN}{TOKEN}(\\d+):(\\d+){CLOSE}")
_renderings = itertools.count(1)
_state = threading.local()


class MisplacedPiece(RuntimeError):
    """A placeholder reached a page other than the one whose rendering filed it."""


class EncodedMarkup(SafeString):
    """Safe markup kept between requests, with its UTF-8 bytes (``utf8``) encoded once."""

    utf8: bytes


def encoded_markup(markup: str) -> EncodedMarkup:
    kept = EncodedMarkup(markup)
    kept.utf8 = markup.encode()
    return kept


def utf8(text: str) -> bytes:
    """``text``'s UTF-8 bytes, as kept with it or encoded now."""
    return getattr(text, "utf8", None) or text.encode()


@dataclass
class Rendering:
    number: int
    pieces: list[str | tuple[str, ...]] = field(default_factory=list)


def _open_renderings() -> list[Rendering]:
    stack = getattr(_state, "renderings", None)
    if stack is None:
        stack = _state.renderings = []
    return stack


def late(markup: str) -> SafeString:
    """``markup`` as the page will show it (escaped unless already safe): filed, and a placeholder
    returned in its place, while a page renders; itself otherwise. Empty markup stays empty, so
    that a template's ``{% if %}`` on it reads as it did."""
    markup = conditional_escape(markup)
    stack = _open_renderings()
    if not stack or not markup:
        return markup
    return filed(stack[-1], markup)


def late_parts(parts: Iterable[str]) -> SafeString:
    """As ``late``, for a piece made of many parts (a table's rows, a report's articles): they
    are filed as they are and put into the page in its one join, not joined into a piece first
    (a report's 300 articles are 3 MB)."""
    # Most parts are kept markup, safe already: only the others go through conditional_escape.
    parts = tuple(part if isinstance(part, SafeString) else conditional_escape(part) for part in parts)
    stack = _open_renderings()
    if not stack or not any(parts):
        return mark_safe("".join(parts))
    return filed(stack[-1], parts)


def filed(rendering: "Rendering", piece: str | tuple[str, ...]) -> SafeString:
    """``piece`` filed with ``rendering``, and the placeholder that stands for it."""
    rendering.pieces.append(piece)
    return mark_safe(f"{OPEN}{TOKEN}{rendering.number}:{len(rendering.pieces) - 1}{CLOSE}")


@contextmanager
def rendering():
    """A page's rendering: the pieces ``late`` files within it belong to it."""
    stack = _open_renderings()
    current = Rendering(next(_renderings))
    stack.append(current)
    try:
        yield current
    finally:
        stack.pop()


def spliced_parts(text: str, current: Rendering) -> list[str]:
    """``text``'s parts with each of ``current``'s placeholders replaced by its piece."""
    parts = PLACEHOLDER.split(text)  # text, rendering, piece, text, rendering, piece, ..., text
    out = [parts[0]]
    for at in range(1, len(parts), 3):
        number, index = int(parts[at]), int(parts[at + 1])
        if number != current.number:
            raise MisplacedPiece(
                f"a piece of rendering {number} reached the page of rendering {current.number}"
            )
        piece = current.pieces[index]
        if isinstance(piece, tuple):
            out += piece
        else:
            out.append(piece)
        out.append(parts[at + 2])
    return out


def spliced(text: str, current: Rendering) -> str:
    """``text`` with each of ``current``'s placeholders replaced by its piece, in one join."""
    if not current.pieces:
        return text
    return "".join(spliced_parts(text, current))


def spliced_utf8(text: str, current: Rendering) -> bytes:
    """As ``spliced``, as UTF-8 bytes: kept pieces lend the bytes they carry."""
    if not current.pieces:
        return text.encode()
    return b"".join([utf8(part) for part in spliced_parts(text, current)])


def holds_placeholder(text: str) -> bool:
    return OPEN + TOKEN in text


class Template(django_backend.Template):
    def render(self, context=None, request=None) -> SafeString:
        with rendering() as current:
            text = super().render(context, request)
        return mark_safe(spliced(text, current))

    def render_utf8(self, context=None, request=None) -> bytes:
        """As ``render``, as the UTF-8 bytes a response sends."""
        with rendering() as current:
            text = super().render(context, request)
        return spliced_utf8(text, current)


class PageResponse(TemplateResponse):
    """A page rendered straight to its bytes (``Template.render_utf8``): the response class of
    the pages that hold large pieces."""

    @property
    def rendered_content(self) -> bytes | str:
        template = self.resolve_template(self.template_name)
        context = self.resolve_context(self.context_data)
        if isinstance(template, Template) and self.charset.lower() in ("utf-8", "utf8"):
            return template.render_utf8(context, self._request)
        return template.render(context, self._request)


class DjangoTemplates(django_backend.DjangoTemplates):
    """Django's template backend, its templates' large pieces put in once they have rendered."""

    def from_string(self, template_code):
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            django_backend.reraise(exc, self)
