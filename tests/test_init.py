"""The package surface (contract section 1) and the compat module's.

The exported names are compared with what the documentation lists:
docs/api.md's tables and the compat module's docstring.
"""

import os
import re
import socket

import pytest

import trollius_streams
from trollius_streams import compat

API_MD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), 'docs', 'api.md')


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


# --- Documented names --------------------------------------------------------


def api_sections():
    """``{heading: text}`` for the ``## `` sections of docs/api.md."""
    with open(API_MD, encoding='utf-8') as f:
        text = f.read()
    parts = re.split(r'^## (.+)$', text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def first_cells(section):
    """The first cell of each table row of ``section`` (header excluded)."""
    cells = [line.split('|')[1] for line in section.splitlines()
             if line.startswith('|') and not line.startswith('|---')]
    return cells[1:]


def package_names_in_api_md():
    """Top-level names docs/api.md documents: the stream functions, the
    classes with a section of their own, the exceptions, ``coroutine``."""
    sections = api_sections()
    names = set()
    for heading in ('Stream functions', 'Exceptions'):
        for cell in first_cells(sections[heading]):
            names.add(re.match(r'\s*`(\w+)', cell).group(1))
    names.update(h for h in sections if re.match(r'^Stream\w+$', h))
    compat_heading, = [h for h in sections if '`compat`' in h
                       or 'compat`' in h]
    for cell in first_cells(sections[compat_heading]):
        names.update(re.findall(r'`(\w+)\(', cell.split('`compat.')[0]))
    return names


def compat_names_in_api_md():
    sections = api_sections()
    heading, = [h for h in sections if 'compat`' in h]
    names = set()
    for cell in first_cells(sections[heading]):
        names.update(re.findall(r'`compat\.(\w+)', cell))
        names.update(re.findall(r'^\s*`(\w+)\(', cell))
    return names


def compat_names_in_docstring():
    """The names the compat module's docstring lists under "Public
    names:" (each entry starts a line with ````name````)."""
    doc = compat.__doc__.split('Public names:', 1)[1]
    names = set()
    for line in doc.splitlines():
        if line.startswith('``'):
            names.update(re.findall(r'``(\w+)', line))
    return names


@pytest.mark.rule('API-1', 'API-2')
def test_star_import_gives_exactly_the_documented_names():
    """API-1, API-2: ``from trollius_streams import *`` binds exactly
    __all__, and __all__ is what docs/api.md documents at top level."""
    namespace = {}
    exec('from trollius_streams import *', namespace)
    namespace.pop('__builtins__')
    assert set(namespace) == set(trollius_streams.__all__)
    documented = package_names_in_api_md()
    if not hasattr(socket, 'AF_UNIX'):
        documented -= {'open_unix_connection', 'start_unix_server'}
    assert set(trollius_streams.__all__) == documented


def test_compat_all_is_exactly_the_documented_names():
    """compat.__all__ holds the names documented in docs/api.md or in the
    module's docstring, and nothing else; each exists, and a star import
    binds exactly them."""
    in_api_md = compat_names_in_api_md()
    in_docstring = compat_names_in_docstring()
    exported = set(compat.__all__)
    assert len(compat.__all__) == len(exported), 'a name listed twice'
    assert exported == in_api_md | in_docstring
    for name in exported:
        assert hasattr(compat, name), name
    namespace = {}
    exec('from trollius_streams.compat import *', namespace)
    namespace.pop('__builtins__')
    assert set(namespace) == exported


def test_documented_name_parsers_find_the_names():
    """The parsers above read the documents as expected (so the two tests
    above cannot pass on an empty list)."""
    assert {'open_connection', 'StreamReader', 'IncompleteReadError',
            'coroutine'} <= package_names_in_api_md()
    assert {'awaitable', 'check_loop', 'all_tasks',
            'coroutine'} <= compat_names_in_api_md()
    assert {'coroutine', 'CoroutineObject', 'async_',
            'get_coroutine_debug'} <= compat_names_in_docstring()
