"""Shared machinery of the seo-* sets' independence checkers (standard library only).

Each labelled set under test_data/ (seo-fresh7 … seo-fresh12, seo-train1, seo-train2) has a
short `check_overlap.py` that imports this module and keeps only its own rules: which earlier
sets it reads, its length limits, what it requires to be present, how it reports. What they
share lives here:

- `jsonl`, `write_jsonl`: a set's records;
- `regdom`: registered domain of a host (public-suffix rule, system list `PSL` when present);
  `source_key`: ('repo', owner/name) for a GitHub URL, else ('domain', registered domain), the
  archived page's for web.archive.org copies; `github_repo`: owner/name of a GitHub URL;
- `text_domains`, `text_repos`: domain-like and owner/name-like strings in free text
  (over-inclusive);
- `windows`, `record_windows`: 25-character windows, whitespace removed, any offset;
- `fresh_set_files`, `seo_dev_path`, `cases_texts`, `readme_names`, `set_names`: the earlier
  sets, seo-dev, test_data/real/cases.tsv and the earlier sets' READMEs;
- `read_earlier` / `fresh_earlier`: windows, repositories and domains of earlier sets;
  `read_held`, `older_sets`, `older_windows`: the same for a training set (the held-out set's
  sources and texts, the older sets' texts);
- `field_errors`, `window_errors`, `shared_between_records`, `check_fresh`, `check_training`:
  the checks;
- `report`, `fresh_main`, `training_summary`, `run_training`: printing the result and the exit
  status.

Errors are tuples printed as `FAIL <tuple>`; a checker exits 1 when there is any.
"""
import glob, json, os, re, sys
from collections import Counter
from types import SimpleNamespace

N = 25
PSL = '/usr/share/publicsuffix/public_suffix_list.dat'
NEUTRAL = frozenset({'github.com', 'web.archive.org', 'archive.org'})
NEUTRAL_TRAINING = NEUTRAL | {'githubusercontent.com'}
FIELDS_INJECTED = {'url', 'kind', 'spam', 'body', 'script', 'note'}
FIELDS_NEGATIVE = {'url', 'kind', 'body', 'script', 'note'}
SCRIPTS = ('simplified', 'traditional')


# --- records --------------------------------------------------------------------------------
def jsonl(path):
    """The records of a jsonl file (blank lines skipped)."""
    with open(path, encoding='utf-8') as f:
        return [json.loads(l) for l in f if l.strip()]


def write_jsonl(path, recs):
    with open(path, 'w', encoding='utf-8') as f:
        for d in recs: f.write(json.dumps(d, ensure_ascii=False) + '\n')


# --- public-suffix rule ---------------------------------------------------------------------
def load_psl(path=PSL):
    """(rules, wildcard rules without '*.', exceptions without '!'); empty when absent."""
    rules, wild, exc = set(), set(), set()
    if os.path.exists(path):
        for l in open(path, encoding='utf-8'):
            l = l.strip()
            if not l or l.startswith('//'): continue
            l = l.split()[0].lower()
            if l.startswith('!'): exc.add(l[1:])
            elif l.startswith('*.'): wild.add(l[2:])
            else: rules.add(l)
    return rules, wild, exc


_rules, _wild, _exc = load_psl()


def regdom(host):
    """Registered domain of a host (port and a leading www. dropped)."""
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


# --- sources of a URL -----------------------------------------------------------------------
GITHUB_RE = re.compile(r'https?://(?:www\.)?github\.com/([^/]+/[^/#?]+)')


def github_repo(u, pattern=GITHUB_RE):
    """owner/name (lower case) of a GitHub URL, None for any other URL."""
    m = re.match(pattern, u)
    return m.group(1).lower() if m else None


def source_key(u):
    """('repo', owner/name) for github.com, else ('domain', registered domain)."""
    m = re.match(r'https?://web\.archive\.org/web/[^/]+/(.*)$', u)
    if m:
        u = m.group(1)
        if not re.match(r'https?://', u): u = 'http://' + u
    r = github_repo(u)
    if r: return ('repo', r)
    m = re.match(r'https?://([^/?#]+)', u)
    return ('domain', regdom(m.group(1))) if m else None


