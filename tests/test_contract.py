"""Every rule ID cited in the repository is defined in docs/contract.md.

Code comments, test docstrings, the conformance kit, the README and the
docs cite contract rules by ID (``RD-9``, ``DR-2(3)``, ``FC-W2``, ...).  A
reader who meets an ID must be able to look it up, so this module scans
the package, the tests, README.md, docs/, bench/ and examples/ and fails,
naming file and ID, when an ID is cited but not defined in the contract,
or when the contract defines one twice.

A definition is a line of docs/contract.md that starts with the ID in bold
(``**RD-9** ...``) or a Markdown heading whose text starts with the ID.  A
cited sub-item ``X(n)`` also needs item ``n.`` in the numbered list of
rule X.  The checker functions are tested on small made-up texts below, so
a broken checker cannot pass silently.
"""

import ast
import collections
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTRACT = os.path.join(ROOT, 'docs', 'contract.md')

# The places where IDs may be cited.  CHANGES.txt is the lead's and cites
# IDs too; it is scanned as well, so a release note never points nowhere.
SCANNED = ('trollius_streams', 'tests', 'bench', 'examples', 'docs',
           'README.md', 'CHANGES.txt')
TEXT_SUFFIXES = ('.py', '.md', '.txt', '.rst', '.ini', '.cfg', '.toml')

# An ID: a series prefix, a number, an optional letter (RD-8c, FC-W2; the
# flow-control series have no dash before the number).
_ID = r'(?:(?:API|CO|FN|RD|PR|WR|DR|EX|HD|HB|Q|M)-|FC-[RW])[0-9]+[a-z]?'
# A citation, with its optional sub-item number: CO-2(4).
CITE_RE = re.compile(r'\b(%s)\b(?:\(([0-9]+)\))?' % _ID)
DEFINE_RE = re.compile(
    r'^(?:\*\*(%s)\*\*|#{1,6}\s+(%s)\b)' % (_ID, _ID), re.M)
ITEM_RE = re.compile(r'^\s*([0-9]+)\.\s', re.M)


def definitions(text):
    """Map each ID defined in ``text`` to the list of its definition blocks
    (the text from its definition line to the next definition)."""
    found = collections.defaultdict(list)
    matches = list(DEFINE_RE.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        found[match.group(1) or match.group(2)].append(text[match.start():end])
    return found


def citations(text):
    """The set of ``(id, item)`` pairs cited in ``text``; ``item`` is the
    sub-item number as a string, or None."""
    return {(m.group(1), m.group(2)) for m in CITE_RE.finditer(text)}


def problems(contract_text, cited):
    """What is wrong, as sorted lines: IDs defined twice, cited IDs not
    defined, cited sub-items missing from their rule.  ``cited`` maps
    ``(id, item)`` to the places citing it."""
    defined = definitions(contract_text)
    out = []
    for rule, blocks in sorted(defined.items()):
        if len(blocks) > 1:
            out.append('%s is defined %d times' % (rule, len(blocks)))
    def order(entry):
        (rule, item), _ = entry
        return rule, item or ''

    for (rule, item), where in sorted(cited.items(), key=order):
        places = ', '.join(sorted(where))
        if rule not in defined:
            out.append('%s is cited but not defined (%s)' % (rule, places))
        elif item is not None:
            items = set(ITEM_RE.findall(defined[rule][0]))
            if item not in items:
                out.append('%s(%s) is cited but %s has no item %s. (%s)'
                           % (rule, item, rule, item, places))
    return out


def scanned_files():
    for entry in SCANNED:
        path = os.path.join(ROOT, entry)
        if os.path.isfile(path):
            yield path
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames
                           if d != '__pycache__' and not d.startswith('.')]
            for name in filenames:
                if name.endswith(TEXT_SUFFIXES):
                    yield os.path.join(dirpath, name)


def repository_citations():
    cited = collections.defaultdict(set)
    for path in scanned_files():
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for key in citations(text):
            cited[key].add(os.path.relpath(path, ROOT))
    return cited


def read_contract():
    with open(CONTRACT, encoding='utf-8') as f:
        return f.read()


# --- The repository ------------------------------------------------------


def test_every_cited_id_is_defined_once():
    """Each ID cited in the repository is defined exactly once in
    docs/contract.md, and each cited sub-item exists in its rule."""
    cited = repository_citations()
    assert len(cited) > 50, 'the scan found almost no citations: broken?'
    found = problems(read_contract(), cited)
    assert not found, 'docs/contract.md:\n  ' + '\n  '.join(found)


def rule_marker_arguments(source):
    """The arguments of each ``pytest.mark.rule(...)`` call in ``source``,
    as ``(line, argument)``; an argument that is not a string literal
    comes back as its source text."""
    found = []
    for node in ast.walk(ast.parse(source)):
        func = getattr(node, 'func', None)
        if (isinstance(node, ast.Call) and isinstance(func, ast.Attribute)
                and func.attr == 'rule'
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == 'mark'):
            for arg in node.args:
                # ast.Str (3.6, 3.7) keeps its text in .s
                value = (arg.value if hasattr(arg, 'value')
                         else getattr(arg, 's', None))
                if not isinstance(value, str):
                    value = ast.dump(arg)
                found.append((node.lineno, value))
            if not node.args:
                found.append((node.lineno, ''))
    return found


