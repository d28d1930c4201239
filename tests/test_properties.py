"""Property-based tests of StreamReader against a reference model.

The model (``Model`` below) is a plain, synchronous description of
contract RD-8..RD-12: a byte buffer, an EOF flag and a stored exception,
and one read call at a time that either finishes from that state or
waits.

A scenario is a list of producer *batches*; each batch is a list of events
(``feed_data`` of one chunk, ``feed_eof``, ``set_exception``, cancelling the
waiting read call) that run in one go, with no loop iteration in between
(RD-8c: a woken call resumes later and sees every feed made before it
resumes).  Between batches the loop runs until the consumer is either
finished or waiting.  The consumer runs a list of read calls
(``read(n)``, ``readline()``, ``readexactly(n)``) one after the other, each
as its own Task, so a cancelled call is followed by the next one.

Any split of the same bytes into chunks, any placement of EOF, of the
exception and of cancellations, and any list of read calls must give the
model's results, exceptions included, and the reader's state (buffer, EOF,
exception, no waiter) must equal the model's after every batch.  On top of
the model, a conservation law is checked after every scenario: the bytes
returned by the read calls (plus the ``partial`` of LineTooLongError and
IncompleteReadError) followed by the bytes still buffered are exactly the
bytes fed, in order: nothing lost, nothing duplicated.
"""

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import FakeTransport
from trollius_streams import (IncompleteReadError, LineTooLongError,
                              StreamReader, compat)

# Bounded so that the whole module runs in a few seconds per env and loop.
SETTINGS = settings(
    max_examples=150, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture,
                           HealthCheck.too_slow])


class Boom(Exception):
    """The exception passed to set_exception() in the scenarios."""


# --- The reference model ---------------------------------------------------

OK = 'ok'
RAISE = 'raise'
CANCELLED = 'cancelled'
PENDING = None


class Model(object):
    """Contract RD-8..RD-12 as a synchronous state machine."""

    def __init__(self, limit):
        self.limit = limit
        self.buf = bytearray()
        self.eof = False
        self.exc = None

    # -- results are ('ok', bytes) or ('raise', exception instance)

    def start(self, op):
        """A read call starts: its result, or PENDING if it must wait."""
        kind, n = op
        if self.exc is not None:                      # RD-8a
            return (RAISE, self.exc)
        if kind == 'read' and n == 0:                 # RD-9
            return (OK, b'')
        if kind == 'readexactly' and n <= 0:          # RD-11, Q-7
            return (OK, b'')
        return self._try(op)

    def resume(self, op, wake):
        """The waiting call resumes after a batch; ``wake`` is the event
        that woke it first: 'data', 'eof' or 'exc'."""
        if wake == 'exc':                              # RD-8d, RD-3
            return (RAISE, self.exc)
        kind, n = op
        buf = self.buf
        if self.exc is not None:                       # RD-8d / HB-1
            if kind == 'read':
                # read(-1) raises; read(n) woken by data returns it.
                needs_more = n < 0 or not buf
            elif kind == 'readline':
                needs_more = b'\n' not in buf
            else:
                needs_more = len(buf) < n
            if needs_more:
                return (RAISE, self.exc)
        return self._try(op)

    def _take(self, n=None):
        buf = self.buf
        if n is None or n >= len(buf):
            data = bytes(buf)
            del buf[:]
        else:
            data = bytes(buf[:n])
            del buf[:n]
        return data

    def _try(self, op):
        kind, n = op
        buf = self.buf
        if kind == 'read':
            if n < 0:                                  # RD-9, n < 0
                return (OK, self._take()) if self.eof else PENDING
            if buf:                                    # RD-9, n > 0
                return (OK, self._take(n))
            return (OK, b'') if self.eof else PENDING  # HB-2
        if kind == 'readline':                         # RD-10
            i = buf.find(b'\n')
            if i >= 0:
                line = self._take(i + 1)
                if i + 1 > self.limit:                 # case (a)
                    return (RAISE, LineTooLongError(line))
                return (OK, line)
            if len(buf) > self.limit:                  # case (b), EOF too
                return (RAISE, LineTooLongError(self._take()))
            return (OK, self._take()) if self.eof else PENDING
        # readexactly                                  # RD-11
        if len(buf) >= n:
            return (OK, self._take(n))
        if self.eof:
            return (RAISE, IncompleteReadError(self._take(), n))
        return PENDING