# --- names in free text (over-inclusive) ----------------------------------------------------
DOM_RE = re.compile(r'(?<![A-Za-z0-9-])((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?![A-Za-z0-9-])')
TLD_OK = {l.split('.')[-1] for l in _rules} if _rules else None
REPO_RE = re.compile(r'(?<![A-Za-z0-9_./-])([A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})')


def text_domains(s):
    """Registered domains of the domain-like strings in s (known top-level domains only)."""
    out = set()
    for h in DOM_RE.findall(s or ''):
        if TLD_OK is not None and h.lower().split('.')[-1] not in TLD_OK: continue
        out.add(regdom(h))
    return out


def text_repos(s):
    """owner/name-like strings in s, lower case, trailing punctuation dropped."""
    return {r.lower().rstrip('.,;:)') for r in REPO_RE.findall(s)}


# --- 25-character windows -------------------------------------------------------------------
def norm(s): return re.sub(r'\s+', '', s)


def windows(s, keep_short=False, n=N):
    """Every n-character window of s with whitespace removed; with keep_short a shorter
    non-empty text is its own window."""
    s = norm(s)
    if keep_short and 0 < len(s) < n: return {s}
    return {s[i:i+n] for i in range(max(0, len(s) - n + 1))}


def record_windows(d, keep_short=False, split=None):
    """Windows of a record's spam and body (each part separately when split is given)."""
    w = set()
    for k in ('spam', 'body'):
        if d.get(k):
            for part in (d[k].split(split) if split else [d[k]]):
                w |= windows(part, keep_short)
    return w


# --- where the earlier sets are -------------------------------------------------------------
def here(file):
    """The directory of a checker (its set's directory)."""
    return os.path.dirname(os.path.abspath(file))


def fresh_set_files(td, exclude):
    """test_data/seo-fresh*/*.jsonl, sorted, except those in the directory exclude."""
    return [f for f in sorted(glob.glob(os.path.join(td, 'seo-fresh*', '*.jsonl')))
            if os.path.abspath(os.path.dirname(f)) != os.path.abspath(exclude)]


def set_names(files):
    """Names of the set directories the files are in."""
    return {os.path.basename(os.path.dirname(f)) for f in files}


def seo_dev_path(td, in_repo=False):
    """shared/data/seo-dev/seo_dev.jsonl beside the checkout (and, with in_repo, inside it),
    else /work/shared/… (returned even when it does not exist)."""
    repo = os.path.dirname(td)
    rel = os.path.join('shared', 'data', 'seo-dev', 'seo_dev.jsonl')
    cands = [os.path.join(os.path.dirname(repo), rel)]
    if in_repo: cands.append(os.path.join(repo, rel))
    for c in cands:
        if os.path.exists(c): return c
    return os.path.join('/work', rel)


def cases_texts(path, column=None):
    """The non-comment, non-blank lines of test_data/real/cases.tsv, whole or (column) one
    tab-separated field of those that have tabs."""
    out = []
    for l in open(path, encoding='utf-8'):
        if l.startswith('#') or not l.strip(): continue
        out.append(l if column is None else (l.split('\t')[column] if '\t' in l else l))
    return out


def readme_names(td, exclude, spoiler_only):
    """Domains and owner/name strings in test_data/seo-fresh*/README.md other than exclude's:
    from the '(SPOILER' marker on (READMEs without one skipped) or the whole text. Returns
    (domains less NEUTRAL, repository-like names, names of the sets whose README was read)."""
    doms, repos, read = set(), set(), set()
    for f in sorted(glob.glob(os.path.join(td, 'seo-fresh*', 'README.md'))):
        if os.path.abspath(os.path.dirname(f)) == os.path.abspath(exclude): continue
        t = open(f, encoding='utf-8').read()
        if spoiler_only:
            i = t.find('(SPOILER')
            if i < 0: continue
            t = t[i:]
        read.add(os.path.basename(os.path.dirname(f)))
        doms |= text_domains(t)
        repos |= text_repos(t)
    return doms - NEUTRAL, repos, read


