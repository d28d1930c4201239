"""The package surface (SPEC section 1)."""

import socket

import pytest

import trollius_streams


@pytest.mark.rule('API-1', 'API-2')
def test_exports():
    """API-1, API-2: __all__ holds exactly the 3.4 names plus coroutine and
    LineTooLongError; the UNIX pair only where AF_UNIX exists."""
    expected = {'open_connection', 'start_server', 'StreamReader',
                'StreamWriter', 'StreamReaderProtocol', 'IncompleteReadError',
                'coroutine', 'LineTooLongError'}
    if hasattr(socket, 'AF_UNIX'):
        expected |= {'open_unix_connection', 'start_unix_server'}
    assert set(trollius_streams.__all__) == expected
    assert len(trollius_streams.__all__) == len(expected)
    for name in expected:
        assert getattr(trollius_streams, name) is not None


@pytest.mark.rule('API-3')
def test_no_later_api():
    """API-3: none of the post-3.4 stream API exists."""
    for name in ('readuntil', 'LimitOverrunError', 'wait_closed',
                 'is_closing', 'start_tls'):
        assert not hasattr(trollius_streams, name)
    for cls in (trollius_streams.StreamReader, trollius_streams.StreamWriter):
        for name in ('readuntil', 'is_closing', 'wait_closed', 'start_tls',
                     '__aiter__', '__anext__'):
            assert not hasattr(cls, name), (cls, name)


@pytest.mark.rule('API-4')
def test_default_limit():
    """API-4: the default limit is 65536, kept as _DEFAULT_LIMIT."""
    assert trollius_streams._DEFAULT_LIMIT == 65536 == 2 ** 16
    from trollius_streams import _reader
    assert _reader._DEFAULT_LIMIT == 65536
