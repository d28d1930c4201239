"""The kit's core: scenarios, their registry, results and verdicts.

A scenario is a plain function of a :class:`~.runner.Trial`, registered
with :func:`register` under the contract rule ID it checks.  Every rule ID
also has a one-line, plain-English text (:func:`define_rules`), which the
command line prints beside each result: registering a scenario for a rule
without a text is an error, so no row is ever shown with a bare ID.

This module imports nothing from the rest of the kit; the scenario modules
and the runner import it.
"""

__all__ = ['PASS', 'FAIL', 'NA', 'REQUIRED_NAMES', 'DEFAULT_TIMEOUT',
           'Scenario', 'REGISTRY', 'RULES', 'define_rules', 'register',
           'select', 'Result', 'summarize', 'Fail', 'NotApplicable', 'Hung',
           'short']

PASS = 'pass'
FAIL = 'fail'
NA = 'n/a'

#: The names every target must provide (contract API-1).
REQUIRED_NAMES = ('open_connection', 'start_server', 'StreamReader',
                  'StreamWriter', 'StreamReaderProtocol',
                  'IncompleteReadError')

#: Default time a single wait inside a scenario may take before it counts
#: as hung.
DEFAULT_TIMEOUT = 5.0

#: Every registered scenario, in registration (contract section) order.
REGISTRY = []

#: Rule ID -> one-line plain-English text of the rule.
RULES = {}


def short(value, limit=160):
    """repr() of ``value``, shortened for a one-line report."""
    if isinstance(value, BaseException):
        text = '%s: %s' % (type(value).__name__, value)
        text = 'raised ' + text.rstrip(': ')
    else:
        text = repr(value)
    text = ' '.join(text.split())
    if len(text) > limit:
        text = text[:limit - 3] + '...'
    return text


# --- Registration ------------------------------------------------------------


class Scenario(object):
    """One check of one documented sentence.

    ``rule`` is the contract rule ID, ``name`` a short slug, ``sentence``
    the documented sentence (or 3.4 behaviour) checked, ``label`` where the
    rule comes from (DOC, 3.4, FIX or Decision), ``via`` 'feed', 'loopback'
    or None, ``needs`` the target names it uses.
    """

    def __init__(self, rule, name, sentence, func, label, via, needs,
                 timeout):
        self.rule = rule
        self.name = name
        self.sentence = sentence
        self.func = func
        self.label = label
        self.via = via
        self.needs = tuple(needs)
        self.timeout = timeout

    @property
    def key(self):
        """Unique, stable identifier: ``RULE name`` plus ``[via]``."""
        key = '%s %s' % (self.rule, self.name)
        if self.via:
            key += '[%s]' % self.via
        return key

    @property
    def title(self):
        """``name`` plus ``[via]``: the scenario column of the table."""
        return self.name + ('[%s]' % self.via if self.via else '')

    @property
    def rule_text(self):
        """The one-line text of this scenario's rule."""
        return RULES[self.rule]

    def matches(self, text):
        """True if ``text`` (case-insensitive) occurs in key, rule, sentence,
        label or rule text."""
        text = text.lower()
        return any(text in s.lower() for s in
                   (self.key, self.rule, self.sentence, self.label,
                    self.rule_text))

    def to_dict(self):
        return {'key': self.key, 'rule': self.rule, 'name': self.name,
                'sentence': self.sentence, 'label': self.label,
                'via': self.via, 'rule_text': self.rule_text}

    def __repr__(self):
        return '<Scenario %s>' % self.key


def define_rules(texts):
    """Record the one-line text of each rule ID in the mapping ``texts``.

    A rule keeps its first text; defining it again with another text is an
    error (two scenario modules disagreeing about a rule).
    """
    for rule, text in texts.items():
        if '\n' in text or not text.strip():
            raise ValueError('rule %s: the text must be one line' % rule)
        if RULES.get(rule, text) != text:
            raise ValueError('rule %s defined twice with different texts'
                             % rule)
        RULES[rule] = text


def register(rule, name, sentence, label='DOC', via=None, needs=(),
             timeout=DEFAULT_TIMEOUT):
    """Register the decorated function ``func(trial)`` as a scenario.

    The rule's text must have been defined (:func:`define_rules`).  With
    ``via=('feed', 'loopback')`` one scenario is registered per way of
    delivering bytes; the function reads ``trial.via``.
    """
    if rule not in RULES:
        raise ValueError('rule %s has no text: define_rules() it first'
                         % rule)

    def decorate(func):
        for v in (via if via else (None,)):
            REGISTRY.append(Scenario(rule, name, sentence, func, label, v,
                                     needs, timeout))
        return func
    return decorate


def select(k=None):
    """The registered scenarios, or those matching substring ``k``."""
    if not k:
        return list(REGISTRY)
    return [s for s in REGISTRY if s.matches(k)]


# --- Verdicts ----------------------------------------------------------------


class Result(object):
    """The outcome of one scenario on one target."""

    def __init__(self, scenario, target, status, observed=None,
                 expected=None, why=None, warnings=(), loop_errors=(),
                 duration=0.0):
        self.scenario = scenario
        self.target = target
        self.status = status
        self.observed = observed
        self.expected = expected
        self.why = why
        self.warnings = list(warnings)
        self.loop_errors = list(loop_errors)
        self.duration = duration

    def detail(self):
        """One line: observed vs expected for a failure, why for n/a."""
        if self.status == FAIL:
            return 'observed: %s; expected: %s' % (self.observed,
                                                  self.expected)
        if self.status == NA:
            return self.why or ''
        return ''

    def to_dict(self):
        d = {'scenario': self.scenario.key, 'rule': self.scenario.rule,
             'target': self.target, 'status': self.status,
             'duration': round(self.duration, 4)}
        if self.status == FAIL:
            d['observed'] = self.observed
            d['expected'] = self.expected
        if self.status == NA:
            d['why'] = self.why
        if self.warnings:
            d['warnings'] = self.warnings
        if self.loop_errors:
            d['loop_errors'] = self.loop_errors
        return d

    def __repr__(self):
        return '<Result %s %s %s>' % (self.scenario.key, self.target,
                                      self.status)


def summarize(results):
    """Return ``{'pass': n, 'fail': n, 'n/a': n}`` for ``results``."""
    counts = {PASS: 0, FAIL: 0, NA: 0}
    for r in results:
        counts[r.status] += 1
    return counts


class Fail(Exception):
    """Raised by a scenario: the target did not behave as documented."""

    def __init__(self, observed, expected):
        Exception.__init__(self, observed, expected)
        self.observed = observed
        self.expected = expected


class NotApplicable(Exception):
    """Raised by a scenario that cannot run on this target or platform."""


class Hung(Exception):
    """A wait inside a scenario did not finish in time."""
