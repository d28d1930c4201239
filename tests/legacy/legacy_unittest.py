"""A unittest module of the 3.4 era: a fresh loop per test, generator
helpers, self.loop.run_until_complete()."""
import asyncio
import unittest


@asyncio.coroutine
def echo_handler(reader, writer):
    data = yield from reader.readline()
    writer.write(data.upper())
    yield from writer.drain()
    writer.close()


class EchoServerTests(unittest.TestCase):

    def setUp(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(None)

    def tearDown(self):
        self.loop.close()

    @asyncio.coroutine
    def start_server(self):
        server = yield from asyncio.start_server(
            echo_handler, '127.0.0.1', 0, loop=self.loop)
        return server, server.sockets[0].getsockname()[1]

    def test_echo(self):
        @asyncio.coroutine
        def go():
            server, port = yield from self.start_server()
            reader, writer = yield from asyncio.open_connection(
                '127.0.0.1', port, loop=self.loop)
            writer.write(b'shout\n')
            reply = yield from reader.readline()
            writer.close()
            server.close()
            yield from server.wait_closed()
            return reply

        self.assertEqual(self.loop.run_until_complete(go()), b'SHOUT\n')

    def test_plain_generator_helper(self):
        def helper():
            yield from asyncio.sleep(0, loop=self.loop)
            return 5

        self.assertEqual(self.loop.run_until_complete(helper()), 5)

    def test_timeout(self):
        @asyncio.coroutine
        def forever():
            yield from asyncio.sleep(60, loop=self.loop)

        with self.assertRaises(asyncio.TimeoutError):
            self.loop.run_until_complete(
                asyncio.wait_for(forever(), 0.01, loop=self.loop))

    def test_semaphore(self):
        sem = asyncio.Semaphore(2, loop=self.loop)
        inside = []

        @asyncio.coroutine
        def worker(n):
            with (yield from sem):
                inside.append(n)
                yield from asyncio.sleep(0, loop=self.loop)
                return len(inside)

        tasks = [asyncio.Task(worker(n), loop=self.loop) for n in range(4)]
        self.loop.run_until_complete(asyncio.wait(tasks, loop=self.loop))
        self.assertEqual(sorted(inside), [0, 1, 2, 3])


if __name__ == '__main__':
    unittest.main()
