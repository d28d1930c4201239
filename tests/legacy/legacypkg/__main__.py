import asyncio
import sys

from legacypkg import worker

loop = asyncio.get_event_loop()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
print('sum to %d:' % n, loop.run_until_complete(worker.start(n)))
loop.close()
