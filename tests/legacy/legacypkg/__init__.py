"""A 3.4-era package run with ``python -m legacypkg``."""
from asyncio import async
