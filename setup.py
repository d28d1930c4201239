import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, 'trollius_streams', '__init__.py')) as f:
    VERSION = re.search(r"^__version__ = '([^']+)'", f.read(), re.M).group(1)

with open(os.path.join(HERE, 'README.md')) as f:
    LONG_DESCRIPTION = f.read()

setup(
    name='trollius_streams',
    version=VERSION,
    description='The asyncio 3.4 Streams API, exactly as documented, '
                'in yield-from style, on Python 3.6-3.13 and uvloop',
    long_description=LONG_DESCRIPTION,
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    packages=find_packages(include=['trollius_streams', 'trollius_streams.*']),
    python_requires='>=3.6',
    install_requires=['six'],
    entry_points={'pytest11': [
        'trollius_streams.testing = trollius_streams.testing',
        'trollius_streams.legacy.pytest_plugin = '
        'trollius_streams.legacy.pytest_plugin',
    ]},
    extras_require={
        'uvloop': [
            'uvloop==0.14.0; python_version == "3.6"',
            'uvloop>=0.18.0; python_version >= "3.7"',
        ],
    },
    classifiers=[
        'Development Status :: 4 - Beta',
        'Framework :: AsyncIO',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.6',
        'Programming Language :: Python :: 3.7',
        'Programming Language :: Python :: 3.8',
        'Programming Language :: Python :: 3.9',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
    ],
)
