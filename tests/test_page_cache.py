"""Board pages are kept while the data is unchanged, and never once it has changed."""

import gzip
import re
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client

from kpis.models import Indicator
from sct_monitor.page_cache import CHUNK_BYTES, StoredPage, cut_into_slots, deflate_piece, stored_blocks
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SCORECARD = "/kpis/?month=2022-06"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in(username: str, role: str, **client_options) -> Client:
    client = Client(**client_options)
    client.force_login(make_user(username, role))
    return client


@pytest.fixture
def board():
    return signed_in("reader", "Board member")


def outcome(response) -> str:
    return response.get("X-Page-Cache", "")


def without_tokens(content: bytes) -> bytes:
    return TOKEN.sub(b"", content)


@pytest.mark.parametrize("path", ["/", SCORECARD, "/kpis/13/", "/reports/", "/reports/2022-06/"])
def test_a_board_page_shown_again_comes_from_the_cache_unchanged(board, path):
    first = board.get(path)
    second = board.get(path)
    assert (outcome(first), outcome(second)) == ("miss", "hit")
    assert without_tokens(second.content) == without_tokens(first.content)


def test_a_write_that_sends_no_signal_is_shown_on_the_next_view(board):
    assert b"Renamed for the test" not in board.get(SCORECARD).content
    Indicator.objects.filter(code="13").update(title="Renamed for the test")
    after = board.get(SCORECARD)
    assert outcome(after) == "miss"
    assert b"Renamed for the test" in after.content


def test_a_write_rolled_back_leaves_the_stored_page_in_use(board):
    board.get(SCORECARD)
    with pytest.raises(RuntimeError), transaction.atomic():
        Indicator.objects.filter(code="13").update(title="Never committed")
        raise RuntimeError("rolled back")
    again = board.get(SCORECARD)
    assert outcome(again) == "hit"
    assert b"Never committed" not in again.content


def test_each_board_member_sees_their_own_name_on_a_stored_page(board):
    another = signed_in("another-reader", "Board member")  # a new user is a write: made first
    board.get(SCORECARD)
    other = another.get(SCORECARD)
    assert outcome(other) == "hit"
    assert b"Signed in as another-reader" in other.content
    assert b"Signed in as reader" not in other.content


def test_an_officer_is_never_given_a_page_stored_for_a_board_member(board):
    officer_client = signed_in("officer", "Performance officer")
    board.get(SCORECARD)
    officer = officer_client.get(SCORECARD)
    assert outcome(officer) == "miss"
    assert b"(Performance officer)" in officer.content


def test_a_user_whose_role_is_taken_away_is_refused_not_given_the_stored_page(board):
    assert board.get(SCORECARD).status_code == 200
    user = get_user_model().objects.get(username="reader")
    user.groups.remove(Group.objects.get(name="Board member"))
    assert board.get(SCORECARD).status_code == 403


def test_the_sign_out_form_on_a_stored_page_carries_a_working_token():
    client = signed_in("reader", "Board member", enforce_csrf_checks=True)
    client.get(SCORECARD)
    stored = client.get(SCORECARD)
    assert outcome(stored) == "hit"
    token = TOKEN.search(stored.content).group(1).decode()
    signed_out = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 200  # signed out (a refused token would be a 403)
    assert "_auth_user_id" not in client.session


def test_an_unchanged_page_asked_for_again_with_its_etag_costs_a_304(board):
    board.get(SCORECARD)
    etag = board.get(SCORECARD)["ETag"]
    again = board.get(SCORECARD, HTTP_IF_NONE_MATCH=f"W/{etag}")
    assert again.status_code == 304
    assert again.content == b""
    assert "no-cache" in again["Cache-Control"]


