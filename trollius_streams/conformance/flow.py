"""Scenarios: flow control (FC), on a fake transport.

The read side pauses and resumes the transport around the buffer limit;
the write side suspends drain() while the transport is paused.
"""


from .. import compat
from .core import Fail, define_rules, register
from .fakes import FakeTransport, discard, drain, new_reader, writer_setup

define_rules({
    'FC-R1':
        'The reader pauses its transport past 2*limit buffered bytes and '
        'resumes it at limit.',
    'FC-W2':
        'While writing is paused, drain() gives a Future that completes '
        'when writing resumes.',
    'FC-W3':
        'A paused drain() ends when the connection is lost: None if clean, '
        'else the error.',
})


# --- 6. Flow control ---------------------------------------------------------


@register('FC-R1', 'pause-and-resume-reading',
           'The reader pauses its transport past 2*limit buffered bytes and '
           'resumes it once a read brings the buffer back to limit.',
           label='3.4')
def _read_flow(t):
    r = new_reader(t, limit=10)
    tr = FakeTransport()
    r.set_transport(tr)
    r.feed_data(b'x' * 20)
    t.check(not tr.paused, 'paused at 20 bytes', 'not paused at 2*limit')
    r.feed_data(b'x')
    t.check(tr.paused, 'not paused at 21 bytes', 'paused past 2*limit')
    t.returns(r.read(11), b'x' * 11)
    t.check(not tr.paused and tr.resumes == 1,
            'paused=%s resumes=%d' % (tr.paused, tr.resumes),
            'resumed once at limit')


@register('FC-W2', 'drain-paused-returns-Future',
           'drain(): When the transport buffer is full (the protocol is '
           'paused), drain() creates and returns a Future.', label='DOC')
def _drain_future(t):
    rd, proto, tr, w = writer_setup(t)
    proto.pause_writing()
    d = w.drain()
    if not compat.isfuture(d):
        discard(d)
        raise Fail('returned %s' % t.short(d), 'a Future')
    t.check(not d.done(), 'a Future already done', 'a pending Future')
    proto.resume_writing()
    t.check(d.done(), 'still pending after resume_writing()', 'done')


@register('FC-W2', 'drain-blocks-until-resumed',
           'drain(): the yield-from will block until that Future is '
           'completed, which will happen when the buffer is (partially) '
           'drained and the protocol is resumed.', label='DOC')
def _drain_blocks(t):
    rd, proto, tr, w = writer_setup(t)
    proto.pause_writing()
    task = t.spawn(drain(w))
    t.spin(3)
    t.check(not task.done(), 'finished while paused', 'blocks while paused')
    proto.resume_writing()
    t.equal(t.wait_task(task), None)


@register('FC-W3', 'drain-on-connection-lost',
           'A paused drain() ends when the connection is lost: with None on '
           'a clean close, with the error otherwise.', label='3.4')
def _drain_lost(t):
    rd, proto, tr, w = writer_setup(t)
    proto.pause_writing()
    task = t.spawn(drain(w))
    t.spin(2)
    proto.connection_lost(None)
    t.equal(t.wait_task(task), None)
    rd, proto, tr, w = writer_setup(t)
    proto.pause_writing()
    task = t.spawn(drain(w))
    t.spin(2)
    exc = ConnectionResetError('gone')
    proto.connection_lost(exc)
    got = t.raises(ConnectionResetError, task)
    t.check(got is exc, t.short(got), 'the connection_lost() exception')
