"""The import hook that compiles legacy modules with :mod:`._source`.

A meta path finder placed just before the stdlib's PathFinder.  For a module
whose source file lies under a legacy root (the script's directory, the
``-m`` module's top-level package, each ``--include`` package) it returns
the PathFinder's spec with our loader, which compiles the source through
``compile_legacy`` and never writes bytecode: the rewritten, flagged code
is not the file's normal bytecode and must not be found by a normal run.
Everything else is left to the finders that follow.

Roots that lie in the stdlib or in site-packages count only when they were
named with ``--include``: a script in a directory that also holds a
virtualenv does not make that virtualenv legacy.
"""

__all__ = ['LegacyFinder', 'LegacyLoader', 'package_root']

import importlib.machinery
import importlib.util
import os
import site
import sys
import sysconfig

from . import _source

#: Set by the pytest plugin: ``rewrite(tree, source, path)`` applies pytest's
#: assertion rewriting to the legacy test modules it compiles.
ASSERT_REWRITER = None

# Installed packages, wherever they are (a virtualenv inside the script's
# directory included).
_INSTALLED_PARTS = frozenset(['site-packages', 'dist-packages'])

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _dir(path):
    path = os.path.realpath(path)
    return path if path.endswith(os.sep) else path + os.sep


def _system_dirs():
    dirs = set()
    for name in ('stdlib', 'platstdlib', 'purelib', 'platlib'):
        try:
            dirs.add(_dir(sysconfig.get_paths()[name]))
        except KeyError:
            pass
    try:
        dirs.update(_dir(p) for p in site.getsitepackages())
    except AttributeError:  # virtualenv's old site.py
        pass
    dirs.update(_dir(p) for p in sys.path
                if 'site-packages' in p or 'dist-packages' in p)
    dirs.add(_dir(_PACKAGE_DIR))
    return tuple(dirs)


def package_root(name):
    """The directory (or file) holding top-level package or module ``name``,
    found without importing it; None if it cannot be found."""
    top = name.partition('.')[0]
    spec = importlib.util.find_spec(top)
    if spec is None:
        return None
    locations = spec.submodule_search_locations
    if locations:
        return list(locations)[0]
    return spec.origin


class LegacyLoader(importlib.machinery.SourceFileLoader):
    """Loads a legacy module from source on every import (no bytecode)."""

    def source_to_code(self, data, path, *, _optimize=-1):
        return _source.compile_legacy(data, path, ASSERT_REWRITER)

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)

    def set_data(self, *args, **kwargs):
        # Never write bytecode (SourceLoader calls this to cache it).
        pass


class LegacyFinder(object):
    """Meta path finder: legacy modules get a LegacyLoader."""

    def __init__(self, roots=(), include_roots=()):
        self.roots = tuple(_dir(r) if os.path.isdir(r) else
                           os.path.realpath(r) for r in roots if r)
        self.include_roots = tuple(_dir(r) if os.path.isdir(r) else
                                   os.path.realpath(r)
                                   for r in include_roots if r)
        self._system = _system_dirs()
        self._cache = {}

    def is_legacy(self, filename):
        """True if ``filename`` belongs to legacy code."""
        try:
            return self._cache[filename]
        except KeyError:
            pass
        path = os.path.realpath(filename)
        legacy = False
        if any(path == r or path.startswith(r) for r in self.include_roots):
            legacy = True
        elif not (path.startswith(self._system) or
                  _INSTALLED_PARTS.intersection(path.split(os.sep))):
            legacy = any(path == r or path.startswith(r) for r in self.roots)
        self._cache[filename] = legacy
        return legacy

    def find_spec(self, fullname, path=None, target=None):
        if not (self.roots or self.include_roots):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if (spec is None or spec.origin is None or
                not isinstance(spec.loader,
                               importlib.machinery.SourceFileLoader) or
                not spec.origin.endswith('.py') or
                not self.is_legacy(spec.origin)):
            return None
        spec.loader = LegacyLoader(fullname, spec.origin)
        spec.cached = None
        return spec

    def invalidate_caches(self):
        self._cache.clear()
