#!/usr/bin/env python3
# Usage: python3 count.py FILE.csv   (the figures of TestSynthetic in synthetic_test.go)
# Independent count of a canvass CSV CVR file (docs/formats/csv.md), applying the counting
# rules of package tabulate: overvote when any O or more counted marks than vote-for. It
# assumes the six metadata columns come first and no comment lines, as WriteSynthetic writes.
import csv, sys, re
from collections import OrderedDict, Counter
rows = list(csv.reader(open(sys.argv[1], newline='')))
h = rows[0]
contests = OrderedDict()
for j, col in enumerate(h[6:], 6):
    cp, ch = col.rsplit(': ', 1)
    m = re.match(r'(.*?)\s*(?:\[(.*)\])?$', cp)
    name, opt = m.group(1), m.group(2)
    c = contests.setdefault(name, {'cols': [], 'names': [], 'opt': None})
    c['cols'].append(j); c['names'].append(ch)
    if opt: c['opt'] = opt
print('ballots', len(rows) - 1, 'mail', sum(1 for r in rows[1:] if r[5] == 'Mail'))
for name, c in contests.items():
    opt = c['opt'] or 'vote for 1'
    ranked = opt.startswith('ranked')
    vf = 1 if ranked or '/' in opt else int(opt.split()[-1])
    ballots = under = over = blank = 0
    votes = Counter()
    for r in rows[1:]:
        cells = [r[j].strip() for j in c['cols']]
        if all(x == '' for x in cells):
            continue
        ballots += 1
        if ranked:
            marked = [i for i, x in enumerate(cells) if x in ('1', '1A', '1a')]
        else:
            marked = [i for i, x in enumerate(cells) if x in ('1', 'A', 'a')]
        if any(x in ('O', 'o') for x in cells) or len(marked) > vf:
            over += vf
            continue
        if not marked:
            blank += 1
        under += vf - len(marked)
        for i in marked:
            votes[c['names'][i]] += 1
    print(name, 'ballots', ballots, 'under', under, 'over', over, 'blank', blank, [votes[n] for n in c['names']])
