"""The asyncio Streams API exactly as documented for Python 3.4.

Generator-style (``@coroutine`` and ``yield from``) streams that run
unchanged on Python 3.6-3.13 and on uvloop.  The compatibility layer lives in
:mod:`trollius_streams.compat`.
"""

from ._errors import IncompleteReadError, LineTooLongError
from ._reader import StreamReader, _DEFAULT_LIMIT  # noqa: F401 (contract)
from ._writer import StreamWriter
from ._protocol import StreamReaderProtocol
from ._functions import open_connection, start_server
from .compat import coroutine

__all__ = ['open_connection', 'start_server', 'StreamReader', 'StreamWriter',
           'StreamReaderProtocol', 'IncompleteReadError', 'LineTooLongError',
           'coroutine']

try:
    from ._functions import open_unix_connection, start_unix_server
except ImportError:  # no AF_UNIX on this platform (contract API-1)
    pass
else:
    __all__ += ['open_unix_connection', 'start_unix_server']

__version__ = '0.1.0'
