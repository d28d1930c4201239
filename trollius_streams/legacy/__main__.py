"""``python -m trollius_streams.legacy``: see _cli.USAGE."""

import sys

from trollius_streams.legacy._cli import main

if __name__ == '__main__':
    sys.exit(main())
