"""asyncio.create_subprocess_exec with loop=, reading the child's output
through the stdlib's own stream reader."""
import asyncio
import sys

loop = asyncio.get_event_loop()


@asyncio.coroutine
def run_child():
    process = yield from asyncio.create_subprocess_exec(
        sys.executable, '-c', 'print(6 * 7)',
        stdout=asyncio.subprocess.PIPE, loop=loop)
    output = yield from process.stdout.read()
    code = yield from process.wait()
    return output.decode().strip(), code


print('child said %s, exit %d' % loop.run_until_complete(run_child()))
loop.close()