# --- what earlier sets hold -----------------------------------------------------------------
def read_earlier(files, cases, key=source_key, domains_in_text=True):
    """(windows, source keys of record URLs, registered domains in record and cases.tsv text)
    of the records in files and the lines of cases.tsv."""
    w, keys, doms = set(), set(), set()
    for f in files:
        for d in jsonl(f):
            w |= record_windows(d)
            k = key(d['url'])
            if k: keys.add(k)
            if domains_in_text:
                for k2 in ('spam', 'body', 'note'):
                    doms |= text_domains(d.get(k2, ''))
    for l in cases_texts(cases):
        w |= windows(l)
        if domains_in_text: doms |= text_domains(l)
    return w, keys, doms


def fresh_earlier(here_dir, readmes=None):
    """Everything an evaluation set (seo-fresh8 on) must not share: every other
    test_data/seo-fresh*/ set, seo-dev and cases.tsv (record URLs, domain-like strings in their
    text, windows) and, with readmes='spoiler' or 'whole', the names in the other sets' READMEs."""
    td = os.path.dirname(here_dir)
    files = fresh_set_files(td, here_dir)
    seo_dev = seo_dev_path(td)
    files.append(seo_dev)
    w, keys, text_doms = read_earlier(files, os.path.join(td, 'real', 'cases.tsv'))
    text_doms -= NEUTRAL
    e = SimpleNamespace(files=files, seo_dev=seo_dev, w=w,
                        doms={v for t, v in keys if t == 'domain'} | text_doms,
                        repos={v for t, v in keys if t == 'repo'},
                        readme_doms=set(), readme_repos=set(), readmes_read=set())
    if readmes:
        e.readme_doms, e.readme_repos, e.readmes_read = readme_names(td, here_dir, readmes == 'spoiler')
        e.doms |= e.readme_doms
        e.repos |= e.readme_repos
    return e


def read_held(held_dir):
    """(windows, domains, repository-like names) of the held-out set in held_dir: its record
    URLs, every domain-like and owner/name-like string in its records and its README (less
    NEUTRAL and file names). Exits when its jsonl or README is missing."""
    name = os.path.basename(held_dir)
    files = sorted(glob.glob(os.path.join(held_dir, '*.jsonl')))
    readme = os.path.join(held_dir, 'README.md')
    if not files or not os.path.exists(readme):
        sys.exit(f'FAIL {name} jsonl or README not found')
    w, doms, repos = set(), set(), set()
    for f in files:
        for d in jsonl(f):
            w |= record_windows(d, keep_short=True)
            k = source_key(d['url'])
            if k: (repos if k[0] == 'repo' else doms).add(k[1])
            for k2 in ('spam', 'body', 'note', 'url'):
                doms |= text_domains(d.get(k2, ''))
                repos |= text_repos(d.get(k2, ''))
    t = open(readme, encoding='utf-8').read()
    doms |= text_domains(t)
    repos |= text_repos(t)
    doms -= NEUTRAL
    repos = {r for r in repos if not r.endswith(('.md', '.py', '.jsonl', '.tsv'))}
    return w, doms, repos


def older_sets(td, held_dir, required):
    """(files, cases.tsv) of the older sets a training set is compared with: every
    test_data/seo-fresh*/ set but the held-out one, then seo-dev. Exits unless every required
    set, seo-dev and cases.tsv are there."""
    files = fresh_set_files(td, held_dir)
    seo_dev = seo_dev_path(td, in_repo=True)
    have = set_names(files)
    missing = [r for r in required if r not in have]
    cases = os.path.join(td, 'real', 'cases.tsv')
    if missing or not os.path.exists(seo_dev) or not os.path.exists(cases):
        sys.exit(f'FAIL older sets missing: {missing or seo_dev}')
    files.append(seo_dev)
    return files, cases


