"""Conformance kit: does a module behave like the documented 3.4 Streams API?

A battery of scenarios, each keyed by the contract rule ID it checks (with
a one-line text of that rule) and the sentence of the Python 3.4
documentation (or the 3.4 behaviour) it is about.  Any module that provides
the 3.4 names (``open_connection``, ``start_server``, ``StreamReader``,
``StreamWriter``, ``StreamReaderProtocol``, ``IncompleteReadError`` and,
where AF_UNIX exists, ``open_unix_connection`` / ``start_unix_server``) can
be a target: ``trollius_streams`` itself, the running Python's stdlib
``asyncio``, or your own module named by its dotted path.

Each scenario runs on a fresh event loop (the stdlib loop or uvloop), over
``feed_data()`` or over a loopback connection, and yields a
:class:`Result`: ``pass``, ``fail`` (with what was observed and what was
expected) or ``n/a`` (with the reason).  A scenario that does not finish in
time fails as ``hung``; the kit itself never hangs.

Whatever the target returns from its coroutine functions (a generator, one
of our coroutine objects, a native coroutine, a Future or ``()``) is driven
the same way, so generator-based targets and stdlib targets on 3.6-3.13
run the same battery.

Programmatic use::

    from trollius_streams import conformance
    results = conformance.run_battery('asyncio', loop_kind='asyncio')
    for r in results:
        print(r.scenario.key, r.status, r.observed)

``conformance.REGISTRY`` lists every scenario, ``conformance.select(k)``
those matching a substring, ``conformance.RULES`` maps each rule ID to its
text.  ``python -m trollius_streams`` is the command-line front end.

Layout: :mod:`.core` (scenarios, registry, results), :mod:`.runner`
(running them), :mod:`.fakes` (fake transport, loopback helpers), and one
scenario module per area of the contract, imported below in contract
order, which is the order of the registry.
"""

__all__ = ['PASS', 'FAIL', 'NA', 'Scenario', 'Result', 'REGISTRY', 'RULES',
           'select', 'register', 'define_rules', 'summarize',
           'load_target', 'describe_target', 'run_scenario', 'run_battery',
           'LOOP_KINDS', 'new_loop', 'REQUIRED_NAMES', 'DEFAULT_TIMEOUT',
           'Fail', 'NotApplicable', 'Hung', 'Trial']

from .._loops import LOOP_KINDS, new_loop
from .core import (DEFAULT_TIMEOUT, FAIL, NA, PASS, REGISTRY,
                   REQUIRED_NAMES, RULES, Fail, Hung, NotApplicable, Result,
                   Scenario, define_rules, register, select, summarize)
from .runner import (Trial, describe_target, load_target, run_battery,
                     run_scenario)

# The scenario modules register their scenarios when imported, in this
# order (the contract's section order).
from . import surface  # noqa: E402,F401
from . import functions  # noqa: E402,F401
from . import reader  # noqa: E402,F401
from . import protocol  # noqa: E402,F401
from . import flow  # noqa: E402,F401
from . import writer  # noqa: E402,F401
from . import errors  # noqa: E402,F401
