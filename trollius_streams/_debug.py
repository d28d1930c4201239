"""Debug mode for our coroutine objects (contract CO-6): the machinery.

A coroutine object made by a ``@coroutine`` function and then dropped
without ever running (``reader.readline()`` without ``yield from``) warns
``RuntimeWarning: coroutine '<qualname>' was never yielded from`` and points
at the line that created it, as 3.4's debug mode did.

This module is imported only when debug mode is switched on (see
``compat.set_coroutine_debug``): with debug mode off, a call to one of our
coroutine functions runs exactly the code it runs without this module.

How it switches without a cost when off: ``compat.coroutine`` records each
function it returns in ``compat._registry`` under a small integer key.
Switching on replaces each such function's ``__code__`` with a *trampoline*:
a code object with the same parameters (names, kinds, order) and the same
number of free variables (so that the function's ``__defaults__``,
``__kwdefaults__`` and ``__closure__`` still fit), whose body rebuilds the
function with its original code, calls it with the bound arguments and wraps
the result in a :class:`_Tracked` coroutine object.  Switching off puts the
original code back.  The function object itself stays the same, so class
attributes, bound methods and references taken before the switch all follow
it.

Visible differences while debug mode is on (3.4's debug mode had the same
ones): on Python < 3.12 a call returns a ``_Tracked`` object instead of a
generator (``inspect.isgenerator`` is False for it, and
``inspect.isgeneratorfunction`` is False for the function); every call pays
for recording its creation site.
"""

__all__ = ['start', 'stop', 'track_function', 'original', 'track']

import inspect
import keyword
import sys
import traceback
import types
import warnings
import weakref

#: How many frames of the creation site a tracked object records.
STACK_DEPTH = 5

_MESSAGE = "coroutine '%s' was never yielded from"

# Set by start(), from compat (which this module does not import: compat
# imports it): the registry of compat.coroutine (key -> function), the class
# of our coroutine objects, the positional-only parameter count of a code
# object (a version-specific attribute) and the tracking subclass.
_registry = None
_base = None
_posonly = None
_Tracked = None

#: key -> (original code, trampoline code) of every function ever switched
#: that is still alive (an entry goes when its function is collected).
_codes = {}


def _tracked_class(base):
    """Return the subclass of ``base`` (compat's coroutine object class)
    that debug mode returns."""

    class _Tracked(base):
        """A coroutine object that warns when collected without having run.

        ``yield from obj`` takes the generator from ``__iter__`` and drops
        ``obj`` before the generator's first step, so ``__iter__`` marks the
        object as handed over (``_origin`` None): from then on the generator
        belongs to the code that yields from it.
        """

        __slots__ = ('_qualname', '_origin')

        def __iter__(self):
            self._origin = None
            return self._gen

        def __del__(self, _state=inspect.getgeneratorstate,
                    _created=inspect.GEN_CREATED,
                    _finalizing=sys.is_finalizing):
            # Not while the interpreter shuts down: the warnings machinery may
            # be half gone, and every object still alive then is collected.
            if (self._origin is not None and _state(self._gen) == _created and
                    not _finalizing()):
                _warn(self._qualname, self._origin)

    return _Tracked


def _origin(frame):
    # (filename, lineno, function name, module name), innermost first.
    # Source lines are looked up only if a warning is shown.
    stack = []
    while frame is not None and len(stack) < STACK_DEPTH:
        code = frame.f_code
        stack.append((code.co_filename, frame.f_lineno, code.co_name,
                      frame.f_globals.get('__name__')))
        frame = frame.f_back
    return stack


def _warn(qualname, origin):
    message = _MESSAGE % (qualname,)
    if not origin:
        warnings.warn(message, RuntimeWarning)
        return
    filename, lineno, _, module = origin[0]
    summary = traceback.StackSummary.from_list(
        [(f, n, name, None) for f, n, name, _ in reversed(origin)])
    message += ('\nCoroutine created at (most recent call last)\n' +
                ''.join(summary.format()).rstrip())
    warnings.warn_explicit(message, RuntimeWarning, filename, lineno,
                           module=module)


def track(key, result):
    """Wrap what the function of ``key`` returned in a _Tracked.

    Called by a trampoline, so the creation site is two frames up.
    ``result`` is a generator (Python < 3.12) or a CoroutineObject (3.12+).
    The name comes from the function: a generator's ``__qualname__`` is
    only its code's name when 3.6 made it through a ``*args`` call.
    """
    gen = result._gen if isinstance(result, _base) else result
    if type(gen) is not types.GeneratorType:
        return result
    obj = _Tracked(gen)
    func = _registry.get(key)
    obj._qualname = gen.__qualname__ if func is None else func.__qualname__
    obj._origin = _origin(sys._getframe(2))
    return obj