def run_model(limit, batches, ops):
    """Results of ``ops`` and the model state after every batch."""
    model = Model(limit)
    results = []
    states = []
    ops = list(ops)
    pending = [None]   # the op that is waiting, if any

    def start_next():
        while ops:
            op = ops.pop(0)
            result = model.start(op)
            if result is PENDING:
                pending[0] = op
                return
            results.append(result)

    start_next()
    states.append((bytes(model.buf), model.eof, model.exc, pending[0]))
    for batch in batches:
        wake = None
        cancelled = False
        for event in batch:
            kind = event[0]
            if kind == 'data':
                model.buf += event[1]
                if event[1] and wake is None:
                    wake = 'data'
            elif kind == 'eof':
                model.eof = True
                wake = wake or 'eof'
            elif kind == 'exc':
                model.exc = event[1]
                wake = wake or 'exc'
            elif kind == 'cancel':
                if pending[0] is not None:
                    cancelled = True                   # RD-12(1), (5)
        op = pending[0]
        if op is not None:
            if cancelled:
                result = (CANCELLED, None)             # RD-12(2)
            elif wake is None:
                result = PENDING
            else:
                result = model.resume(op, wake)
            if result is not PENDING:
                pending[0] = None
                results.append(result)
                start_next()
        states.append((bytes(model.buf), model.eof, model.exc, pending[0]))
    return results, states, pending[0]


# --- Running the real reader ------------------------------------------------

OPS = {
    'read': lambda r, n: r.read(n),
    'readline': lambda r, n: r.readline(),
    'readexactly': lambda r, n: r.readexactly(n),
}


def settle(loop, task, rounds=3):
    """Run the loop until ``task`` is done or has waited ``rounds`` rounds."""
    for _ in range(rounds):
        if task is None or task.done():
            return
        loop.run_until_complete(asyncio.sleep(0))


def outcome(task):
    if task.cancelled():
        return (CANCELLED, None)
    exc = task.exception()
    if exc is not None:
        return (RAISE, exc)
    return (OK, task.result())


def fast_end_bound(reader):
    """The largest _fast_end the reader's state allows (see StreamReader).

    The fast paths serve _head[_pos:end] unchecked when end <= _fast_end,
    so a larger value would skip RD-8a (stored exception first), RD-8b (one
    read call at a time) or FC-R2 (resume once at most limit is unread), or
    slice past the head chunk.
    """
    if reader._exception is not None or reader._waiter is not None:
        return -1
    end = len(reader._head)
    if reader._paused:
        end = min(end, len(reader._head) + reader._outside_head -
                  reader._limit - 1)
    return end


def check_reader_invariants(reader, transport):
    assert reader._fast_end <= fast_end_bound(reader)
    if transport is not None:
        assert reader._paused == transport.paused
        if reader._paused:
            # FC-R2: every read call that left at most limit bytes resumed.
            assert len(reader._buffer) > reader._limit
            # FC-R3: a suspended call never waits on a paused transport.
            assert reader._waiter is None or reader._waiter.done()


