"""3.4 idioms one by one: asyncio.async, plain generators yielding from
asyncio.sleep, Task.current_task()/all_tasks(), asyncio.wait([coroutines]),
and loop= on wait_for, gather, shield, as_completed and Task()."""
import asyncio

loop = asyncio.get_event_loop()


def ticker(name, n, log):
    # An undecorated generator, as plenty of 3.4 code had them.
    for i in range(n):
        yield from asyncio.sleep(0.001, loop=loop)
        log.append('%s%d' % (name, i))
    return name


def who_am_i():
    task = asyncio.Task.current_task()
    yield from asyncio.sleep(0)
    return task in asyncio.Task.all_tasks(loop)


@asyncio.coroutine
def slow():
    yield from asyncio.sleep(10, loop=loop)


@asyncio.coroutine
def main():
    log = []
    task = asyncio.async(ticker('a', 2, log), loop=loop)
    name = yield from task
    print('async:', name, log)
    done, pending = yield from asyncio.wait(
        [ticker('b', 1, log), ticker('c', 1, log)], loop=loop)
    print('wait:', sorted(d.result() for d in done), len(pending))
    print('current task listed:', (yield from who_am_i()))
    try:
        yield from asyncio.wait_for(slow(), 0.01, loop=loop)
    except asyncio.TimeoutError:
        print('wait_for: timeout')
    results = yield from asyncio.gather(ticker('d', 1, log),
                                        ticker('e', 1, log), loop=loop)
    print('gather:', results)
    shielded = yield from asyncio.shield(ticker('f', 1, log), loop=loop)
    print('shield:', shielded)
    order = []
    for future in asyncio.as_completed([ticker('g', 2, log),
                                        ticker('h', 1, log)], loop=loop):
        order.append((yield from future))
    print('as_completed:', order)
    task = asyncio.Task(ticker('i', 1, log), loop=loop)
    print('Task:', (yield from task))
    return len(log)


print('ticks:', loop.run_until_complete(main()))
loop.close()