def test_after_a_write_the_old_etag_gets_the_new_page(board):
    board.get(SCORECARD)
    etag = board.get(SCORECARD)["ETag"]
    Indicator.objects.filter(code="13").update(title="Renamed for the test")
    again = board.get(SCORECARD, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert b"Renamed for the test" in again.content
    assert again["ETag"] != etag


def test_another_users_etag_does_not_match(board):
    another = signed_in("another-reader", "Board member")
    board.get(SCORECARD)
    etag = board.get(SCORECARD)["ETag"]
    other = another.get(SCORECARD, HTTP_IF_NONE_MATCH=etag)
    assert (other.status_code, outcome(other)) == (200, "hit")


def test_a_stored_page_sent_gzipped_unzips_to_the_page(board):
    plain = board.get(SCORECARD)
    zipped = board.get(SCORECARD, HTTP_ACCEPT_ENCODING="gzip, br")
    assert outcome(zipped) == "hit"
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert len(zipped.content) < len(plain.content) / 5
    assert without_tokens(gzip.decompress(zipped.content)) == without_tokens(plain.content)


def test_a_page_rendered_afresh_is_sent_gzipped_as_a_stored_copy_is(board, settings):
    zipped = board.get("/kpis/13/", HTTP_ACCEPT_ENCODING="gzip")
    assert outcome(zipped) == "miss"
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    settings.PAGE_CACHE_ENABLED = False
    rendered = board.get("/kpis/13/")
    assert without_tokens(gzip.decompress(zipped.content)) == without_tokens(rendered.content)


def test_the_sign_out_token_on_a_page_rendered_afresh_and_gzipped_works():
    client = signed_in("reader", "Board member", enforce_csrf_checks=True)
    zipped = client.get(SCORECARD, HTTP_ACCEPT_ENCODING="gzip")
    assert outcome(zipped) == "miss"
    token = TOKEN.search(gzip.decompress(zipped.content)).group(1).decode()
    signed_out = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_download_is_never_stored(board):
    for _ in range(2):
        response = board.get(f"{SCORECARD}&format=csv")
        assert response["Content-Type"].startswith("text/csv")
        assert outcome(response) == "bypass"


def test_a_page_that_is_not_found_is_not_stored(board):
    for _ in range(2):
        response = board.get("/kpis/NO-SUCH-CODE/")
        assert response.status_code == 404
        assert outcome(response) in ("", "bypass")


def test_pages_other_than_the_board_pages_are_not_cached(board):
    assert outcome(board.get("/help/statuses/")) == ""


def test_a_stored_page_is_served_in_three_queries(board, django_assert_num_queries):
    board.get(SCORECARD)
    with django_assert_num_queries(3):  # the session, the user and the data version
        assert outcome(board.get(SCORECARD)) == "hit"


def test_switched_off_every_view_is_rendered(board, settings):
    settings.PAGE_CACHE_ENABLED = False
    board.get(SCORECARD)
    assert outcome(board.get(SCORECARD)) == ""


# --- the stored page's pieces ----------------------------------------------------------------------


def test_a_page_is_cut_at_the_header_name_and_every_csrf_token_only():
    html = (
        "<header><span>Signed in as a&amp;b (Board member)</span>"
        '<input type="hidden" name="csrfmiddlewaretoken" value="T1"></header>'
        "<p>Signed in as a&amp;b is quoted here too, ‘twice’</p>"
        '<input type="hidden" name="csrfmiddlewaretoken" value="T2">'
    ).encode()
    pieces, slots = cut_into_slots(html, "a&b")
    assert slots == ("user", "csrf", "csrf")
    page = StoredPage.of(pieces, slots, "text/html")
    filled = page.fill({"user": b"x", "csrf": b"NEW"}).decode()
    assert filled.startswith("<header><span>Signed in as x (Board member)")
    assert "Signed in as a&amp;b is quoted here too, ‘twice’" in filled
    assert filled.count('value="NEW"') == 2


def test_a_name_beyond_ascii_is_found_in_the_pages_utf8_bytes():
    html = "<span>Signed in as Zoë &lt;Ó&gt; (Board member)</span>–".encode()
    pieces, slots = cut_into_slots(html, "Zoë <Ó>")
    assert slots == ("user",)
    assert pieces == (b"<span>Signed in as ", " (Board member)</span>–".encode())


def test_the_pages_cache_hands_back_what_it_stored_without_copying_and_keeps_its_limit():
    from sct_monitor.memory_cache import ImmutableValuesCache

    cache = ImmutableValuesCache("test-immutable", {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 4}})
    cache.clear()
    page = StoredPage.of((b"<p>", b"</p>"), ("user",), "text/html")
    cache.set("page", page)
    assert cache.get("page") is page
    assert cache.add("page", "other") is False and cache.get("page") is page
    for number in range(10):
        cache.set(f"other-{number}", number)
    assert len(cache._cache) <= 4
    assert cache.get("missing", "default") == "default"