def run_real(loop, limit, batches, ops, transport=None):
    reader = StreamReader(limit=limit, loop=loop)
    if transport is not None:
        reader.set_transport(transport)
    results = []
    states = []
    ops = list(ops)
    current = [None, None]   # (task, op)

    def advance():
        # Start read calls one after the other until one has to wait.
        while True:
            task, op = current
            if task is not None:
                settle(loop, task)
                if not task.done():
                    return
                results.append(outcome(task))
                current[:] = [None, None]
            if not ops:
                return
            op = ops.pop(0)
            coro = OPS[op[0]](reader, op[1])
            current[:] = [compat.ensure_future(coro, loop=loop), op]

    def snapshot():
        task, op = current
        pending = op if task is not None and not task.done() else None
        # _waiter is None whenever no read call is suspended (contract
        # section 9).
        if pending is None:
            assert reader._waiter is None
        else:
            assert reader._waiter is not None
        check_reader_invariants(reader, transport)
        states.append((bytes(reader._buffer), reader._eof,
                       reader.exception(), pending))

    advance()
    snapshot()
    for batch in batches:
        for event in batch:
            kind = event[0]
            if kind == 'data':
                reader.feed_data(event[2])   # the chunk in its own type
            elif kind == 'eof':
                reader.feed_eof()
            elif kind == 'exc':
                reader.set_exception(event[1])
            elif kind == 'cancel':
                if current[0] is not None:
                    current[0].cancel()
        advance()
        snapshot()
    return reader, results, states, current[0]


def key(result):
    """A comparable form of a result (exceptions by type and content)."""
    kind, value = result
    if kind != RAISE:
        return result
    if isinstance(value, Boom):
        return (RAISE, 'Boom', id(value))
    if type(value) is IncompleteReadError:
        return (RAISE, 'IncompleteReadError', value.partial, value.expected,
                str(value))
    if type(value) is LineTooLongError:
        return (RAISE, 'LineTooLongError', value.partial, str(value))
    return (RAISE, type(value).__name__, repr(value))


def delivered(results):
    """The bytes the read calls handed out, in order."""
    out = bytearray()
    for kind, value in results:
        if kind == OK:
            out += value
        elif isinstance(value, (IncompleteReadError, LineTooLongError)):
            out += value.partial
    return bytes(out)


def check_scenario(loop, limit, batches, ops, transport=None):
    """Run the scenario on the real reader and on the model; compare."""
    expected, exp_states, exp_pending = run_model(limit, batches, ops)
    reader, got, states, task = run_real(loop, limit, batches, ops, transport)
    try:
        assert [key(r) for r in got] == [key(r) for r in expected]
        assert states == exp_states
        # Nothing lost, nothing duplicated (RD-12, HD-2, HD-3, HB-3).
        fed = b''.join(e[1] for b in batches for e in b if e[0] == 'data')
        assert delivered(got) + bytes(reader._buffer) == fed
        assert reader.at_eof() == (exp_states[-1][1] and
                                   not exp_states[-1][0])
    finally:
        if task is not None and not task.done():
            task.cancel()
            settle(loop, task)
    if task is not None and exp_pending is not None:
        # The call still waiting at the end is cancelled: it loses nothing.
        assert task.cancelled()
        assert bytes(reader._buffer) == exp_states[-1][0]
        assert reader._waiter is None
    return reader, expected


# --- Strategies ------------------------------------------------------------

# Few distinct bytes, so that newlines are frequent.
chunk_bytes = st.lists(st.sampled_from([b'a', b'b', b'\n']),
                       max_size=9).map(b''.join)
# The same bytes as bytes, bytearray or memoryview (RD-6: bytes-like).
chunk_type = st.sampled_from([bytes, bytearray, memoryview])

read_op = st.one_of(
    st.tuples(st.just('read'), st.integers(-1, 12)),
    st.tuples(st.just('readline'), st.just(None)),
    st.tuples(st.just('readexactly'), st.integers(-1, 14)),
)


