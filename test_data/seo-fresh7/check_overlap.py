#!/usr/bin/env python3
"""Independence check for seo_fresh7.jsonl (run from anywhere).

Checks: field set and lengths; one record per GitHub repository; no repository
that occurs in seo-fresh6 (or any earlier set / seo-dev); no 25-character window
(whitespace removed, any offset) shared between two records, or with any earlier
set (test_data/seo-fresh*/, shared/data/seo-dev/seo_dev.jsonl) or
test_data/real/cases.tsv."""
import glob, json, os, re, sys
HERE = os.path.dirname(os.path.abspath(__file__))
TD = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(TD))
prior_files = [f for f in sorted(glob.glob(os.path.join(TD, 'seo-fresh*', '*.jsonl')))
               if os.path.abspath(os.path.dirname(f)) != HERE]
seo_dev = os.path.join(ROOT, 'shared', 'data', 'seo-dev', 'seo_dev.jsonl')
if not os.path.exists(seo_dev):
    seo_dev = '/work/shared/data/seo-dev/seo_dev.jsonl'
prior_files.append(seo_dev)
N = 25
def norm(s): return re.sub(r'\s+', '', s)
def wins(s):
    s = norm(s); return {s[i:i+N] for i in range(max(0, len(s)-N+1))}
def repo(u):
    m = re.match(r'https?://github\.com/([^/]+/[^/]+)', u); return m.group(1).lower() if m else None
prior_w, prior_repos = set(), set()
for f in prior_files:
    for l in open(f, encoding='utf-8'):
        if not l.strip(): continue
        d = json.loads(l)
        for k in ('spam', 'body'):
            if d.get(k): prior_w |= wins(d[k])
        r = repo(d['url'])
        if r: prior_repos.add(r)
for l in open(os.path.join(TD, 'real', 'cases.tsv'), encoding='utf-8'):
    if not l.startswith('#'): prior_w |= wins(l)
recs = [json.loads(l) for l in open(os.path.join(HERE, 'seo_fresh7.jsonl'), encoding='utf-8') if l.strip()]
errs = []
seen = {}
for i, d in enumerate(recs):
    keys = set(d)
    want = {'url', 'kind', 'spam', 'body', 'script', 'note'} if d['kind'] == 'injected' else {'url', 'kind', 'body', 'script', 'note'}
    if keys != want: errs.append((i, 'fields', sorted(keys)))
    if d['script'] not in ('simplified', 'traditional'): errs.append((i, 'script'))
    b = d['body']
    if d['kind'] == 'injected':
        if b and not 140 <= len(b) <= 220: errs.append((i, 'body len', len(b)))
        if not d['spam']: errs.append((i, 'empty spam'))
    elif d['kind'] == 'hard_negative':
        if not 140 <= len(b) <= 360: errs.append((i, 'body len', len(b)))
    else: errs.append((i, 'kind'))
    r = repo(d['url'])
    if r is None: errs.append((i, 'not a github url'))
    if r in prior_repos: errs.append((i, 'repo in earlier set', r))
    if r in seen: errs.append((i, 'repo repeated', r, seen[r]))
    seen[r] = i
W = []
for i, d in enumerate(recs):
    w = set()
    for k in ('spam', 'body'):
        if d.get(k): w |= wins(d[k])
    W.append(w)
    if w & prior_w: errs.append((i, 'window shared with earlier set', sorted(w & prior_w)[0][:6] + '…'))
for i in range(len(recs)):
    for j in range(i+1, len(recs)):
        if W[i] & W[j]: errs.append((i, j, 'window shared between records'))
print(f'{len(recs)} records, {len(prior_w)} prior windows, {len(prior_repos)} prior repos from {len(prior_files)} files + cases.tsv')
if errs:
    for e in errs: print('FAIL', e)
    sys.exit(1)
print('OK: no overlap, no repeated or earlier repository, lengths and fields valid')
