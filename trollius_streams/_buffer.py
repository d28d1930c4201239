"""ReceiveBuffer: where StreamReader keeps the bytes it has not handed out.

Goals
-----
* A line or a frame that sits in one received chunk costs one slice: no
  copy of the rest of the buffer, no join, no ``del buf[:n]`` that moves
  everything behind it (what a single bytearray costs).
* A received ``bytes`` chunk is kept as the object the protocol passed in
  (other bytes-like objects are copied once: the caller may reuse them);
  bytes are copied again only for a result that spans chunks.
* A line that trickles in is searched chunk by chunk and joined once, when
  it is complete, not on every arrival (which would be quadratic).
* ``readexactly(n)`` with ``n`` far above the limit never holds ``2 * n``
  bytes (the received chunks plus the joined result).
* The hot paths of StreamReader decide "serve from the head chunk, nothing
  else to check" with one integer comparison.

Plan
----
The unread bytes are, in order::

    _gathering (BytesIO or None) | _head[_pos:] | _tail[0] | _tail[1] | ...

``_head`` and ``_pos``
    The head chunk, a bytes object, and the offset of its first unread
    byte.  Reading from it moves ``_pos``; the chunk is dropped only when it
    is used up, so that a line costs one slice.  When reading pauses,
    StreamReader.feed_data() cuts the head down to its unread part, so
    that a paused reader keeps no more than 2*limit and one receive alive.
``_tail``
    A list of the chunks received after the head, as received.
``_outside_head``
    The number of unread bytes outside the head chunk: in ``_tail`` and in
    ``_gathering``.  With it, the size is ``len(_head) - _pos +
    _outside_head`` and "empty" is ``_pos == len(_head) and not
    _outside_head``, without walking ``_tail``.
``_gathering``
    While a ``readexactly(n)`` with ``n`` above the limit waits, what has
    arrived is moved into this BytesIO and the chunks are dropped, so the
    result is the BytesIO's own bytes object (``getvalue()`` does not copy
    it).  None otherwise.  A call that ends without its result (cancelled,
    or raising a stored exception) leaves it in place, so no byte is lost;
    the next read call turns it back into the head chunk
    (``_stop_gathering()``).
``_fast_end``
    Where the fast paths may slice up to: they return ``_head[_pos:end]``
    with no other check when ``_pos < end <= _fast_end``.  StreamReader
    computes it (``_update_fast_end()``) from its own state: -1 while an
    exception is stored or a read call waits (the slow path must raise or
    refuse), ``len(_head)`` otherwise, lowered while reading is paused to
    the last position that still leaves more than the limit unread (going
    past it must resume reading).  This class only makes it smaller.

Invariants
----------
* ``0 <= _pos <= len(_head)``; every chunk in ``_tail`` is non-empty.
* ``_outside_head == sum(map(len, _tail)) + (bytes in _gathering)``.
* While ``_gathering`` is set, the head chunk is empty (``_pos ==
  len(_head)``): the gathered bytes come first, so nothing may sit in front
  of them.
* An empty buffer has an empty ``_tail``: the next chunk becomes the head.
* ``_fast_end`` never allows more than the rules above.  Any code here that
  replaces ``_head`` sets it to -1, which is always safe: the next read call
  takes its slow path, which ends by recomputing it.
"""

__all__ = ['ReceiveBuffer']

import io


class ReceiveBuffer(object):
    """The chunked byte store that StreamReader is built on (see the module).

    A base class rather than an attribute of the reader, so that the
    reader's fast paths read ``self._head`` directly, without one more
    attribute lookup per call.  The methods here only move bytes; when to
    wait, raise or flow-control is the reader's business.
    """

    def __init__(self):
        self._head = b''
        self._pos = 0
        self._tail = []
        self._outside_head = 0
        self._gathering = None
        self._fast_end = 0

    @property
    def _buffer(self):
        """All unread bytes, joined into one bytes object (contract section 9).

        Read-only: a snapshot for white-box tests and debugging; changing
        it does not change the reader.
        """
        parts = []
        gathering = self._gathering
        if gathering is not None:
            parts.append(gathering.getvalue())
        parts.append(self._head[self._pos:])
        parts.extend(self._tail)
        return b''.join(parts)

    def _size(self):
        return len(self._head) - self._pos + self._outside_head

    def _take_parts(self, n):
        """Remove the first ``n`` bytes, which reach into ``_tail``.

        ``len(_head) - _pos < n <= unread``, not gathering.  Returns them as
        a list of bytes-like parts, for a join or a write.
        """
        head, pos = self._head, self._pos
        parts = [memoryview(head)[pos:]]
        need = pos + n - len(head)
        tail = self._tail
        moved = 0
        i = 0
        while True:
            chunk = tail[i]
            i += 1
            size = len(chunk)
            moved += size
            if size < need:
                parts.append(chunk)
                need -= size
                continue
            if size == need:
                parts.append(chunk)
                head, pos = b'', 0
            else:
                parts.append(memoryview(chunk)[:need])
                head, pos = chunk, need
            break
        del tail[:i]
        self._outside_head -= moved
        self._fast_end = -1
        self._head = head
        self._pos = pos
        return parts

    def _take(self, n):
        """Remove and return the first ``n`` bytes (0 < n <= unread)."""
        if self._gathering is not None:
            self._stop_gathering()
        head, pos = self._head, self._pos
        end = pos + n
        if end <= len(head):
            self._pos = end
            return head[pos:end]
        return b''.join(self._take_parts(n))

    def _take_all(self):
        """Remove and return every unread byte."""
        if self._gathering is not None:
            self._stop_gathering()
        head, pos, tail = self._head, self._pos, self._tail
        if tail:
            tail.insert(0, memoryview(head)[pos:])
            data = b''.join(tail)
            del tail[:]
        else:
            data = head[pos:]
        self._fast_end = -1
        self._head = b''
        self._pos = 0
        self._outside_head = 0
        return data

    def _compact(self):
        """Join every unread byte into the head chunk, for one find().

        Only for a non-empty ``_tail`` and while not gathering.
        """
        self._head = self._take_all()

    def _gather(self):
        """Move every unread byte into ``_gathering`` (created if needed)."""
        head, pos, tail = self._head, self._pos, self._tail
        rest = len(head) - pos
        if not rest and not tail:
            return
        gathering = self._gathering
        if gathering is None:
            gathering = self._gathering = io.BytesIO()
        if rest:
            gathering.write(memoryview(head)[pos:])
            self._outside_head += rest
            self._fast_end = -1
            self._head = b''
            self._pos = 0
        for chunk in tail:
            gathering.write(chunk)
        del tail[:]

    def _stop_gathering(self):
        """Make the gathered bytes the head chunk again (no copy)."""
        data = self._gathering.getvalue()
        self._gathering = None
        self._outside_head -= len(data)
        self._fast_end = -1
        self._head = data
        self._pos = 0

    def _take_gathered(self, n):
        """Remove and return the first ``n`` bytes while gathering.

        ``n`` is more than what was gathered (the rest arrived in ``_tail``
        after the last _gather()) and at most what is unread.
        """
        gathering = self._gathering
        self._gathering = None
        have = gathering.tell()
        self._outside_head -= have
        for part in self._take_parts(n - have):
            gathering.write(part)
        return gathering.getvalue()