@st.composite
def scenarios(draw, exc=False, cancel=False, eof=None):
    """(limit, batches, ops).  Batches hold ('data', bytes, chunk),
    ('eof',), ('exc', Boom) and ('cancel',) events; feed_eof comes after
    the last feed_data (feeding after EOF is an error, RD-6)."""
    limit = draw(st.integers(1, 8))
    kinds = ['data', 'data', 'data', 'split']
    if exc:
        kinds.append('exc')
    if cancel:
        kinds += ['cancel', 'cancel']
    raw = draw(st.lists(st.sampled_from(kinds), max_size=24))
    events = []
    boom = Boom('boom')
    for kind in raw:
        if kind == 'data':
            data = draw(chunk_bytes)
            events.append(('data', data, draw(chunk_type)(data)))
        elif kind == 'exc':
            # A later set_exception replaces the first (RD-3); one object
            # keeps the comparison simple.
            events.append(('exc', boom))
        else:
            events.append((kind,))
    with_eof = draw(st.booleans()) if eof is None else eof
    if with_eof:
        # EOF after the last data, possibly followed by other events.
        last = max([i for i, e in enumerate(events) if e[0] == 'data'] or [-1])
        at = draw(st.integers(last + 1, len(events)))
        events.insert(at, ('eof',))
    batches = [[]]
    for event in events:
        if event[0] == 'split':
            batches.append([])
        else:
            batches[-1].append(event)
    ops = draw(st.lists(read_op, max_size=10))
    return limit, batches, ops


# --- The properties --------------------------------------------------------


@SETTINGS
@given(scenario=scenarios())
def test_any_split_and_eof_matches_model(loop, scenario):
    """RD-8a, RD-8c, RD-9, RD-10, RD-11, HB-2, Q-7: any split of the bytes
    into feed_data chunks (bytes, bytearray, memoryview), with or without
    feed_eof, and any sequence of read(n)/readline()/readexactly(n) gives
    the model's results: read(n) never b'' before EOF, readline's limit
    (LineTooLongError with .partial and the buffer left as in 3.4),
    IncompleteReadError(partial, n) at EOF; nothing lost or duplicated."""
    check_scenario(loop, *scenario)


@SETTINGS
@given(scenario=scenarios(exc=True))
def test_exception_placement_matches_model(loop, scenario):
    """RD-3, RD-8a, RD-8d, HB-1: set_exception anywhere among the feeds
    (even in the same batch as data or EOF): the exception comes first for
    every later call, a waiting call raises it unless the data it was woken
    by completes it, and the buffer and EOF flag are left alone."""
    check_scenario(loop, *scenario)


@SETTINGS
@given(scenario=scenarios(exc=True, cancel=True))
def test_cancel_anywhere_loses_nothing(loop, scenario):
    """RD-12(1)-(3), RD-12(5), HD-2, HD-3, HB-3: cancelling the waiting
    read call at any point (also after it was woken and before it resumed)
    raises CancelledError in it, consumes nothing, and later calls see every
    byte in order."""
    check_scenario(loop, *scenario)


@SETTINGS
@given(scenario=scenarios(exc=True, cancel=True))
@pytest.mark.rule('FC-R1', 'FC-R2', 'FC-R3')
def test_flow_control_changes_no_result(loop, scenario):
    """FC-R1, FC-R2, FC-R3 (with RD-8a, RD-8b): with a pausable transport
    (limits of 1-8 bytes against chunks of up to 9, so reading is paused and
    resumed all the time) every scenario gives the model's results; after
    every batch the transport is paused exactly when the reader says so,
    only while more than limit bytes are unread, never under a waiting
    call, and the fast paths' one-int test (_fast_end) is never looser than
    the stored exception, the waiting call and the resume point allow."""
    transport = FakeTransport()  # strict: a repeated pause or resume fails
    check_scenario(loop, *scenario, transport=transport)


