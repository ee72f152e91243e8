#!/usr/bin/env python3
"""Independence and format check for seo_train2.jsonl (spam-model TRAINING data; run from anywhere).

FAILS (exit 1) if any record
- shares a registered domain (public-suffix rule, system list
  /usr/share/publicsuffix/public_suffix_list.dat when present; for web.archive.org copies the
  archived page's domain) or a GitHub repository with the held-out evaluation set
  test_data/seo-fresh12: its record URLs, every domain-like string in its records' text, and
  every domain-like or owner/name-like string anywhere in its README (over-inclusive);
- shares any 25-character window (whitespace removed, any offset) with seo-fresh12's
  spam/body texts;
- has a bad field set, kind or script, an empty spam, or a body outside the length limits;
- shares a 25-character window with another record of this file (no duplicated text);
- shares a 25-character window with seo-train1 or an OLDER set (shared/data/seo-dev,
  seo-fresh … seo-fresh11) or test_data/real/cases.tsv (`--drop` rewrites seo_train2.jsonl
  without such records; a passing run means there are none);
- comes from a source (registered domain / GitHub repository) with more than 3 records across
  seo-train1 and seo-train2 together.
Overlap of domains/repositories with the older sets is allowed.

Fails too unless seo-fresh12's jsonl and README, seo-train1 and every older set were found
and read."""
import glob, json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
TD = os.path.dirname(HERE)
ROOT = os.path.dirname(TD)
SELF = os.path.join(HERE, 'seo_train2.jsonl')
TRAIN1 = os.path.join(TD, 'seo-train1', 'seo_train1.jsonl')
HELD = os.path.join(TD, 'seo-fresh12')
N = 25
MAX_PER_SOURCE = 3

# --- public-suffix rule -------------------------------------------------------
PSL = '/usr/share/publicsuffix/public_suffix_list.dat'
_rules, _wild, _exc = set(), set(), set()
if os.path.exists(PSL):
    for l in open(PSL, encoding='utf-8'):
        l = l.strip()
        if not l or l.startswith('//'): continue
        l = l.split()[0].lower()
        if l.startswith('!'): _exc.add(l[1:])
        elif l.startswith('*.'): _wild.add(l[2:])
        else: _rules.add(l)

def regdom(host):
    host = host.lower().strip('.').split(':')[0]
    if host.startswith('www.'): host = host[4:]
    labels = host.split('.')
    if len(labels) < 2: return host
    suf_len = 1
    for i in range(len(labels)):
        cand = '.'.join(labels[i:])
        if cand in _exc:
            suf_len = len(labels) - i - 1; break
        if cand in _rules:
            suf_len = len(labels) - i; break
        if i + 1 < len(labels) and '.'.join(labels[i+1:]) in _wild:
            suf_len = len(labels) - i; break
    if suf_len >= len(labels): return host
    return '.'.join(labels[-(suf_len + 1):])

def norm(s): return re.sub(r'\s+', '', s)
def wins(s):
    s = norm(s)
    if 0 < len(s) < N: return {s}
    return {s[i:i+N] for i in range(max(0, len(s) - N + 1))}

def source_key(u):
    """('repo', owner/name) for github.com, else ('domain', registered domain)."""
    m = re.match(r'https?://web\.archive\.org/web/[^/]+/(.*)$', u)
    if m:
        u = m.group(1)
        if not re.match(r'https?://', u): u = 'http://' + u
    m = re.match(r'https?://(?:www\.)?github\.com/([^/]+/[^/#?]+)', u)
    if m: return ('repo', m.group(1).lower())
    m = re.match(r'https?://([^/?#]+)', u)
    return ('domain', regdom(m.group(1))) if m else None

DOM_RE = re.compile(r'(?<![A-Za-z0-9-])((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?![A-Za-z0-9-])')
TLD_OK = {l.split('.')[-1] for l in _rules} if _rules else None
def text_domains(s):
    out = set()
    for h in DOM_RE.findall(s or ''):
        if TLD_OK is not None and h.lower().split('.')[-1] not in TLD_OK: continue
        out.add(regdom(h))
    return out
REPO_RE = re.compile(r'(?<![A-Za-z0-9_./-])([A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})')
NEUTRAL = {'github.com', 'web.archive.org', 'archive.org', 'githubusercontent.com'}

def jsonl(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(l) for l in f if l.strip()]

# --- the held-out set (seo-fresh12): read only to exclude its sources and texts ----------
held_files = sorted(glob.glob(os.path.join(HELD, '*.jsonl')))
held_readme = os.path.join(HELD, 'README.md')
if not held_files or not os.path.exists(held_readme):
    sys.exit('FAIL seo-fresh12 jsonl or README not found')
held_w, held_doms, held_repos = set(), set(), set()
for f in held_files:
    for d in jsonl(f):
        for k in ('spam', 'body'):
            if d.get(k): held_w |= wins(d[k])
        k = source_key(d['url'])
        if k: (held_repos if k[0] == 'repo' else held_doms).add(k[1])
        for k2 in ('spam', 'body', 'note', 'url'):
            held_doms |= text_domains(d.get(k2, ''))
            held_repos |= {r.lower().rstrip('.,;:)') for r in REPO_RE.findall(d.get(k2, ''))}
t = open(held_readme, encoding='utf-8').read()
held_doms |= text_domains(t)
held_repos |= {r.lower().rstrip('.,;:)') for r in REPO_RE.findall(t)}
held_doms -= NEUTRAL
held_repos = {r for r in held_repos if not r.endswith(('.md', '.py', '.jsonl', '.tsv'))}

