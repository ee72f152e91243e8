#!/usr/bin/env python3
"""Independence check for seo_fresh7.jsonl (run from anywhere).

Checks: field set and lengths; one record per GitHub repository; no repository
that occurs in seo-fresh6 (or any earlier set / seo-dev); no 25-character window
(whitespace removed, any offset) shared between two records, or with any earlier
set (test_data/seo-fresh*/, shared/data/seo-dev/seo_dev.jsonl) or
test_data/real/cases.tsv."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'scripts'))
sys.dont_write_bytecode = True  # leave no scripts/__pycache__ behind
import seo_overlap as so

HERE = so.here(__file__)
TD = os.path.dirname(HERE)
# seo-fresh7 is GitHub-only: one record per repository, none of an earlier set's; its own
# (older) reading of a GitHub URL: no www., anything up to the next '/' is the name.
GITHUB_RE_FRESH7 = r'https?://github\.com/([^/]+/[^/]+)'
def repo(u): return so.github_repo(u, GITHUB_RE_FRESH7)
prior_files = so.fresh_set_files(TD, HERE) + [so.seo_dev_path(TD)]
prior_w, prior_repos, _ = so.read_earlier(prior_files, os.path.join(TD, 'real', 'cases.tsv'),
                                          key=repo, domains_in_text=False)
recs = so.jsonl(os.path.join(HERE, 'seo_fresh7.jsonl'))
errs, seen = [], {}
for i, d in enumerate(recs):
    errs += so.field_errors(i, d, (140, 220), (140, 360))
    r = repo(d['url'])
    if r is None: errs.append((i, 'not a github url'))
    if r in prior_repos: errs.append((i, 'repo in earlier set', r))
    if r in seen: errs.append((i, 'repo repeated', r, seen[r]))
    seen[r] = i
errs += so.window_errors(recs, prior_w)
so.report(f'{len(recs)} records, {len(prior_w)} prior windows, {len(prior_repos)} prior repos '
          f'from {len(prior_files)} files + cases.tsv',
          errs, 'OK: no overlap, no repeated or earlier repository, lengths and fields valid')