@SETTINGS
@given(scenario=scenarios(cancel=True, eof=False))
def test_cancelled_reads_then_read_all_delivers_every_byte(loop, run,
                                                           scenario):
    """RD-12(2), RD-9 (n < 0): after any mix of completed and cancelled
    read calls, feed_eof() and read(-1) deliver the rest: what the calls
    returned followed by read(-1) is exactly the bytes fed."""
    limit, batches, ops = scenario
    reader, results = check_scenario(loop, limit, batches, ops)
    fed = b''.join(e[1] for b in batches for e in b if e[0] == 'data')
    reader.feed_eof()
    rest = run(reader.read())
    assert delivered(results) + rest == fed
    assert reader.at_eof()


@SETTINGS
@given(data=st.lists(chunk_bytes, max_size=8).map(b''.join),
       cuts1=st.lists(st.integers(0, 80), max_size=8),
       cuts2=st.lists(st.integers(0, 80), max_size=8),
       sizes=st.lists(st.integers(1, 12), min_size=1, max_size=10))
def test_split_does_not_change_readline_readexactly(loop, data, cuts1, cuts2,
                                                    sizes):
    """RD-8c, RD-10, RD-11: with a limit no line can exceed, readline() and
    readexactly(n) results do not depend on how the bytes were split into
    feed_data chunks (two different splits, one feed per loop iteration)."""
    def split(cuts):
        points = sorted(set(c for c in cuts if 0 < c < len(data)))
        bounds = [0] + points + [len(data)]
        return [[('data', data[a:b], data[a:b])]
                for a, b in zip(bounds, bounds[1:])] + [[('eof',)]]
    ops = []
    for i, n in enumerate(sizes):
        ops.append(('readline', None) if i % 2 else ('readexactly', n))
    limit = len(data) + 1
    first = run_real(loop, limit, split(cuts1), ops)[1]
    second = run_real(loop, limit, split(cuts2), ops)[1]
    assert [key(r) for r in first] == [key(r) for r in second]
    expected = run_model(limit, split(cuts1), ops)[0]
    assert [key(r) for r in first] == [key(r) for r in expected]


# --- The model itself must be able to tell a wrong reader from a right one --


@pytest.mark.rule('RD-10', 'RD-11')
def test_model_examples():
    """RD-10, RD-11, RD-9: the model reproduces the contract's examples, so a
    reader that disagrees with it disagrees with the contract."""
    # RD-10: limit 3, b'line1\nline2\n' -> error, buffer b'line2\n'.
    m = Model(3)
    m.buf += b'line1\nline2\n'
    kind, exc = m.start(('readline', None))
    assert kind == RAISE and isinstance(exc, LineTooLongError)
    assert exc.partial == b'line1\n' and bytes(m.buf) == b'line2\n'
    # Limit 3, b'line1li' -> error, buffer b''.
    m = Model(3)
    m.buf += b'line1li'
    kind, exc = m.start(('readline', None))
    assert kind == RAISE and bytes(m.buf) == b''
    # Limit 7, b'chunk1chunk2\nchunk3\n' -> error, buffer b'chunk3\n'.
    m = Model(7)
    m.buf += b'chunk1chunk2\nchunk3\n'
    assert m.start(('readline', None))[0] == RAISE
    assert bytes(m.buf) == b'chunk3\n'
    # A line of exactly `limit` bytes, counting its \n, is accepted.
    m = Model(3)
    m.buf += b'ab\n'
    assert m.start(('readline', None)) == (OK, b'ab\n')
    # RD-11: IncompleteReadError at EOF takes the whole buffer.
    m = Model(8)
    m.buf += b'abc'
    m.eof = True
    kind, exc = m.start(('readexactly', 5))
    assert kind == RAISE and exc.partial == b'abc' and exc.expected == 5
    assert m.buf == b''
    # RD-9: read(n) waits on an empty buffer, b'' only at EOF.
    m = Model(8)
    assert m.start(('read', 4)) is PENDING
    m.eof = True
    assert m.start(('read', 4)) == (OK, b'')