# --- older sets: texts whose windows must not recur (records are dropped, not failed) ---
older = [f for f in sorted(glob.glob(os.path.join(TD, 'seo-fresh*', '*.jsonl')))
         if os.path.abspath(os.path.dirname(f)) != os.path.abspath(HELD)]
seo_dev = os.path.join(os.path.dirname(ROOT), 'shared', 'data', 'seo-dev', 'seo_dev.jsonl')
if not os.path.exists(seo_dev): seo_dev = os.path.join(ROOT, 'shared', 'data', 'seo-dev', 'seo_dev.jsonl')
if not os.path.exists(seo_dev): seo_dev = '/work/shared/data/seo-dev/seo_dev.jsonl'
REQUIRED = ['seo-fresh'] + [f'seo-fresh{i}' for i in range(2, 12)]
have = {os.path.basename(os.path.dirname(f)) for f in older}
missing = [r for r in REQUIRED if r not in have]
cases = os.path.join(TD, 'real', 'cases.tsv')
if missing or not os.path.exists(seo_dev) or not os.path.exists(cases):
    sys.exit(f'FAIL older sets missing: {missing or seo_dev}')
if not os.path.exists(TRAIN1):
    sys.exit('FAIL seo-train1 not found')
older.append(seo_dev)
older.append(TRAIN1)
older_w = set()
for f in older:
    for d in jsonl(f):
        for k in ('spam', 'body'):
            if d.get(k): older_w |= wins(d[k])
for l in open(cases, encoding='utf-8'):
    if not l.startswith('#') and l.strip():
        older_w |= wins(l.split('\t')[1] if '\t' in l else l)

def rec_wins(d):
    w = set()
    for k in ('spam', 'body'):
        if d.get(k):
            for part in d[k].split(' ||| '):
                w |= wins(part)
    return w

TRAIN1_SOURCES = Counter(source_key(d['url']) for d in jsonl(TRAIN1))

def check(recs):
    errs, drops = [], []
    per_source = Counter()
    W = []
    for i, d in enumerate(recs):
        kind = d.get('kind')
        want = {'url', 'kind', 'spam', 'body', 'script', 'note'} if kind == 'injected' \
            else {'url', 'kind', 'body', 'script', 'note'}
        if set(d) != want: errs.append((i, 'fields', sorted(d)))
        if d.get('script') not in ('simplified', 'traditional'): errs.append((i, 'script'))
        b = d.get('body', '')
        if kind == 'injected':
            if not d.get('spam', '').strip(): errs.append((i, 'empty spam'))
            if b and not 30 <= len(b) <= 400: errs.append((i, 'body len', len(b)))
        elif kind == 'hard_negative':
            if not 30 <= len(b) <= 400: errs.append((i, 'body len', len(b)))
        else:
            errs.append((i, 'kind', kind))
        if not d.get('note', '').strip(): errs.append((i, 'empty note'))
        k = source_key(d.get('url', ''))
        if k is None: errs.append((i, 'bad url')); W.append(set()); continue
        if k[0] == 'domain' and k[1] in NEUTRAL: errs.append((i, 'neutral host', k[1]))
        if k[0] == 'repo' and k[1] in held_repos: errs.append((i, 'repository of seo-fresh12', k[1]))
        if k[0] == 'domain' and k[1] in held_doms: errs.append((i, 'domain of seo-fresh12', k[1]))
        per_source[k] += 1
        w = rec_wins(d)
        W.append(w)
        if w & held_w: errs.append((i, 'window shared with seo-fresh12'))
        if w & older_w: drops.append(i)
    for k, n in per_source.items():
        if n + TRAIN1_SOURCES.get(k, 0) > MAX_PER_SOURCE:
            errs.append(('source', k, n, TRAIN1_SOURCES.get(k, 0), f'> {MAX_PER_SOURCE} records with seo-train1'))
    owner = {}
    for i, w in enumerate(W):
        for x in w:
            if x in owner and owner[x] != i:
                errs.append((owner[x], i, 'window shared between records', x[:8] + '…')); break
            owner.setdefault(x, i)
    return errs, drops, per_source

if __name__ == '__main__':
    recs = jsonl(SELF)
    errs, drops, per_source = check(recs)
    if drops and '--drop' in sys.argv:
        keep = [d for i, d in enumerate(recs) if i not in set(drops)]
        with open(SELF, 'w', encoding='utf-8') as f:
            for d in keep: f.write(json.dumps(d, ensure_ascii=False) + '\n')
        print(f'dropped {len(drops)} records sharing a 25-char window with seo-train1 or an older set')
        recs = keep
        errs, drops, per_source = check(recs)
    kinds = Counter(d['kind'] for d in recs)
    print(f'{len(recs)} records ({kinds["injected"]} injected, {kinds["hard_negative"]} hard negatives) '
          f'from {len(per_source)} sources; seo-fresh12: {len(held_w)} windows, {len(held_doms)} '
          f'domains, {len(held_repos)} repository-like names; older sets: {len(older_w)} windows '
          f'from {len(older)} files (incl. seo-train1) + cases.tsv')
    for i in drops: print('DROP (window shared with seo-train1 or an older set; rerun with --drop)', i, recs[i]['url'])
    for e in errs: print('FAIL', e)
    if errs or drops: sys.exit(1)
    print('OK: no overlap with seo-fresh12, no text shared with seo-train1/older sets/cases.tsv or within the file, at most 3 records per source across train1+train2, fields valid')
