"""Scenarios: IncompleteReadError (EX)."""

import pickle

from .core import Fail, define_rules, register

define_rules({
    'EX-1': 'IncompleteReadError is a subclass of EOFError.',
    'EX-2':
        'IncompleteReadError(partial, expected) keeps both and has the 3.4 '
        'message.',
    'EX-3': 'IncompleteReadError survives pickling with partial and expected.',
})


# --- 8. IncompleteReadError --------------------------------------------------


@register('EX-1', 'subclass-of-EOFError',
           'IncompleteReadError: Incomplete read error, subclass of EOFError.',
           label='DOC')
def _incomplete_class(t):
    t.check(issubclass(t.mod.IncompleteReadError, EOFError),
            t.short(t.mod.IncompleteReadError.__mro__),
            'a subclass of EOFError')


@register('EX-2', 'attributes',
           'IncompleteReadError: expected: Total number of expected bytes '
           '(int). partial: Read bytes string before the end of stream was '
           'reached (bytes).', label='DOC')
def _incomplete_attrs(t):
    exc = t.mod.IncompleteReadError(b'abc', 10)
    t.equal(exc.partial, b'abc', 'partial')
    t.equal(exc.expected, 10, 'expected')
    msg = '3 bytes read on a total of 10 expected bytes'
    t.equal(str(exc), msg, 'str()')
    t.equal(exc.args, (msg,), 'args')


@register('EX-2', 'message-expected-None',
           "IncompleteReadError message is '%s bytes read on a total of %s "
           "expected bytes' for any expected, None included.", label='3.4')
def _incomplete_none(t):
    exc = t.mod.IncompleteReadError(b'', None)
    t.equal(str(exc), '0 bytes read on a total of None expected bytes',
            'str()')


@register('EX-3', 'picklable',
           'IncompleteReadError survives pickling with partial and expected '
           '(fixed after 3.4.0).', label='FIX')
def _incomplete_pickle(t):
    exc = t.mod.IncompleteReadError(b'abc', 10)
    try:
        copy = pickle.loads(pickle.dumps(exc))
    except Exception as e:
        raise Fail('pickling ' + t.short(e), 'a round trip')
    t.equal((type(copy), copy.partial, copy.expected),
            (type(exc), b'abc', 10), 'after pickling')