@pytest.mark.rule('HB-1')
def test_known_bad_schedule(loop):
    """HB-1, RD-8d: data without a newline and set_exception in the same
    batch wake a waiting readline, which then raises (3.4.0 hung); data
    with the newline in the same batch is returned instead."""
    boom = Boom('x')
    batches = [[('data', b'ab', b'ab'), ('exc', boom)]]
    results = run_real(loop, 8, batches, [('readline', None)])[1]
    assert [key(r) for r in results] == [(RAISE, 'Boom', id(boom))]
    batches = [[('data', b'ab\n', b'ab\n'), ('exc', boom)]]
    results = run_real(loop, 8, batches, [('readline', None),
                                          ('read', 1)])[1]
    assert [key(r) for r in results] == [(OK, b'ab\n'),
                                         (RAISE, 'Boom', id(boom))]


BOOM = Boom('table')

# (pending call, the one batch that arrives while it waits, its result).
SCHEDULES = [
    ('read(4)-eof-then-exc', ('read', 4), [('eof',), ('exc', BOOM)],
     (RAISE, 'Boom', id(BOOM))),
    ('read(4)-data-then-exc', ('read', 4),
     [('data', b'ab', b'ab'), ('exc', BOOM)], (OK, b'ab')),
    ('read(-1)-data-eof-exc', ('read', -1),
     [('data', b'ab', b'ab'), ('eof',), ('exc', BOOM)],
     (RAISE, 'Boom', id(BOOM))),
    ('readline-exc-then-line', ('readline', None),
     [('exc', BOOM), ('data', b'ab\n', b'ab\n')], (RAISE, 'Boom', id(BOOM))),
    ('readline-too-long-then-exc', ('readline', None),
     [('data', b'abcdefghij', b'abcdefghij'), ('exc', BOOM)],
     (RAISE, 'Boom', id(BOOM))),
    ('readexactly-enough-then-exc', ('readexactly', 2),
     [('data', b'abc', b'abc'), ('exc', BOOM)], (OK, b'ab')),
    ('readexactly-short-eof-exc', ('readexactly', 4),
     [('data', b'abc', b'abc'), ('eof',), ('exc', BOOM)],
     (RAISE, 'Boom', id(BOOM))),
    ('readexactly-short-eof', ('readexactly', 4),
     [('data', b'abc', b'abc'), ('eof',)],
     (RAISE, 'IncompleteReadError', b'abc', 4,
      '3 bytes read on a total of 4 expected bytes')),
    ('readline-empty-data-no-wake', ('readline', None),
     [('data', b'', b''), ('eof',)], (OK, b'')),
]


@pytest.mark.parametrize('op, batch, expected',
                         [s[1:] for s in SCHEDULES],
                         ids=[s[0] for s in SCHEDULES])
@pytest.mark.rule('RD-8d')
def test_known_schedules(loop, op, batch, expected):
    """RD-8d, HB-1, RD-3, RD-6: events arriving in one batch while a call
    waits; real reader and model agree with the expected result."""
    results = run_real(loop, 5, [batch], [op])[1]
    assert [key(r) for r in results] == [expected]
    assert [key(r) for r in run_model(5, [batch], [op])[0]] == [expected]


@pytest.mark.parametrize('op', [('readline', None), ('readexactly', 6),
                                ('read', -1)],
                         ids=['readline', 'readexactly', 'read-all'])
@pytest.mark.rule('RD-12')
def test_known_cancel_schedule(loop, op):
    """RD-12(2), HD-2, HD-3, HB-3: the 3.4.0 losses (buffer b'abc', cancel,
    feed b'def\\n') do not happen: the next call sees b'abc' first."""
    batches = [[('data', b'abc', b'abc')], [('cancel',)],
               [('data', b'def\n', b'def\n'), ('eof',)]]
    results = run_real(loop, 64, batches, [op, ('read', -1)])[1]
    assert [key(r) for r in results] == [(CANCELLED, None),
                                         (OK, b'abcdef\n')]
