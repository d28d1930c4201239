"""The package's import graph: every module imports alone, and no cycle.

Each module of trollius_streams is imported in a fresh interpreter, on its
own, so a module that only works when something else happened to be
imported first is caught.  A static scan of the import statements (at any
depth, function bodies included) checks that no module imports another
that imports it back, directly or through others.  A package's own
``__init__`` being run when one of its submodules is imported is how
Python works and is not counted as an import by the submodule.
"""

import ast
import os
import subprocess
import sys

import pytest

import trollius_streams

PACKAGE_DIR = os.path.dirname(os.path.abspath(trollius_streams.__file__))
ROOT = os.path.dirname(PACKAGE_DIR)


def _modules():
    """``{dotted name: source path}`` for every module of the package."""
    found = {}
    for folder, dirs, files in os.walk(PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs
                         if os.path.exists(os.path.join(folder, d,
                                                        '__init__.py')))
        rel = os.path.relpath(folder, ROOT).replace(os.sep, '.')
        for fname in sorted(files):
            if not fname.endswith('.py'):
                continue
            stem = fname[:-3]
            name = rel if stem == '__init__' else rel + '.' + stem
            found[name] = os.path.join(folder, fname)
    return found


MODULES = _modules()


def _is_package(name):
    return MODULES[name].endswith('__init__.py')


def _imports(name):
    """The package modules that module ``name`` imports (static scan)."""
    with open(MODULES[name]) as f:
        tree = ast.parse(f.read(), MODULES[name])
    package = name if _is_package(name) else name.rsplit('.', 1)[0]
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                if node.level > 1:
                    base = base[:-(node.level - 1)]
                base = '.'.join(base)
                module = base + ('.' + node.module if node.module else '')
            else:
                module = node.module
            for alias in node.names:
                # "from . import compat" names the submodule compat, not
                # the package; "from .core import X" the module core.
                sub = module + '.' + alias.name
                targets.add(sub if sub in MODULES else module)
    found = set()
    for target in targets:
        while target and target not in MODULES:
            target = target.rpartition('.')[0]
        if target and target != name:
            found.add(target)
    return found


def _cycle(graph):
    """A list of modules forming an import cycle, or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = 'active'
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 'active':
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 'done'
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_scan_sees_the_package():
    """The scan finds the package's modules and its known imports, and
    reports a cycle when there is one (so the real check can fail)."""
    assert 'trollius_streams.compat' in MODULES
    assert 'trollius_streams.conformance.core' in MODULES
    assert 'trollius_streams.compat' in _imports('trollius_streams._reader')
    assert 'trollius_streams.conformance.core' in _imports(
        'trollius_streams.conformance.runner')
    assert _cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c',
                                                           'a']
    assert _cycle({'a': {'b'}, 'b': set()}) is None


def test_no_import_cycle():
    """No module of the package imports, directly or through others, a
    module that imports it back."""
    graph = {name: _imports(name) for name in MODULES}
    assert _cycle(graph) is None


@pytest.mark.parametrize('name', sorted(MODULES))
def test_module_imports_alone(name):
    """Each module imports in a fresh interpreter with nothing imported
    before it, and without a warning from the package's own code (pytest
    and its dependencies may warn about an old Python)."""
    code = ('import warnings\n'
            'warnings.filterwarnings("error", module="trollius_streams")\n'
            'import %s\n' % name)
    proc = subprocess.run(
        [sys.executable, '-c', code],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
