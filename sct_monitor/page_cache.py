"""Board pages kept once rendered, for as long as the data they show is unchanged.

A page is stored under what decides its content: the address with its query, the user's role
and permissions, today's date and the data version (``sct_monitor.data_version``), which every
committed write advances. Nothing stale can be served: after any write the version differs, so
the next request renders afresh. Each app server keeps its own copy in memory; because the
version is read from the shared database on every request, a write through one server is seen
by the next request to any other.

Only two things in a page differ between users with the same role: the name in the header and
the CSRF token of the sign-out form. The stored copy keeps them as slots, filled per request.

Pages also carry an ETag built from the same key and the user's own slots, with
``Cache-Control: no-cache``, so a browser that already holds the page gets a 304 and no body.
"""

import hashlib
import struct
import threading
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape

from sct_monitor.data_version import page_versions
from sct_monitor.roles import group_names, role_of

# The read-only pages every role reads most (view names as ``reverse`` spells them).
CACHED_VIEWS = frozenset(
    {
        "home",
        "kpis:indicator_list",
        "kpis:indicator_detail",
        "reports:list",
        "reports:detail",
    }
)
CACHE_ALIAS = "pages"
STATUS_HEADER = "X-Page-Cache"
CSRF_FIELD = b'name="csrfmiddlewaretoken" value="'
USER_SLOT, CSRF_SLOT = "user", "csrf"
# The last versions of pages kept to compress their next versions from, per process: a report on
# 300 indicators is 3 MB.
LATEST_BYTES = 48 * 1024 * 1024


GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
LAST_BLOCK = b"\x01\x00\x00\xff\xff"  # an empty stored block marked final


# A piece is compressed in chunks of about this size; each chunk may refer back into the chunk
# before it (all of deflate's 32 KB window), as pigz does, so the page compresses as well as in
# one run (within a few hundred bytes in 150 KB, 0.5% in 3 MB), while a chunk's compressed bytes
# hold wherever the same chunk follows the same chunk. Chunks of 64 KB compressed a third more
# again after a write to one indicator of a 3 MB report; of 16 KB, the page grew 2%.
CHUNK_BYTES = 32 * 1024
WINDOW = 32 * 1024


@dataclass(frozen=True)
class DeflatedPiece:
    """A piece of a page (``data``) as raw deflate blocks, one run of blocks a chunk, each run
    ended on a byte boundary and not final, so that pieces, chunks and stored blocks can follow
    one another in one stream. ``ends`` is where each chunk ends in ``data``."""

    data: bytes
    ends: tuple[int, ...]
    deflated: tuple[bytes, ...]

    def spans(self) -> list[tuple[int, int, bytes]]:
        starts = (0, *self.ends[:-1])
        return list(zip(starts, self.ends, self.deflated, strict=True))


def deflate_chunk(data: bytes, start: int, end: int, after: int | None) -> bytes:
    """``data[start:end]`` compressed; ``after`` is where the chunk before it starts (None for a
    piece's first chunk: what precedes it in the stream is a per-user value or nothing)."""
    if after is None:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    else:
        window = data[max(after, start - WINDOW) : start]
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=window)
    return compressor.compress(data[start:end]) + compressor.flush(zlib.Z_SYNC_FLUSH)


