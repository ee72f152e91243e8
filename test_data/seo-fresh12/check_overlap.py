#!/usr/bin/env python3
"""Independence check for seo_fresh12.jsonl (run from anywhere).

Checks: field set and lengths; one record per GitHub repository / per registered
domain (public-suffix rule; for web.archive.org copies the archived page's
domain); no repository or registered domain that occurs in any earlier set
(test_data/seo-fresh*/…jsonl including seo-fresh10 and seo-fresh11,
shared/data/seo-dev/seo_dev.jsonl: record URLs and any domain-like string in their
text, over-inclusive; plus every domain and owner/name string in the earlier
READMEs, now read whole); no 25-character window (whitespace removed, any offset)
shared between two records, or with any earlier set or test_data/real/cases.tsv.
Fails unless seo-dev, seo-fresh, seo-fresh2 … seo-fresh11 and their READMEs were
all found and read."""
import glob, json, os, re, sys
HERE = os.path.dirname(os.path.abspath(__file__))
TD = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(TD))
SELF = os.path.join(HERE, 'seo_fresh12.jsonl')
prior_files = [f for f in sorted(glob.glob(os.path.join(TD, 'seo-fresh*', '*.jsonl')))
               if os.path.abspath(os.path.dirname(f)) != HERE]
seo_dev = os.path.join(ROOT, 'shared', 'data', 'seo-dev', 'seo_dev.jsonl')
if not os.path.exists(seo_dev):
    seo_dev = '/work/shared/data/seo-dev/seo_dev.jsonl'
prior_files.append(seo_dev)
N = 25

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
    # longest matching public suffix
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
    s = norm(s); return {s[i:i+N] for i in range(max(0, len(s)-N+1))}
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
NEUTRAL = {'github.com', 'web.archive.org', 'archive.org'}

prior_w, prior_keys, prior_text_doms = set(), set(), set()
for f in prior_files:
    for l in open(f, encoding='utf-8'):
        if not l.strip(): continue
        d = json.loads(l)
        for k in ('spam', 'body'):
            if d.get(k): prior_w |= wins(d[k])
        k = source_key(d['url'])
        if k: prior_keys.add(k)
        for k2 in ('spam', 'body', 'note'):
            prior_text_doms |= text_domains(d.get(k2, ''))
for l in open(os.path.join(TD, 'real', 'cases.tsv'), encoding='utf-8'):
    if not l.startswith('#'):
        prior_w |= wins(l)
        prior_text_doms |= text_domains(l)
prior_text_doms -= NEUTRAL
prior_doms = {v for t, v in prior_keys if t == 'domain'} | prior_text_doms
prior_repos = {v for t, v in prior_keys if t == 'repo'}
# Extension (seo-fresh11): also exclude every domain and repository named in the earlier
# sets' READMEs (their SPOILER 'Sources' and 'Skipped candidates' sections list skipped
# network members too); over-inclusive, which only removes candidates.
REPO_RE = re.compile(r'(?<![A-Za-z0-9_./-])([A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})')
# Extension (seo-fresh12): the READMEs of seo-fresh, seo-fresh2 and seo-fresh3 have no section
# marked SPOILER, so every earlier README is now read whole (over-inclusive), including
# seo-fresh11's, and each required set's README must exist and be read.
readme_doms, readme_repos, readmes_read = set(), set(), set()
for f in sorted(glob.glob(os.path.join(TD, 'seo-fresh*', 'README.md'))):
    if os.path.abspath(os.path.dirname(f)) == HERE: continue
    t = open(f, encoding='utf-8').read()
    readmes_read.add(os.path.basename(os.path.dirname(f)))
    readme_doms |= text_domains(t)
    readme_repos |= {r.lower().rstrip('.,;:)') for r in REPO_RE.findall(t)}
readme_doms -= NEUTRAL
prior_doms |= readme_doms
prior_repos |= readme_repos
# Extension (seo-fresh12): seo-fresh11 is required as well, and every required README with a
# SPOILER section must have been read.
REQUIRED = ['seo-fresh', 'seo-fresh10', 'seo-fresh11'] + [f'seo-fresh{i}' for i in range(2, 10)]
_have = {os.path.basename(os.path.dirname(f)) for f in prior_files}
_missing = [r for r in REQUIRED if r not in _have] + \
           [r + '/README.md' for r in REQUIRED if r not in readmes_read]
if _missing or not os.path.exists(seo_dev):
    sys.exit(f'FAIL earlier sets missing: {_missing or seo_dev}')

def check(recs):
    errs, seen = [], {}
    for i, d in enumerate(recs):
        keys = set(d)
        want = {'url', 'kind', 'spam', 'body', 'script', 'note'} if d.get('kind') == 'injected' else {'url', 'kind', 'body', 'script', 'note'}
        if keys != want: errs.append((i, 'fields', sorted(keys)))
        if d.get('script') not in ('simplified', 'traditional'): errs.append((i, 'script'))
        b = d.get('body', '')
        if d.get('kind') == 'injected':
            if b and not 140 <= len(b) <= 300: errs.append((i, 'body len', len(b)))
            if not d.get('spam'): errs.append((i, 'empty spam'))
        elif d.get('kind') == 'hard_negative':
            if not 140 <= len(b) <= 301: errs.append((i, 'body len', len(b)))
        else: errs.append((i, 'kind'))
        k = source_key(d['url'])
        if k is None: errs.append((i, 'bad url')); continue
        if k[0] == 'domain' and k[1] in NEUTRAL: errs.append((i, 'neutral host', k[1]))
        if k[0] == 'repo' and k[1] in prior_repos: errs.append((i, 'repo in earlier set', k[1]))
        if k[0] == 'domain' and k[1] in prior_doms: errs.append((i, 'domain in earlier set', k[1]))
        if k in seen: errs.append((i, 'source repeated', k, seen[k]))
        seen[k] = i
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
    return errs

if __name__ == '__main__':
    recs = [json.loads(l) for l in open(SELF, encoding='utf-8') if l.strip()]
    errs = check(recs)
    print(f'{len(recs)} records, {len(prior_w)} prior windows, {len(prior_repos)} prior repos, '
          f'{len(prior_doms)} prior registered domains from {len(prior_files)} files + cases.tsv '
          f'(+ earlier READMEs: {len(readme_doms)} domains, {len(readme_repos)} repository-like names)')
    if errs:
        for e in errs: print('FAIL', e)
        sys.exit(1)
    print('OK: no overlap, no repeated or earlier repository/domain, lengths and fields valid')
