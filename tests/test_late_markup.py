"""Large pieces of markup put into a page once it has rendered (sct_monitor/late_markup.py)."""

import re

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from sct_monitor.late_markup import (
    OPEN,
    MisplacedPiece,
    encoded_markup,
    late,
    late_parts,
    rendering,
    spliced,
    spliced_utf8,
)

PAGE = (
    "{% load late_markup %}<main>{% for n in numbers %}{% if n %}"
    "<p>{{ n }}</p>{{ piece|late }}{% endif %}{% endfor %}<footer>{{ piece|late }}</footer></main>"
)


def render(source: str, context: dict) -> str:
    return engines["django"].from_string(source).render(context)


def test_a_page_with_late_pieces_reads_as_the_same_page_without_them():
    piece = mark_safe("<table>" + "<tr><td>–</td></tr>" * 2000 + "</table>")
    context = {"numbers": [1, 0, 2], "piece": piece}
    plain = render(PAGE.replace("|late", ""), context)
    assert render(PAGE, context) == plain
    assert plain.count("<table>") == 3 and OPEN not in plain


def test_outside_a_pages_rendering_a_piece_is_itself():
    piece = mark_safe("<p>rows</p>")
    assert late(piece) == piece


def test_a_piece_not_marked_safe_is_escaped_as_the_template_would():
    assert render("{% load late_markup %}{{ text|late }}", {"text": "<b>&</b>"}) == "&lt;b&gt;&amp;&lt;/b&gt;"


def test_an_empty_piece_stays_empty_so_an_if_on_it_reads_as_before():
    with rendering():
        assert late(mark_safe("")) == ""
    source = (
        "{% load late_markup %}{% with body=piece|late %}"
        "{% if body %}rows{% else %}none{% endif %}{% endwith %}"
    )
    assert render(source, {"piece": ""}) == "none"
    assert render(source, {"piece": mark_safe("<tr></tr>")}) == "rows"


def test_a_piece_of_many_parts_reads_as_its_parts_joined_each_escaped_unless_safe():
    parts = [mark_safe("<tr>"), "<b>&</b>", mark_safe("</tr>")]
    assert late_parts(parts) == "<tr>&lt;b&gt;&amp;&lt;/b&gt;</tr>"
    with rendering() as current:
        placeholder = late_parts(parts)
        assert OPEN in placeholder
        assert (
            spliced(f"<table>{placeholder}</table>", current)
            == "<table><tr>&lt;b&gt;&amp;&lt;/b&gt;</tr></table>"
        )
        assert late_parts([]) == "" and late_parts(iter([mark_safe("")])) == ""


def test_a_page_put_together_as_bytes_is_its_text_encoded_as_utf8():
    kept = encoded_markup("<td>47.0% → 45.1%, £1,200</td>")
    with rendering() as current:
        text = f"<p>Ä {late(mark_safe('<b>–</b>'))} {late_parts([kept, mark_safe('<i>é</i>')])}</p>"
        assert spliced_utf8(text, current) == spliced(text, current).encode()
    with rendering() as empty:
        assert spliced_utf8("<p>no pieces – none</p>", empty) == "<p>no pieces – none</p>".encode()


def test_kept_markup_lends_the_bytes_it_was_encoded_to_once():
    kept = encoded_markup("<td>1</td>")
    assert kept == "<td>1</td>" and kept.utf8 == b"<td>1</td>"
    kept.utf8 = b"<td>as kept</td>"  # not encoded again: the bytes kept with it are put in
    with rendering() as current:
        assert spliced_utf8(f"<tr>{late(kept)}</tr>", current) == b"<tr><td>as kept</td></tr>"


def test_a_page_response_in_another_charset_is_rendered_as_text_and_encoded_in_it(rf):
    from sct_monitor.late_markup import PageResponse

    source = "{% load late_markup %}<p>{{ piece|late }}</p>"
    template = engines["django"].from_string(source)
    response = PageResponse(rf.get("/"), template, {"piece": mark_safe("café")}, charset="latin-1")
    assert response.render().content == "<p>café</p>".encode("latin-1")
    response = PageResponse(rf.get("/"), template, {"piece": mark_safe("café")})
    assert response.render().content == "<p>café</p>".encode()


def test_a_page_rendered_within_another_keeps_its_own_pieces():
    with rendering() as outer:
        outer_placeholder = late(mark_safe("<outer>"))
        inner = render("{% load late_markup %}[{{ piece|late }}]", {"piece": mark_safe("<inner>")})
        assert inner == "[<inner>]"
        assert spliced(f"{outer_placeholder}{inner}", outer) == "<outer>[<inner>]"


@pytest.mark.parametrize("splice", [spliced, spliced_utf8], ids=["as text", "as bytes"])
def test_a_placeholder_carried_into_another_page_is_refused(splice):
    with rendering():
        stray = late(mark_safe("<p>filed by the first page</p>"))
    with rendering() as second, pytest.raises(MisplacedPiece):
        late(mark_safe("<p>the second page's own</p>"))
        splice(f"<main>{stray}</main>", second)


def test_markup_kept_with_a_remembered_result_may_not_hold_a_placeholder():
    from sct_monitor.table_memo import kept

    class Remembered:
        rendered: dict = {}

    with rendering(), pytest.raises(MisplacedPiece):
        kept(Remembered(), "shape", lambda: f"<td>{late(mark_safe('<b>piece</b>'))}</td>")
    assert Remembered.rendered == {}


# The pages whose large pieces are put in late, and the rows they show.
PAGES = [
    "/",
    "/kpis/?month=2022-06",
    "/kpis/?month=2022-06&sort=-status",
    "/kpis/13/?range=all",
    "/reports/2022-06/",
    "/reports/2022-23-q1/",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_byte_for_byte_what_it_is_with_its_pieces_carried_through_the_template(
    path, board_client, settings, monkeypatch
):
    from sct_monitor import late_markup, table_memo

    settings.PAGE_CACHE_ENABLED = False

    def page() -> bytes:  # the CSRF token is masked afresh each time
        return re.sub(rb'(name="csrfmiddlewaretoken" value=")[^"]*', rb"\1", board_client.get(path).content)

    late_first = page()
    table_memo.clear()  # the rows' markup is made again, not taken from the first rendering
    monkeypatch.setattr(late_markup, "_open_renderings", lambda: [])  # late then returns each piece
    carried = page()
    assert late_first == carried
    assert OPEN.encode() not in late_first and b"<tr" in late_first
