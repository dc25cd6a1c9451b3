"""Results remembered for as long as the tables they were read from are unchanged.

A page after a write is rendered afresh, but most of what it shows did not read the table that was
written: the audit checks do not change when an indicator is renamed, nor the DfE rankings when a
month's figure is entered. A function decorated with ``remembered`` keeps its result in this
process together with the version of every table its queries named (``TableVersion``, advanced by
the data-version triggers in the writing transaction), and gives it again while each of those
tables is at that version.

What a call read is taken from the SQL it ran, not declared, so no function can forget a table.
A call whose SQL names a table whose writes are not counted, or that writes anything, is not
remembered. Remembered results are shared between requests: they must be plain data that no
caller changes, and the function must depend only on its arguments and the database (today's
date is passed in, never read inside).

The versions are read once per request (one query), and again after anything in the request
writes; outside a request (commands, tests) they are read for every call. Several app servers
are safe for the reason the page cache is: the versions live in the shared database.
"""

import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from sct_monitor.late_markup import MisplacedPiece, encoded_markup, holds_placeholder
from sct_monitor.models import IndicatorVersion, TableVersion

# The tables a statement reads: the names after FROM and JOIN, quoted as Django writes them or
# bare as hand-written SQL has them. Anything else there (a function, a column of EXTRACT's)
# is not a watched table, so it makes the call unrememberable rather than wrongly remembered.
TABLE_NAMED = re.compile(
    r'\b(?:FROM|JOIN)\s+(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\())', re.IGNORECASE
)
WRITES = re.compile(
    r"^\s*(?:INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|TRUNCATE|COPY|SAVEPOINT|RELEASE|ROLLBACK)\b",
    re.IGNORECASE,
)
ENTRIES = 256  # per worker; the largest kept, a report's rendered sections, is tens of KB

_state = threading.local()


@dataclass(frozen=True)
class Entry:
    versions: tuple[tuple[str, str], ...]  # (table, version) of every table the call read
    result: Any


@dataclass
class Frame:
    """What a call being computed has read so far."""

    tables: set[str] = field(default_factory=set)
    rememberable: bool = True


_watched: frozenset[str] | None = None
VERSION_TABLES = frozenset({TableVersion._meta.db_table, IndicatorVersion._meta.db_table})


def watched() -> frozenset[str]:
    global _watched
    if _watched is None:
        from sct_monitor.data_version import watched_tables

        _watched = frozenset(watched_tables())
    return _watched


def tables_read(sql: str) -> tuple[set[str], bool]:
    """The tables ``sql`` names, and whether a call that ran it may be remembered (the versions'
    own table, read by a call within a call, counts as neither)."""
    if WRITES.match(sql):
        return set(), False
    named = {quoted or bare for quoted, bare in TABLE_NAMED.findall(sql)} - VERSION_TABLES
    return named, named <= watched()


def frames() -> list[Frame]:
    if not hasattr(_state, "frames"):
        _state.frames = []
    return _state.frames


def record(execute, sql, params, many, context):
    named, rememberable = tables_read(sql)
    for frame in frames():
        frame.tables |= named
        frame.rememberable = frame.rememberable and rememberable
    return execute(sql, params, many, context)


def read_once_a_request(name: str, read: Callable[[], Any]) -> Any:
    """``read()``, kept as the request's snapshot ``name`` until the request ends or writes;
    outside a request, read every time."""
    snapshot = getattr(_state, name, None)
    if snapshot is not None:
        return snapshot
    versions = read()
    if getattr(_state, "in_request", False):
        setattr(_state, name, versions)
    return versions


def current_versions() -> tuple[dict[str, str], dict[int, str | None]]:
    """The tables' and the indicators' versions, read together once a request (``versions``)."""
    from sct_monitor.data_version import versions

    return read_once_a_request("snapshot", versions)


def forget_snapshot() -> None:
    _state.snapshot = None


_store: dict[tuple, Entry] = {}


def clear() -> None:
    """Forget every remembered result (tests that compare a remembered result with a fresh one)."""
    _store.clear()
    _indicator_store.clear()


def configured(reads_settings: tuple[str, ...]) -> tuple:
    """The values of the settings a remembered function reads, for its key."""
    return tuple(getattr(settings, setting) for setting in reads_settings)


def remembered(function: Callable | None = None, *, reads_settings: tuple[str, ...] = ()) -> Callable:
    """``function``'s results, remembered per arguments (and the values of the settings named in
    ``reads_settings``, which tests and deployments change) while the tables it read are unchanged.

    Its arguments must be hashable (pass tuples, not lists)."""
    if function is None:
        return lambda function: remembered(function, reads_settings=reads_settings)
    name = f"{function.__module__}.{function.__qualname__}"

    @wraps(function)
    def wrapper(*args, **kwargs):
        key = (name, args, tuple(sorted(kwargs.items())), configured(reads_settings))
        hash(key)  # a list given as an argument fails here, not after the work is done
        versions, _ = current_versions()
        entry = _store.get(key)
        if entry is not None and all(versions.get(table) == version for table, version in entry.versions):
            for frame in frames():  # a call remembering this one read these tables too
                frame.tables.update(table for table, _ in entry.versions)
            return entry.result
        frame, result = traced(name, function, *args, **kwargs)
        if frame.rememberable and all(table in versions for table in frame.tables):
            if len(_store) >= ENTRIES:
                _store.clear()
            _store[key] = Entry(tuple(sorted((table, versions[table]) for table in frame.tables)), result)
        return result

    wrapper.uncached = function
    return wrapper