def older_windows(files, cases):
    """Windows (short texts kept) of the records in files and of cases.tsv's text column."""
    w = set()
    for f in files:
        for d in jsonl(f):
            w |= record_windows(d, keep_short=True)
    for l in cases_texts(cases, column=1):
        w |= windows(l, keep_short=True)
    return w


# --- checks ---------------------------------------------------------------------------------
def field_errors(i, d, injected_len, negative_len, training=False):
    """Field set, script, kind, non-empty spam and body length (inclusive limits; an injected
    record's body may be empty) of record i. training: the training sets' variant (spam must
    have non-blank text and is checked before the body, the kind is reported, the note must
    not be blank)."""
    errs = []
    kind = d.get('kind')
    want = FIELDS_INJECTED if kind == 'injected' else FIELDS_NEGATIVE
    if set(d) != want: errs.append((i, 'fields', sorted(d)))
    if d.get('script') not in SCRIPTS: errs.append((i, 'script'))
    b = d.get('body', '')
    if kind == 'injected':
        lo, hi = injected_len
        if training and not d.get('spam', '').strip(): errs.append((i, 'empty spam'))
        if b and not lo <= len(b) <= hi: errs.append((i, 'body len', len(b)))
        if not training and not d.get('spam'): errs.append((i, 'empty spam'))
    elif kind == 'hard_negative':
        lo, hi = negative_len
        if not lo <= len(b) <= hi: errs.append((i, 'body len', len(b)))
    else:
        errs.append((i, 'kind', kind) if training else (i, 'kind'))
    if training and not d.get('note', '').strip(): errs.append((i, 'empty note'))
    return errs


def window_errors(recs, prior_w):
    """Records sharing a window with an earlier set, then every pair of records sharing one."""
    errs, W = [], [record_windows(d) for d in recs]
    for i, w in enumerate(W):
        if w & prior_w: errs.append((i, 'window shared with earlier set', sorted(w & prior_w)[0][:6] + '…'))
    for i in range(len(recs)):
        for j in range(i+1, len(recs)):
            if W[i] & W[j]: errs.append((i, j, 'window shared between records'))
    return errs


def shared_between_records(W):
    """For each record that shares a window with an earlier record of the file, one error."""
    errs, owner = [], {}
    for i, w in enumerate(W):
        for x in w:
            if x in owner and owner[x] != i:
                errs.append((owner[x], i, 'window shared between records', x[:8] + '…')); break
            owner.setdefault(x, i)
    return errs


def check_fresh(recs, earlier, injected_len, negative_len):
    """An evaluation set: fields and lengths; one record per source (repository / registered
    domain), none neutral and none of an earlier set; no window shared with an earlier set or
    between records."""
    errs, seen = [], {}
    for i, d in enumerate(recs):
        errs += field_errors(i, d, injected_len, negative_len)
        k = source_key(d['url'])
        if k is None: errs.append((i, 'bad url')); continue
        if k[0] == 'domain' and k[1] in NEUTRAL: errs.append((i, 'neutral host', k[1]))
        if k[0] == 'repo' and k[1] in earlier.repos: errs.append((i, 'repo in earlier set', k[1]))
        if k[0] == 'domain' and k[1] in earlier.doms: errs.append((i, 'domain in earlier set', k[1]))
        if k in seen: errs.append((i, 'source repeated', k, seen[k]))
        seen[k] = i
    return errs + window_errors(recs, earlier.w)


