"""IncompleteReadError and LineTooLongError (contract section 8, Q-1, HD-8)."""

import asyncio
import pickle

import pytest

import trollius_streams
from trollius_streams import IncompleteReadError, LineTooLongError

PROTOCOLS = list(range(pickle.HIGHEST_PROTOCOL + 1))


@pytest.mark.rule('EX-1')
def test_incomplete_read_error_bases():
    """EX-1: a subclass of EOFError, and of asyncio.IncompleteReadError
    where the runtime has it; except clauses for both catch ours."""
    assert issubclass(IncompleteReadError, EOFError)
    stdlib = getattr(asyncio, 'IncompleteReadError', None)
    if stdlib is not None:
        assert issubclass(IncompleteReadError, stdlib)
        with pytest.raises(stdlib):
            raise IncompleteReadError(b'x', 2)
    with pytest.raises(EOFError):
        raise IncompleteReadError(b'x', 2)
    assert trollius_streams.IncompleteReadError is IncompleteReadError


@pytest.mark.rule('EX-2')
def test_incomplete_read_error_ctor():
    """EX-2: positional (partial, expected); attributes; the 3.4 message;
    args == (message,)."""
    partial = b'x' * 18
    exc = IncompleteReadError(partial, 36)
    assert exc.partial is partial
    assert exc.expected == 36
    message = '18 bytes read on a total of 36 expected bytes'
    assert str(exc) == message
    assert exc.args == (message,)


@pytest.mark.parametrize('partial, expected, message', [
    (b'', 1, '0 bytes read on a total of 1 expected bytes'),
    (b'abc', 10, '3 bytes read on a total of 10 expected bytes'),
    (b'abc', None, '3 bytes read on a total of None expected bytes'),
], ids=['empty', 'three-of-ten', 'expected-None'])
@pytest.mark.rule('EX-2')
def test_incomplete_read_error_message(partial, expected, message):
    """EX-2: message is '%s bytes read on a total of %s expected bytes'
    (3.4 '%s' form: None shows as None, not the 3.8+ 'undefined')."""
    exc = IncompleteReadError(partial, expected)
    assert str(exc) == message
    assert exc.args == (message,)
    assert exc.partial == partial
    assert exc.expected == expected


@pytest.mark.parametrize('protocol', PROTOCOLS,
                         ids=['protocol-%d' % p for p in PROTOCOLS])
@pytest.mark.rule('EX-3')
def test_incomplete_read_error_pickle(protocol):
    """EX-3, HD-8: pickle round trip keeps type, partial, expected, message."""
    exc = IncompleteReadError(b'abc\x00\xff', 36)
    copy = pickle.loads(pickle.dumps(exc, protocol))
    assert type(copy) is IncompleteReadError
    assert copy.partial == b'abc\x00\xff'
    assert copy.expected == 36
    assert copy.args == exc.args
    assert str(copy) == '5 bytes read on a total of 36 expected bytes'


@pytest.mark.rule('Q-1')
def test_line_too_long_error():
    """Q-1: LineTooLongError is a ValueError with the 3.4 message
    'Line is too long' and the removed bytes in .partial."""
    assert issubclass(LineTooLongError, ValueError)
    assert trollius_streams.LineTooLongError is LineTooLongError
    exc = LineTooLongError(b'abcd\n')
    assert str(exc) == 'Line is too long'
    assert exc.args == ('Line is too long',)
    assert exc.partial == b'abcd\n'
    with pytest.raises(ValueError, match='^Line is too long$'):
        raise exc
    assert LineTooLongError().partial == b''


@pytest.mark.parametrize('protocol', PROTOCOLS,
                         ids=['protocol-%d' % p for p in PROTOCOLS])
@pytest.mark.rule('Q-1')
def test_line_too_long_error_pickle(protocol):
    """Q-1: LineTooLongError survives pickling with .partial intact."""
    exc = LineTooLongError(b'line1li')
    copy = pickle.loads(pickle.dumps(exc, protocol))
    assert type(copy) is LineTooLongError
    assert copy.partial == b'line1li'
    assert copy.args == ('Line is too long',)
