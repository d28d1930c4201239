"""Reversible patches: every change is recorded with what it replaced."""

__all__ = ['Patches']

_MISSING = object()


class Patches(object):
    """A journal of changes to objects, undone in reverse order by undo().

    ``targets()`` lists (object, attribute name) for every attribute changed,
    so that tests can compare each of them before install and after
    uninstall.
    """

    def __init__(self):
        self._undo = []
        self._targets = []

    def set(self, obj, name, value):
        """setattr(obj, name, value), remembering the exact previous state
        (an attribute of ``obj`` itself, or none)."""
        old = obj.__dict__.get(name, _MISSING)
        self._targets.append((obj, name))

        def undo():
            if old is _MISSING:
                try:
                    delattr(obj, name)
                except AttributeError:
                    pass
            else:
                setattr(obj, name, old)
        setattr(obj, name, value)
        self._undo.append(undo)

    def set_item(self, mapping, key, value):
        old = mapping.get(key, _MISSING)
        self._targets.append((mapping, key))

        def undo():
            if old is _MISSING:
                mapping.pop(key, None)
            else:
                mapping[key] = old
        mapping[key] = value
        self._undo.append(undo)

    def insert(self, lst, index, value):
        lst.insert(index, value)
        self._targets.append((lst, value))

        def undo():
            for i, item in enumerate(lst):
                if item is value:
                    del lst[i]
                    break
        self._undo.append(undo)

    def on_undo(self, func):
        self._undo.append(func)

    def targets(self):
        return list(self._targets)

    def undo(self):
        while self._undo:
            self._undo.pop()()
        self._targets = []