RULE_ID_RE = re.compile(r'^%s$' % _ID)


def test_every_rule_marker_names_well_formed_ids():
    """Each ``@pytest.mark.rule(...)`` in tests/ has at least one argument
    and only string literals that are whole rule IDs: a malformed one
    (``'RD8b'``, ``'rd-8b'``) would escape the citation scan above."""
    tests = os.path.join(ROOT, 'tests')
    bad, count = [], 0
    for name in sorted(os.listdir(tests)):
        if not name.endswith('.py'):
            continue
        with open(os.path.join(tests, name), encoding='utf-8') as f:
            for line, arg in rule_marker_arguments(f.read()):
                count += 1
                if not RULE_ID_RE.match(arg):
                    bad.append('tests/%s:%d: %r' % (name, line, arg))
    assert count > 100, 'the scan found almost no rule markers: broken?'
    assert not bad, 'malformed rule markers:\n  ' + '\n  '.join(bad)


def test_every_definition_has_a_label_and_a_summary():
    """Each definition line names its origin ([DOC], [3.4], [FIX],
    [Decision], or the M- facts' own wording) and says something."""
    text = read_contract()
    for line in text.splitlines():
        match = DEFINE_RE.match(line)
        if not match:
            continue
        rule = match.group(1) or match.group(2)
        rest = line[match.end():].strip()
        assert len(rest) > 20, '%s has no summary' % rule
        if not rule.startswith('M-'):
            assert re.match(r'\[(DOC|3\.4|FIX|Decision)\]', rest), \
                '%s has no origin label: %r' % (rule, rest)


def test_the_contract_is_self_contained():
    """The contract points to no document outside the repository."""
    text = read_contract()
    assert 'SPEC.md' not in text
    assert '../shared' not in text


# --- The checker itself, on made-up texts ---------------------------------


def _rule(n, suffix=''):
    # Built at run time, so that the repository scan does not see these
    # made-up IDs as citations.
    return 'RD-' + str(n) + suffix


def test_checker_reports_an_undefined_id():
    contract = '**%s** [DOC] A rule defined here.\n' % _rule(900)
    cited = {(_rule(900), None): {'a.py'}, (_rule(901), None): {'b.py'}}
    assert problems(contract, cited) == [
        '%s is cited but not defined (b.py)' % _rule(901)]


def test_checker_reports_a_double_definition():
    contract = ('**%s** [DOC] First.\n\n### %s again as a heading\n'
                % (_rule(900), _rule(900)))
    assert problems(contract, {}) == ['%s is defined 2 times' % _rule(900)]


def test_checker_tells_letter_suffixes_apart():
    contract = '**%s** [3.4] Only the a part.\n' % _rule(900, 'a')
    cited = citations('see %s and %s' % (_rule(900, 'a'), _rule(900, 'b')))
    assert cited == {(_rule(900, 'a'), None), (_rule(900, 'b'), None)}
    found = problems(contract, {key: {'x'} for key in cited})
    assert found == ['%s is cited but not defined (x)' % _rule(900, 'b')]


def test_checker_checks_sub_items():
    contract = ('**%s** [3.4] Steps:\n1. one\n2. two\n\n**%s** [DOC] Next.\n'
                '3. an item of the next rule\n' % (_rule(900), _rule(901)))
    cited = citations('%s(2) and %s(3)' % (_rule(900), _rule(900)))
    assert cited == {(_rule(900), '2'), (_rule(900), '3')}
    found = problems(contract, {key: {'y'} for key in cited})
    assert found == ['%s(3) is cited but %s has no item 3. (y)'
                     % (_rule(900), _rule(900))]


def test_checker_ignores_look_alikes():
    """Prefixes glued to other words are not citations."""
    text = 'XRD-1, CO-ops, FOO-7, MQ-3 and r' + 'd-1 are not rules'
    assert citations(text) == set()
    assert definitions('text **not** a rule\n- **%s** in a list\n'
                       % _rule(900)) == {}


def test_checker_reads_flow_control_ids():
    """The FC- series has no dash before its number (FC-R1, FC-W2)."""
    ids = ['FC-' + 'R9', 'FC-' + 'W9']
    contract = '**%s** [3.4] Read side.\n' % ids[0]
    cited = citations('%s, then %s; FC-Q9 is not one' % tuple(ids))
    assert cited == {(ids[0], None), (ids[1], None)}
    assert problems(contract, {key: {'z'} for key in cited}) == [
        '%s is cited but not defined (z)' % ids[1]]


def test_checker_reads_rule_markers():
    """IDs in ``@pytest.mark.rule(...)`` markers are citations too."""
    text = "@pytest.mark.rule('%s', \"%s\")\ndef test_x():" % (
        _rule(900), 'FC-' + 'W9')
    assert citations(text) == {(_rule(900), None), ('FC-' + 'W9', None)}


def test_marker_scan_reads_arguments():
    source = ("@pytest.mark.rule('RD8b', 'FC-' + 'W9', %r)\n"
              "@pytest.mark.rule()\n"
              "def test_x():\n    pass\n" % _rule(900))
    found = rule_marker_arguments(source)
    assert [arg for line, arg in found if line == 1][0] == 'RD8b'
    assert (1, _rule(900)) in found
    assert (2, '') in found
    assert not [arg for line, arg in found if RULE_ID_RE.match(arg)
                and arg != _rule(900)]
