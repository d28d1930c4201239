"""A broadcast server: every member's line goes to every member.

3.4 style: an asyncio.Queue per member, an asyncio.Lock guarding the member
table (``with (yield from lock)``), an asyncio.Event set when everyone has
joined, all created with loop= before the loop runs.
"""
import asyncio
import sys

EXPECTED = 3
loop = asyncio.get_event_loop()
members = {}
lock = asyncio.Lock(loop=loop)
everyone_here = asyncio.Event(loop=loop)


@asyncio.coroutine
def pump(queue, writer):
    while True:
        message = yield from queue.get()
        if message is None:
            break
        writer.write(message)
        yield from writer.drain()
    writer.close()


@asyncio.coroutine
def serve(reader, writer):
    name = (yield from reader.readline()).decode().strip()
    queue = asyncio.Queue(loop=loop)
    with (yield from lock):
        members[name] = queue
        if len(members) == EXPECTED:
            everyone_here.set()
    sender = asyncio.Task(pump(queue, writer), loop=loop)
    yield from everyone_here.wait()
    line = (yield from reader.readline()).decode().strip()
    with (yield from lock):
        for other in members.values():
            yield from other.put(('%s says %s\n' % (name, line)).encode())
    yield from reader.read()
    yield from queue.put(None)
    yield from sender


@asyncio.coroutine
def member(port, name):
    reader, writer = yield from asyncio.open_connection(
        '127.0.0.1', port, loop=loop)
    writer.write(('%s\nhello from %s\n' % (name, name)).encode())
    heard = []
    for _ in range(EXPECTED):
        heard.append((yield from reader.readline()).decode().strip())
    writer.write_eof()
    rest = yield from reader.read()
    writer.close()
    return name, sorted(heard), rest


@asyncio.coroutine
def main():
    server = yield from asyncio.start_server(serve, '127.0.0.1', 0,
                                             loop=loop)
    port = server.sockets[0].getsockname()[1]
    results = yield from asyncio.wait_for(asyncio.gather(
        *[member(port, name) for name in ('ann', 'bob', 'cid')],
        loop=loop), 20, loop=loop)
    for name, heard, rest in results:
        print(name, 'heard:', '; '.join(heard), rest)
    server.close()
    yield from server.wait_closed()
    return len(members)


count = loop.run_until_complete(main())
print('members:', count, 'lock free:', not lock.locked())
loop.close()
sys.exit(0 if count == EXPECTED else 3)