def check_training(recs, held, older_w, max_per_source, earlier_sources=None, earlier_name=None,
                   held_name='seo-fresh12', lengths=(30, 400)):
    """A training set: fields and lengths (training variant); source not neutral and not the
    held-out set's; no window shared with the held-out set; at most max_per_source records per
    source (counting earlier_sources, a Counter of an earlier training set's, when given); no
    window shared between records. Returns (errs, indices of the records sharing a window with
    an older set, records per source)."""
    held_w, held_doms, held_repos = held
    errs, drops, per_source, W = [], [], Counter(), []
    for i, d in enumerate(recs):
        errs += field_errors(i, d, lengths, lengths, training=True)
        k = source_key(d.get('url', ''))
        if k is None: errs.append((i, 'bad url')); W.append(set()); continue
        if k[0] == 'domain' and k[1] in NEUTRAL_TRAINING: errs.append((i, 'neutral host', k[1]))
        if k[0] == 'repo' and k[1] in held_repos: errs.append((i, f'repository of {held_name}', k[1]))
        if k[0] == 'domain' and k[1] in held_doms: errs.append((i, f'domain of {held_name}', k[1]))
        per_source[k] += 1
        w = record_windows(d, keep_short=True, split=' ||| ')
        W.append(w)
        if w & held_w: errs.append((i, f'window shared with {held_name}'))
        if w & older_w: drops.append(i)
    for k, n in per_source.items():
        if earlier_sources is None:
            if n > max_per_source: errs.append(('source', k, n, f'> {max_per_source} records'))
        elif n + earlier_sources.get(k, 0) > max_per_source:
            errs.append(('source', k, n, earlier_sources.get(k, 0),
                         f'> {max_per_source} records with {earlier_name}'))
    return errs + shared_between_records(W), drops, per_source


def training_summary(recs, per_source, held, older_w, older_files, files_note='', held_name='seo-fresh12'):
    """A training set's summary line: records by kind, sources, what was read."""
    held_w, held_doms, held_repos = held
    kinds = Counter(d['kind'] for d in recs)
    return (f'{len(recs)} records ({kinds["injected"]} injected, {kinds["hard_negative"]} hard negatives) '
            f'from {len(per_source)} sources; {held_name}: {len(held_w)} windows, {len(held_doms)} '
            f'domains, {len(held_repos)} repository-like names; older sets: {len(older_w)} windows '
            f'from {len(older_files)} files{files_note} + cases.tsv')


# --- reporting ------------------------------------------------------------------------------
def report(summary, errs, ok):
    """Print the summary line and every error; exit 1 if there is any, else print ok."""
    print(summary)
    if errs:
        for e in errs: print('FAIL', e)
        sys.exit(1)
    print(ok)


def fresh_main(path, earlier, injected_len, negative_len, readme_note=False):
    """Check an evaluation set's jsonl against what fresh_earlier found, and report."""
    recs = jsonl(path)
    errs = check_fresh(recs, earlier, injected_len, negative_len)
    summary = (f'{len(recs)} records, {len(earlier.w)} prior windows, {len(earlier.repos)} prior repos, '
               f'{len(earlier.doms)} prior registered domains from {len(earlier.files)} files + cases.tsv')
    if readme_note:
        summary += (f' (+ earlier READMEs: {len(earlier.readme_doms)} domains, '
                    f'{len(earlier.readme_repos)} repository-like names)')
    report(summary, errs, 'OK: no overlap, no repeated or earlier repository/domain, lengths and fields valid')


def run_training(path, check, describe, older_what, ok):
    """A training set's main: check(recs) -> (errs, drops, per_source); with --drop, rewrite
    path without the dropped records and check again; print describe(recs, per_source), the
    records to drop and the errors; exit 1 if there is any, else print ok."""
    recs = jsonl(path)
    errs, drops, per_source = check(recs)
    if drops and '--drop' in sys.argv:
        keep = [d for i, d in enumerate(recs) if i not in set(drops)]
        write_jsonl(path, keep)
        print(f'dropped {len(drops)} records sharing a 25-char window with {older_what}')
        recs = keep
        errs, drops, per_source = check(recs)
    print(describe(recs, per_source))
    for i in drops: print(f'DROP (window shared with {older_what}; rerun with --drop)', i, recs[i]['url'])
    for e in errs: print('FAIL', e)
    if errs or drops: sys.exit(1)
    print(ok)