def original(key):
    """Return the function registered under ``key`` with its original code.

    A new function object each call, so that nothing outlives the
    registered function (its closure may hold anything).  The trampoline
    passes every argument explicitly, so it needs no defaults.
    """
    func = _registry[key]
    code = _codes[key][0]
    copy = types.FunctionType(code, func.__globals__, code.co_name, None,
                              func.__closure__)
    copy.__qualname__ = func.__qualname__
    return copy


def _identifier(name):
    return (name.isidentifier() and not keyword.iskeyword(name) and
            name not in ('async', 'await'))


def _trampoline(code, key):
    """Return the trampoline code for ``code``, or None if it cannot be made.

    Its parameters are ``code``'s (positional-only, positional, ``*args``,
    keyword-only, ``**kwargs``, same names) without defaults: defaults live
    on the function object, which keeps them.  Its free variables have the
    same names; they are referenced after the ``return``, which is enough
    for the symbol table to make them free even where the compiler drops
    the unreachable statement.
    """
    nargs = code.co_argcount
    nposonly = _posonly(code)
    nkwonly = code.co_kwonlyargcount
    names = code.co_varnames
    positional = names[:nargs]
    kwonly = names[nargs:nargs + nkwonly]
    i = nargs + nkwonly
    varargs = varkw = None
    if code.co_flags & inspect.CO_VARARGS:
        varargs = names[i]
        i += 1
    if code.co_flags & inspect.CO_VARKEYWORDS:
        varkw = names[i]
    params = [n for n in positional + kwonly + (varargs, varkw) if n]
    freevars = code.co_freevars
    taken = set(params) | set(freevars)
    if '__import__' in taken or not all(map(_identifier, taken)):
        return None
    local = '_ts_m'
    while local in taken:
        local += '_'
    name = code.co_name if _identifier(code.co_name) else '_ts_coroutine'

    defs = list(positional[:nposonly])
    if nposonly:
        defs.append('/')
    defs.extend(positional[nposonly:])
    if varargs:
        defs.append('*' + varargs)
    elif kwonly:
        defs.append('*')
    defs.extend(kwonly)
    if varkw:
        defs.append('**' + varkw)
    call = list(positional)
    if varargs:
        call.append('*' + varargs)
    call.extend('%s=%s' % (n, n) for n in kwonly)
    if varkw:
        call.append('**' + varkw)

    lines = ['def _ts_outer():']
    lines.extend('    %s = None' % (n,) for n in freevars)
    lines.append('    def %s(%s):' % (name, ', '.join(defs)))
    lines.append('        %s = __import__(%r, None, None, ("track",))'
                 % (local, __name__))
    lines.append('        return %s.track(%d, %s.original(%d)(%s))'
                 % (local, key, local, key, ', '.join(call)))
    if freevars:
        lines.append('        ' + ', '.join(freevars))
    lines.append('    return %s' % (name,))
    namespace = {}
    try:
        exec(compile('\n'.join(lines) + '\n',
                     '<trollius_streams debug trampoline>', 'exec'),
             namespace)
    except SyntaxError:
        return None
    new = namespace['_ts_outer']().__code__
    # Assigning __code__ checks the number of free variables only.
    if len(new.co_freevars) != len(freevars):
        return None
    return new


def track_function(key, func):
    """Switch ``func`` (registered under ``key``) to its trampoline.

    A function whose parameters or free variables cannot be reproduced
    stays as it is (untracked).
    """
    entry = _codes.get(key)
    if entry is None:
        code = func.__code__
        new = _trampoline(code, key)
        if new is None:
            return
        entry = _codes[key] = (code, new)
        weakref.finalize(func, _codes.pop, key, None).atexit = False
    if func.__code__ is entry[0]:
        func.__code__ = entry[1]


def start(registry, base, posonly):
    """Switch every function of ``registry`` (key -> function) on.

    ``base`` is the class of our coroutine objects, ``posonly(code)`` the
    number of positional-only parameters of a code object.
    """
    global _registry, _base, _posonly, _Tracked
    if _Tracked is None:
        _base, _posonly, _Tracked = base, posonly, _tracked_class(base)
    _registry = registry
    for key, func in list(registry.items()):
        track_function(key, func)


def stop(registry):
    """Give every switched function of ``registry`` its original code back."""
    for key, func in list(registry.items()):
        entry = _codes.get(key)
        if entry is not None and func.__code__ is entry[1]:
            func.__code__ = entry[0]
