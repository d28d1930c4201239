"""Compiling legacy source: the ``async`` rewrite and the coroutine flag.

* Where ``async`` is a keyword (3.7+), a 3.4 module using it as a name
  (``asyncio.async(...)``, ``from asyncio import async``) does not parse.
  :func:`rewrite_async` renames every ``async`` token that is not the
  keyword (``async def/with/for``) to ``async_``, found with the tokenize
  module and replaced in place on its line: line numbers, and columns up to
  the name, stay those of the file on disk, so tracebacks quote the real
  source.  The legacy environment provides ``asyncio.async_``.
* :func:`flag_generators` sets CO_ITERABLE_COROUTINE on the code of every
  generator function of a module (what ``@asyncio.coroutine`` did to
  decorated ones), so that undecorated 3.4 generators may ``yield from``
  native coroutines such as ``asyncio.sleep()``.  Flagged generators still
  iterate as before.
"""

__all__ = ['rewrite_async', 'flag_generators', 'compile_legacy']

import ast
import inspect
import io
import tokenize
import types
import warnings

from .. import compat
from . import _usage

_KEYWORD_NEXT = frozenset(['def', 'with', 'for'])
_SKIPPED = frozenset([tokenize.NL, tokenize.COMMENT])
_CO_GENERATOR = inspect.CO_GENERATOR
_CO_FLAGGED = inspect.CO_ITERABLE_COROUTINE
_CO_NATIVE = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def rewrite_async(text):
    """Return ``(text, rows)``: ``async`` names renamed to ``async_``, and
    the line numbers where that happened (empty: text returned as is)."""
    if 'async' not in text:
        return text, []
    try:
        tokens = [tok for tok in
                  tokenize.generate_tokens(io.StringIO(text).readline)
                  if tok.type not in _SKIPPED]
    except (tokenize.TokenError, SyntaxError):
        return text, []  # compile() reports the error with its location
    edits = []
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string != 'async':
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if (following is not None and following.type == tokenize.NAME and
                following.string in _KEYWORD_NEXT):
            continue
        edits.append(tok.start)
    if not edits:
        return text, []
    lines = text.splitlines(True)
    for row, col in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + 'async_' + line[col + 5:]
    return ''.join(lines), sorted(set(row for row, _ in edits))


def _decorated_lines(text):
    # Line numbers a decorated function's code may start at (its decorators
    # and its def line: which one depends on the Python version).
    lines = set()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return lines
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            lines.add(node.lineno)
            lines.update(d.lineno for d in node.decorator_list)
    return lines


def flag_generators(code, flagged=None):
    """Return ``code`` with every generator function in it (recursively)
    flagged CO_ITERABLE_COROUTINE; their code objects go to ``flagged``."""
    consts = code.co_consts
    new_consts = tuple(flag_generators(c, flagged)
                       if isinstance(c, types.CodeType) else c
                       for c in consts)
    flags = code.co_flags
    if (flags & _CO_GENERATOR and not flags & (_CO_NATIVE | _CO_FLAGGED) and
            code.co_name != '<genexpr>'):
        flags |= _CO_FLAGGED
        if flagged is not None:
            flagged.append(code)
    if flags == code.co_flags and all(a is b for a, b in
                                      zip(new_consts, consts)):
        return code
    return compat.replace_code(code, flags, new_consts)


def compile_legacy(data, path, ast_transform=None):
    """Compile the source bytes of a legacy module or script; record the
    rewrites and the plain generator functions in the usage report.

    ``ast_transform(tree, source_bytes, path)``, if given, may change the
    module's AST in place before it is compiled (pytest's assertion
    rewriting)."""
    encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    text = None
    if compat.ASYNC_IS_KEYWORD and b'async' in data:
        text = data.decode(encoding)
        new_text, rows = rewrite_async(text)
        if rows:
            text = new_text
            data = text.encode(encoding)
            for row in rows:
                _usage.record_site('async-identifier', path, row)
    with warnings.catch_warnings():
        # Python 3.6 warns that async will become a keyword: this is the
        # 3.4 code the runner exists to accept.
        warnings.filterwarnings('ignore', ".*'async' and 'await'",
                                DeprecationWarning)
        if ast_transform is not None:
            tree = ast.parse(data, path)
            ast_transform(tree, data, path)
            code = compile(tree, path, 'exec', dont_inherit=True)
        else:
            code = compile(data, path, 'exec', dont_inherit=True)
        flagged = []
        code = flag_generators(code, flagged)
        if flagged:
            if text is None:
                text = data.decode(encoding)
            decorated = _decorated_lines(text)
    if flagged:
        for func in flagged:
            if func.co_firstlineno not in decorated:
                _usage.record_site('plain-generator', path,
                                   func.co_firstlineno)
    return code
