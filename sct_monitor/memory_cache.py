"""An in-memory cache that keeps values as they are, for values that are never changed once made.

Django's LocMemCache pickles every value it stores and unpickles it on every read, so that a
caller changing what it read cannot change the stored copy. A stored page (``page_cache.StoredPage``)
is frozen and made of bytes, so that copying protects nothing: for a report of 3 MB it cost a
millisecond and more each way.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache


class ImmutableValuesCache(LocMemCache):
    """LocMemCache (its limits, culling and expiry) storing values unpickled: for immutable values only."""

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key, delta=1, version=None):
        raise NotImplementedError("values here are never changed in place")