def test_a_page_without_the_signed_in_header_is_not_cut():
    assert cut_into_slots(b"<p>no header</p>", "reader") is None


@pytest.mark.parametrize("value", [b"", b"short", b"x" * 70000])
def test_the_gzipped_page_unzips_to_the_filled_page_whatever_the_slot_holds(value):
    page = StoredPage.of((b"<a>" * 5000, b"<b>", b""), ("user", "csrf"), "text/html")
    values = {"user": value, "csrf": b"token"}
    assert gzip.decompress(page.fill_gzipped(values)) == page.fill(values)


# --- a page's next version compressed from its last -------------------------------------------------


def rows(count: int, changed: int | None = None) -> bytes:
    """A page-like piece: ``count`` table rows, row ``changed`` saying something else."""
    return b"".join(
        f'<tr class="govuk-table__row"><td>Indicator {n}</td><td>{"CHANGED" if n == changed else n * 7 % 100}'
        f"</td></tr>\n".encode()
        for n in range(count)
    )


def inflated(piece) -> bytes:
    return zlib.decompress(b"".join(piece.deflated) + b"\x03\x00", -zlib.MAX_WBITS)


def test_a_piece_compressed_in_chunks_inflates_to_itself_and_as_small_as_in_one_run():
    data = rows(20_000)
    piece = deflate_piece(data)
    assert len(piece.deflated) == round(len(data) / CHUNK_BYTES) > 1
    assert inflated(piece) == data
    whole = zlib.compress(data, 6)
    assert sum(map(len, piece.deflated)) < len(whole) * 1.02


def test_a_new_version_reuses_the_compression_of_every_chunk_but_the_changed_one_and_the_next():
    before = deflate_piece(rows(20_000))
    after = deflate_piece(rows(20_000, changed=10_000), earlier=before)
    assert inflated(after) == rows(20_000, changed=10_000)
    reused = sum(1 for chunk in after.deflated if any(chunk is old for old in before.deflated))
    assert reused == len(after.deflated) - 2