def deflate_piece(data: bytes, earlier: DeflatedPiece | None = None) -> DeflatedPiece:
    """``data`` compressed in chunks, reusing ``earlier``'s (the same piece of the page's last
    version) wherever the same bytes follow the same bytes: a page rendered again after a write
    to one indicator compresses only the regions that changed and the chunk after each, not its
    3 MB. Nothing is taken on trust: a chunk is reused only after its bytes, and those of the
    chunk before it, are compared with the new page's."""
    old = earlier.spans() if earlier is not None else []
    before = memoryview(earlier.data) if earlier is not None else None  # compared without copying
    ends: list[int] = []
    deflated: list[bytes] = []
    position, at = 0, 0  # where the next chunk starts in data; the earlier chunk expected there
    follows: int | None = None  # the earlier chunk the last chunk written is equal to

    def write(end: int, compressed: bytes | None = None) -> None:
        nonlocal position
        if compressed is None:  # the chunk before it, if any, is its dictionary
            after = None if not ends else ends[-2] if len(ends) > 1 else 0
            compressed = deflate_chunk(data, position, end, after)
        ends.append(end)
        deflated.append(compressed)
        position = end

    def write_new(end: int) -> None:
        """Chunks of about CHUNK_BYTES up to ``end``, compressed afresh (a region a few bytes
        longer than a chunk is one chunk, not a chunk and a sliver)."""
        nonlocal follows
        count = max(1, round((end - position) / CHUNK_BYTES))
        size = -(-(end - position) // count)
        while position < end:
            write(min(end, position + size))
        follows = None

    while position < len(data):
        if at >= len(old):
            write_new(len(data))
            break
        start, end, compressed = old[at]
        chunk = before[start:end]
        if data.startswith(chunk, position):
            # A first chunk refers to nothing before it; any other, to the chunk it followed.
            same_before = at == 0 or follows == at - 1
            write(position + len(chunk), compressed if same_before else None)
            follows, at = at, at + 1
            continue
        found = resynchronised(data, position, before, old, at)
        if found is None:
            write_new(len(data))
            break
        at, where = found
        write_new(where)
    return DeflatedPiece(data, tuple(ends), tuple(deflated))


# After a region that changed, the earlier chunks looked for further on, and how far beyond what
# they spanned before: a write shifts what follows by the size of what it changed.
RESYNC_CHUNKS = 4
RESYNC_SLACK = 4 * CHUNK_BYTES


def resynchronised(
    data: bytes, position: int, before: memoryview, old: list, at: int
) -> tuple[int, int] | None:
    """The first of the next few earlier chunks (``before``, the earlier piece; ``old``, its
    chunks' spans) found again in ``data`` after ``position``, and where: (its index, its start)."""
    for index in range(at, min(len(old), at + RESYNC_CHUNKS)):
        start, end, _ = old[index]
        limit = position + (end - old[at][0]) + RESYNC_SLACK + abs(len(data) - len(before))
        where = data.find(before[start:end], position, limit)
        if where > position or (where == position and index > at):
            return index, where
    return None


def stored_blocks(data: bytes) -> bytes:
    """``data`` as uncompressed deflate blocks: a per-user value such as the CSRF token is sent
    as it is, so it can never change the size of what is compressed (no BREACH-style guessing)."""
    out = []
    for start in range(0, len(data), 65535):
        chunk = data[start : start + 65535]
        out.append(b"\x00" + struct.pack("<HH", len(chunk), 0xFFFF ^ len(chunk)) + chunk)
    return b"".join(out)


@dataclass(frozen=True)
class StoredPage:
    """A rendered page cut at its per-user slots: text, slot, text, slot, ..., text; the text
    pieces kept compressed too, so that a stored page is sent gzipped without compressing it."""

    pieces: tuple[DeflatedPiece, ...]
    slots: tuple[str, ...]
    content_type: str

    @classmethod
    def of(
        cls,
        pieces: tuple[bytes, ...],
        slots: tuple[str, ...],
        content_type: str,
        earlier: "StoredPage | None" = None,
    ) -> "StoredPage":
        """``earlier``, the same page's last version, lends the chunks that are unchanged."""
        before = earlier.pieces if earlier is not None else ()
        deflated = tuple(
            deflate_piece(piece, before[index] if index < len(before) else None)
            for index, piece in enumerate(pieces)
        )
        return cls(deflated, slots, content_type)

    @property
    def size(self) -> int:
        return sum(len(piece.data) for piece in self.pieces)

    def fill(self, values: dict[str, bytes]) -> bytes:
        parts = [self.pieces[0].data]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            parts += [values[slot], piece.data]
        return b"".join(parts)

    def fill_gzipped(self, values: dict[str, bytes]) -> bytes:
        first = self.pieces[0]
        crc, size = zlib.crc32(first.data), len(first.data)
        parts = [GZIP_HEADER, *first.deflated]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            value = values[slot]
            crc, size = zlib.crc32(piece.data, zlib.crc32(value, crc)), size + len(value) + len(piece.data)
            parts += [stored_blocks(value), *piece.deflated]
        parts += [LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
        return b"".join(parts)


def signed_in_text(username: str) -> str:
    return f"Signed in as {escape(username)}"


def csrf_values(html: bytes) -> list[tuple[int, int]]:
    """Where each CSRF token's value starts and ends: found with ``bytes.find`` (a regular
    expression walked a report's 3 MB a character at a time)."""
    found, at = [], html.find(CSRF_FIELD)
    while at >= 0:
        start = at + len(CSRF_FIELD)
        end = html.find(b'"', start)
        if end < 0:
            break
        found.append((start, end))
        at = html.find(CSRF_FIELD, end)
    return found


def cut_into_slots(html: bytes, username: str) -> tuple[tuple[bytes, ...], tuple[str, ...]] | None:
    """The page's pieces around its user name (first occurrence, in the header) and every CSRF
    token; None if the header is not where expected, in which case the page is not stored.
    The page is cut as the UTF-8 bytes it is sent as: decoding a report's 3 MB to cut it and
    encoding the pieces again took longer than finding the slots."""
    header = signed_in_text(username).encode()
    at = html.find(header)
    if at < 0:
        return None
    name_start = at + len(b"Signed in as ")
    cuts = [(name_start, at + len(header), USER_SLOT)]
    cuts += [(start, end, CSRF_SLOT) for start, end in csrf_values(html)]
    cuts.sort()
    pieces, slots, position = [], [], 0
    for start, end, slot in cuts:
        pieces.append(html[position:start])
        slots.append(slot)
        position = end
    pieces.append(html[position:])
    return tuple(pieces), tuple(slots)


# (user id, access version) -> the user's role and permissions. The access version is the
# versions of the users', groups' and permissions' tables, so a change to any of them is read
# afresh, and a write to the data leaves what a user may see as it was read.
_access_by_version: dict[tuple[int, str], tuple[str, frozenset[str], frozenset[str]]] = {}
ACCESS_ENTRIES = 2000


def access_statement() -> str:
    """One statement for a user's group names and permissions (their own and their groups'), as
    rows of ("group", name) and ("permission", "app_label.codename"), where Django asks three."""
    user = get_user_model()
    user_groups = user.groups.through._meta.db_table
    user_permissions = user.user_permissions.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    group, permission = Group._meta.db_table, Permission._meta.db_table
    content_type = ContentType._meta.db_table
    named = (
        f"SELECT 'permission', ct.app_label || '.' || p.codename FROM {permission} p "
        f"JOIN {content_type} ct ON ct.id = p.content_type_id "
    )
    return (
        f"SELECT 'group', g.name FROM {group} g JOIN {user_groups} ug ON ug.group_id = g.id "
        "WHERE ug.user_id = %s UNION ALL "
        f"{named} JOIN {user_permissions} up ON up.permission_id = p.id WHERE up.user_id = %s UNION ALL "
        f"{named} JOIN {group_permissions} gp ON gp.permission_id = p.id "
        f"JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s"
    )


def read_access(user) -> None:
    """Reads an active, non-superuser's groups and permissions in one statement into the caches
    that ``role_of`` and ModelBackend keep on the request's user, so neither asks again. Anyone
    else is left to Django (a superuser holds every permission, an inactive user none)."""
    if not user.is_active or user.is_superuser:
        return
    with connection.cursor() as cursor:
        cursor.execute(access_statement(), [user.pk] * 3)
        rows = cursor.fetchall()
    user._group_names = frozenset(name for kind, name in rows if kind == "group")
    user._perm_cache = {name for kind, name in rows if kind == "permission"}


def access_of(user, version: str) -> str:
    """The user's role and permissions as the page key spells them, read once per access version
    (``data_version.page_versions``) rather than per request. The permissions are handed to
    Django's own per-request cache too, so later checks in this request (the response headers')
    ask nothing of the database."""
    known = _access_by_version.get((user.pk, version))
    if known is None:
        if len(_access_by_version) >= ACCESS_ENTRIES:
            _access_by_version.clear()
        read_access(user)
        known = (role_of(user) or "", frozenset(user.get_all_permissions()), group_names(user))
        _access_by_version[(user.pk, version)] = known
    else:
        user._perm_cache = set(known[1])  # ModelBackend's cache of all the user's permissions
        user._group_names = known[2]  # and role_of's of the user's groups, for a page rendered
    role, permissions, _ = known
    return f"{role}\n" + ",".join(sorted(permissions))


def page_key(request: HttpRequest, version: str, access: str) -> tuple[str, str]:
    """Everything a cached page's content depends on, hashed (``version``, the data's; ``access``,
    that of the users' roles and permissions: ``data_version.page_versions``); and the page's
    lineage, the same without the data version and the day: what its versions share."""
    user = request.user
    page = [request.get_full_path(), "superuser" if user.is_superuser else "", access_of(user, access)]
    key = hashlib.sha256("\n".join([version, timezone.localdate().isoformat(), *page]).encode())
    return key.hexdigest(), hashlib.sha256("\n".join(page).encode()).hexdigest()


def accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "").lower()


def etag_for(key: str, request: HttpRequest) -> str:
    """The page's key plus what is this user's own: the name shown and the CSRF secret the
    form's token is made from (a new sign-in rotates it, so an old copy is never reused), and
    the encoding, since gzipped and plain bytes are different representations."""
    own = "\n".join(
        [key, str(request.user.pk), request.user.get_username(), request.META.get("CSRF_COOKIE", ""),
         "gzip" if accepts_gzip(request) else ""]
    )  # fmt: skip
    return '"' + hashlib.sha256(own.encode()).hexdigest()[:32] + '"'


def etag_matches(request: HttpRequest, etag: str) -> bool:
    """If-None-Match may list several tags; GZipMiddleware weakens ours to W/"..."."""
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    offered = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in offered


def has_pending_messages(request: HttpRequest) -> bool:
    # len() loads the messages without marking them shown.
    return len(get_messages(request)) > 0


def storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and response.charset.lower() == "utf-8"  # the page is cut as UTF-8 bytes
        and "Content-Disposition" not in response
        and len(response.content) <= settings.PAGE_CACHE_MAX_BYTES
    )