def traced(name: str, function: Callable, *args, **kwargs) -> tuple[Frame, Any]:
    """Call ``function``, recording the tables its SQL named (and passing them on to the calls
    that are remembering this one)."""
    frame = Frame()
    outermost = not frames()
    frames().append(frame)
    try:
        if outermost:
            with connection.execute_wrapper(record):
                result = function(*args, **kwargs)
        else:
            result = function(*args, **kwargs)
    finally:
        frames().pop()
    if isinstance(result, QuerySet | Iterator):
        # Read later, outside the call, its queries would be recorded by nobody.
        raise TypeError(f"{name} returned {type(result).__name__}: a remembered result must be read already")
    for outer in frames():
        outer.tables |= frame.tables
        outer.rememberable = outer.rememberable and frame.rememberable
    return frame, result


@dataclass(frozen=True)
class IndicatorEntry:
    indicator_version: str  # the version of the indicator's own rows when the result was made
    versions: tuple[tuple[str, str], ...]  # (table, version) of every other table the call read
    indicator_tables: frozenset[str]  # the indicator tables it read, for an outer call's record
    result: Any


INDICATOR_ENTRIES = 20_000  # per worker: a report's articles on 300 indicators are about 3 MB
# By call (function, arguments, settings), then by indicator: a call's key is hashed once, not
# once for each of its indicators.
_indicator_store: dict[tuple, dict[int, IndicatorEntry]] = {}


def indicator_entries() -> int:
    return sum(len(entries) for entries in _indicator_store.values())


def remembered_per_indicator(
    function: Callable | None = None, *, reads_settings: tuple[str, ...] = ()
) -> Callable:
    """``function(indicator_ids, *args)``'s result for each indicator, remembered per indicator.

    ``function`` takes a tuple of indicator ids and returns ``{id: result}`` (an id it leaves out
    has the result None); the results come back in the order asked. A page asks about all its
    indicators; only those whose result is not remembered, or whose rows have changed, are passed
    on, together, so a write to one indicator makes a page work out one row again, not all of
    them, in the same fixed number of queries.

    An indicator's result is kept while two things are unchanged: its own version (advanced by
    every write to its rows of ``INDICATOR_TABLES``) and the version of every other table the
    call's SQL named. The contract ``function`` keeps, tested for each use: an indicator's
    result depends on no other indicator's rows of those tables (a page's order, totals and
    counts across indicators are worked out outside it, from the results).
    """
    if function is None:
        return lambda function: remembered_per_indicator(function, reads_settings=reads_settings)
    name = f"{function.__module__}.{function.__qualname__}"
    from sct_monitor.data_version import INDICATOR_TABLES

    per_indicator = frozenset(INDICATOR_TABLES)

    @wraps(function)
    def wrapper(indicator_ids: tuple[int, ...], *args):
        key = (name, args, configured(reads_settings))
        hash(key)  # a list given as an argument fails here, not after the work is done
        versions, by_indicator = current_versions()
        results, missing, read = {}, [], set()
        # Entries stored by one call share their tables' versions (one tuple): each is checked,
        # and its tables noted, once a call, not once an indicator.
        still_current: dict[int, bool] = {}
        stored = _indicator_store.get(key, {})
        for indicator_id in indicator_ids:
            entry = stored.get(indicator_id)
            if entry is not None and entry.indicator_version == by_indicator.get(indicator_id):
                shared = id(entry.versions)
                current = still_current.get(shared)
                if current is None:
                    current = still_current[shared] = all(
                        versions.get(table) == version for table, version in entry.versions
                    )
                    if current:
                        read.update(table for table, _ in entry.versions)
                if current:
                    results[indicator_id] = entry.result
                    read |= entry.indicator_tables
                    continue
            missing.append(indicator_id)
        if missing:
            frame, computed = traced(name, function, tuple(missing), *args)
            if not isinstance(computed, dict):
                raise TypeError(f"{name} returned {type(computed).__name__}, not a dict by indicator id")
            others = frame.tables - per_indicator
            storable = frame.rememberable and others <= versions.keys()
            entry_versions = tuple(sorted((table, versions[table]) for table in others)) if storable else ()
            indicator_tables = frozenset(frame.tables & per_indicator)
            if storable and indicator_entries() + len(missing) > INDICATOR_ENTRIES:
                _indicator_store.clear()
            own = _indicator_store.setdefault(key, {}) if storable else {}
            for indicator_id in missing:
                result = results[indicator_id] = computed.get(indicator_id)
                version = by_indicator.get(indicator_id)
                if storable and version is not None:
                    own[indicator_id] = IndicatorEntry(version, entry_versions, indicator_tables, result)
        for frame in frames():  # a call remembering this one read these tables too
            frame.tables |= read
        return {indicator_id: results[indicator_id] for indicator_id in indicator_ids}

    wrapper.uncached = function
    return wrapper


def kept(owner, key, build: Callable[[], str]) -> SafeString:
    """Markup built from a remembered result once and kept with it, in its ``rendered`` dict: the
    result is shared between requests while what it read is unchanged, and so is its markup."""
    built = owner.rendered.get(key)
    if built is None:
        built = encoded_markup(build())
        if holds_placeholder(built):  # it would outlive the page whose rendering filed its piece
            raise MisplacedPiece("markup kept with a remembered result holds a late piece's placeholder")
        owner.rendered[key] = built
    return built


def watch_writes(execute, sql, params, many, context):
    """For a request's length: a write makes the next remembered call read the versions again."""
    if WRITES.match(sql):
        forget_snapshot()
    return execute(sql, params, many, context)


class TableMemoMiddleware:
    """Scopes the versions read to one request, and forgets them when the request writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _state.in_request = True
        forget_snapshot()
        try:
            with connection.execute_wrapper(watch_writes):
                return self.get_response(request)
        finally:
            _state.in_request = False
            forget_snapshot()


def new_stamp() -> str:
    """A stamp for a table's row when it is first made: never one an earlier row had."""
    return uuid.uuid4().hex
