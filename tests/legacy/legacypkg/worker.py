import asyncio

from legacypkg import async


def count_to(n):
    total = 0
    for i in range(1, n + 1):
        yield from asyncio.sleep(0)
        total += i
    return total


def start(n):
    return async(count_to(n))