@pytest.mark.parametrize(
    "edit",
    [
        lambda data: data,
        lambda data: b"",
        lambda data: b"new start" + data,
        lambda data: data + b"new end",
        lambda data: data[: len(data) // 2] + b"x" * 100_000 + data[len(data) // 2 :],
        lambda data: data[:1000] + data[300_000:],
        lambda data: data[:-CHUNK_BYTES],
        lambda data: data.replace(b"Indicator 1", b"Indicator one"),
        lambda data: data[::-1],
        lambda data: data[CHUNK_BYTES:] + data[:CHUNK_BYTES],
    ],
    ids=["same", "emptied", "start", "end", "inserted", "cut", "shorter", "many", "reversed", "rotated"],
)
def test_a_version_compressed_from_the_last_inflates_to_itself_whatever_changed(edit):
    data = rows(20_000)
    changed = edit(data)
    assert inflated(deflate_piece(changed, earlier=deflate_piece(data))) == changed


def test_a_gzipped_page_compressed_from_its_last_version_unzips_to_the_new_page():
    earlier = StoredPage.of((b"<p>", rows(10_000), b"</p>"), ("user", "csrf"), "text/html")
    page = StoredPage.of((b"<p>", rows(10_000, changed=5), b"</p>"), ("user", "csrf"), "text/html", earlier)
    values = {"user": b"reader", "csrf": b"token"}
    assert gzip.decompress(page.fill_gzipped(values)) == page.fill(values)
    assert rows(10_000, changed=5) in page.fill(values)


def test_after_a_write_the_gzipped_page_is_the_page_rendered_afresh(board):
    board.get(SCORECARD, HTTP_ACCEPT_ENCODING="gzip")
    indicator = Indicator.objects.order_by("pk").first()
    Indicator.objects.filter(pk=indicator.pk).update(title="A title only this version shows")
    zipped = board.get(SCORECARD, HTTP_ACCEPT_ENCODING="gzip")
    assert outcome(zipped) == "miss" and zipped["Content-Encoding"] == "gzip"
    plain = board.get(SCORECARD)
    assert outcome(plain) == "hit"
    assert without_tokens(gzip.decompress(zipped.content)) == without_tokens(plain.content)
    assert b"A title only this version shows" in plain.content


def test_a_value_is_sent_in_stored_blocks_of_at_most_65535_bytes():
    blocks = stored_blocks(b"y" * 65536)
    assert blocks[:5] == b"\x00\xff\xff\x00\x00"
    assert blocks[5 + 65535 : 5 + 65535 + 5] == b"\x00\x01\x00\xfe\xff"


def test_a_page_larger_than_the_limit_is_rendered_every_time(board, settings):
    report = "/reports/2022-06/"
    settings.PAGE_CACHE_ENABLED = False
    size = len(board.get(report).content)
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_MAX_BYTES = size - 1
    assert [outcome(board.get(report)) for _ in range(2)] == ["bypass", "bypass"]
    settings.PAGE_CACHE_MAX_BYTES = size
    assert [outcome(board.get(report)) for _ in range(2)] == ["miss", "hit"]


def fresh(user):
    """The user as a new request reads it, with none of Django's caches on it."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize("role", ["Board member", "Performance officer", "Administrator", None])
def test_a_users_groups_and_permissions_read_in_one_statement_are_what_django_reads(
    role, django_assert_num_queries
):
    from django.contrib.auth.models import Permission

    from sct_monitor.page_cache import read_access
    from sct_monitor.roles import role_of

    user = make_user("someone", role)
    user.user_permissions.add(Permission.objects.get(codename="view_target"))  # one of their own too
    expected = (role_of(fresh(user)), fresh(user).get_all_permissions())
    read = fresh(user)
    with django_assert_num_queries(1):
        read_access(read)
        assert (role_of(read), read.get_all_permissions()) == expected


def test_a_superuser_and_an_inactive_user_are_left_to_django(django_assert_num_queries):
    from sct_monitor.page_cache import read_access

    superuser = get_user_model().objects.create_superuser("root", password="a-long-test-password-1")
    inactive = make_user("gone", "Board member")
    inactive.is_active = False
    with django_assert_num_queries(0):
        read_access(superuser)
        read_access(inactive)
    assert not hasattr(superuser, "_perm_cache") and not hasattr(inactive, "_group_names")
    assert fresh(superuser).has_perm("kpis.add_monthlyvalue")


@pytest.mark.parametrize(
    "html",
    [
        "",
        'name="csrfmiddlewaretoken" value="abc"',
        'x name="csrfmiddlewaretoken" value="" y name="csrfmiddlewaretoken" value="d"e"',
        'name="csrfmiddlewaretoken" value="never closed',
        'name="csrfmiddlewaretoken" value="a"name="csrfmiddlewaretoken" value="b"',
    ],
)
def test_the_csrf_values_found_are_those_the_pattern_finds(html):
    import re

    from sct_monitor.page_cache import csrf_values

    pattern = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
    content = html.encode()
    assert csrf_values(content) == [(m.end(1), m.start(2)) for m in pattern.finditer(content)]


def test_a_write_to_the_data_leaves_the_users_access_read_and_a_change_of_role_reads_it_again(board):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sct_monitor.data_version import page_versions

    def access_reads() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert board.get(SCORECARD).status_code == 200
        return sum(
            "auth_user_groups" in query["sql"] and "dataversion" not in query["sql"]
            for query in queries.captured_queries
        )

    data, access = page_versions()
    board.get(SCORECARD)
    Indicator.objects.filter(code="13").update(title="Renamed")
    assert page_versions()[0] != data and page_versions()[1] == access
    assert access_reads() == 0  # rendered afresh, the role as it was read
    user = get_user_model().objects.get(username="reader")
    user.groups.add(Group.objects.get(name="Performance officer"))
    assert page_versions()[1] != access
    assert access_reads() == 1
    user.groups.set([])
    assert board.get(SCORECARD).status_code == 403


def test_the_last_versions_kept_to_compress_from_stay_within_their_limit(monkeypatch):
    from sct_monitor import page_cache

    monkeypatch.setattr(page_cache, "LATEST_BYTES", 250_000)
    middleware = page_cache.PageCacheMiddleware(lambda request: None)
    for number in range(5):
        page = StoredPage.of((rows(2_000, changed=number),), (), "text/html")
        middleware.remember_latest(f"page-{number}", page)
        middleware.remember_latest(f"page-{number}", page)  # a new version replaces the last
        assert middleware.latest_bytes == sum(kept.size for kept in middleware.latest.values())
        assert middleware.latest_bytes <= 250_000 and middleware.latest[f"page-{number}"] is page
    assert len(middleware.latest) < 5
