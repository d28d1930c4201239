"""A line server whose handlers run as tasks, two clients, a clean shutdown.

Written as an asyncio program of 2014: the connection callback schedules each
handler with asyncio.async() and keeps it in a dict, the loop comes from the
module-level get_event_loop(), every call passes loop=.  One client stays
connected while the server closes: wait_closed() returns once the listening
socket is closed, as it did in 3.4.
"""
import asyncio

loop = asyncio.get_event_loop()
clients = {}


def accept_client(client_reader, client_writer):
    task = asyncio.async(handle_client(client_reader, client_writer))
    clients[task] = client_writer

    def client_done(task):
        del clients[task]
        client_writer.close()

    task.add_done_callback(client_done)


@asyncio.coroutine
def handle_client(reader, writer):
    while True:
        line = yield from reader.readline()
        if not line:
            break
        command = line.decode().strip()
        if command == 'quit':
            writer.write(b'bye\n')
            break
        writer.write(('echo:%s\n' % command.upper()).encode())
        yield from writer.drain()


@asyncio.coroutine
def client(port, words):
    reader, writer = yield from asyncio.open_connection(
        '127.0.0.1', port, loop=loop)
    replies = []
    for word in words + ['quit']:
        writer.write((word + '\n').encode())
        reply = yield from reader.readline()
        replies.append(reply.decode().strip())
    writer.close()
    return replies


@asyncio.coroutine
def idle_client(port):
    reader, writer = yield from asyncio.open_connection(
        '127.0.0.1', port, loop=loop)
    writer.write(b'ping\n')
    reply = yield from reader.readline()
    return reader, writer, reply.decode().strip()


def main():
    server = loop.run_until_complete(asyncio.start_server(
        accept_client, '127.0.0.1', 0, loop=loop))
    port = server.sockets[0].getsockname()[1]
    idle_reader, idle_writer, pong = loop.run_until_complete(
        idle_client(port))
    print('idle client:', pong)
    replies = loop.run_until_complete(asyncio.gather(
        client(port, ['alpha', 'beta']), client(port, ['gamma']), loop=loop))
    for reply in replies:
        print(' '.join(reply))
    server.close()
    loop.run_until_complete(asyncio.wait_for(server.wait_closed(), 10,
                                             loop=loop))
    print('server closed with %d client(s) connected' % len(clients))
    idle_writer.close()
    loop.run_until_complete(asyncio.wait(list(clients), loop=loop))
    print('clients left:', len(clients))
    loop.close()


if __name__ == '__main__':
    main()
