"""Exceptions raised by stream readers."""

__all__ = ['IncompleteReadError', 'LineTooLongError']

import asyncio


# contract EX-1: besides EOFError, subclass asyncio's own IncompleteReadError
# (an EOFError on every supported Python), so that code mixing libraries can
# catch ours with ``except asyncio.IncompleteReadError``.
class IncompleteReadError(asyncio.IncompleteReadError):
    """The stream ended before ``readexactly(n)`` got its ``n`` bytes.

    ``partial`` holds the bytes read before the end of the stream and
    ``expected`` the number asked for.  The message is the 3.4 one (not the
    3.8+ ``undefined`` variant), and instances survive pickling, which 3.4.0
    got wrong (contract HD-8).
    """

    def __init__(self, partial, expected):
        # Call EOFError directly: the stdlib base's own __init__ formats a
        # different message on 3.8+.
        EOFError.__init__(
            self, '%s bytes read on a total of %s expected bytes'
            % (len(partial), expected))
        self.partial = partial
        self.expected = expected

    def __reduce__(self):
        return type(self), (self.partial, self.expected)


class LineTooLongError(ValueError):
    """``readline()`` met a line longer than the reader's limit (contract Q-1).

    A ValueError with the 3.4 message ``'Line is too long'``, so code written
    against 3.4 behaves the same.  The bytes the reader removed from its
    buffer travel in ``partial``: they end with ``b'\\n'`` when the end of the
    line was reached, otherwise the rest of the line is still to come.
    """

    def __init__(self, partial=b''):
        ValueError.__init__(self, 'Line is too long')
        self.partial = partial

    def __reduce__(self):
        return type(self), (self.partial,)