class PageCacheMiddleware:
    """Serves a stored copy of a cached view's page, or a 304, while the data is unchanged.

    Runs last, after sign-in and timeouts are enforced. A stored copy was rendered by the view
    for a user with the same permissions, so its own permission check had already passed.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.cache = caches[CACHE_ALIAS]
        # Each page's last version stored in this process, by lineage (``page_key``): a new
        # version reuses its unchanged chunks' compression (``deflate_piece``).
        self.latest: dict[str, StoredPage] = {}
        self.latest_bytes = 0
        self.latest_lock = threading.Lock()  # a threaded server stores pages side by side

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key, lineage = getattr(request, "_page_cache_key", (None, None))
        if key is None:
            return response
        if storable(response):
            cut = cut_into_slots(response.content, request.user.get_username())
            if cut is not None:
                stored = StoredPage.of(*cut, response["Content-Type"], earlier=self.latest.get(lineage))
                self.cache.set(key, stored)
                self.remember_latest(lineage, stored)
                if accepts_gzip(request):
                    # Sent as a stored copy is: its pieces are compressed already, so the page is
                    # not compressed a second time by GZipMiddleware.
                    response.content = stored.fill_gzipped(self.slot_values(request))
                    self.mark_gzipped(response)
                # The tag is made now: rendering may have given the browser its first CSRF secret.
                return self.finish(response, etag_for(key, request), "miss")
        response[STATUS_HEADER] = "bypass"
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not self.applies(request):
            return None
        versions = page_versions()
        if versions is None:
            return None
        key, lineage = page_key(request, *versions)
        etag = etag_for(key, request)
        if etag_matches(request, etag):
            return self.finish(HttpResponseNotModified(), etag, "not-modified")
        stored = self.cache.get(key)
        if stored is None:
            request._page_cache_key = key, lineage  # the view renders it; __call__ stores it
            return None
        return self.finish(self.stored_response(request, stored), etag, "hit")

    def remember_latest(self, lineage: str, stored: StoredPage) -> None:
        """Keep ``stored`` as its page's last version, within LATEST_BYTES in all."""
        with self.latest_lock:
            replaced = self.latest.pop(lineage, None)
            self.latest_bytes -= replaced.size if replaced is not None else 0
            if self.latest_bytes + stored.size > LATEST_BYTES:
                self.latest.clear()
                self.latest_bytes = 0
            self.latest[lineage] = stored
            self.latest_bytes += stored.size

    @staticmethod
    def slot_values(request: HttpRequest) -> dict[str, bytes]:
        return {
            USER_SLOT: escape(request.user.get_username()).encode(),
            CSRF_SLOT: get_token(request).encode(),
        }

    @staticmethod
    def mark_gzipped(response: HttpResponse) -> None:
        response["Content-Encoding"] = "gzip"  # GZipMiddleware leaves an encoded response alone
        patch_vary_headers(response, ["Accept-Encoding"])

    def stored_response(self, request: HttpRequest, stored: StoredPage) -> HttpResponse:
        slots = self.slot_values(request)
        if not accepts_gzip(request):
            return HttpResponse(stored.fill(slots), content_type=stored.content_type)
        response = HttpResponse(stored.fill_gzipped(slots), content_type=stored.content_type)
        self.mark_gzipped(response)
        return response

    @staticmethod
    def applies(request: HttpRequest) -> bool:
        match = request.resolver_match
        return (
            settings.PAGE_CACHE_ENABLED
            and request.method in ("GET", "HEAD")
            and match is not None
            and match.view_name in CACHED_VIEWS
            and request.user.is_authenticated
            and not has_pending_messages(request)
        )

    @staticmethod
    def finish(response: HttpResponse, etag: str, outcome: str) -> HttpResponse:
        response["ETag"] = etag
        response[STATUS_HEADER] = outcome
        # Keep a copy, but ask before using it: an unchanged page then costs a 304.
        patch_cache_control(response, no_cache=True)
        return response
