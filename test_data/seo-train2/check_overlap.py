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
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'scripts'))
sys.dont_write_bytecode = True  # leave no scripts/__pycache__ behind
import seo_overlap as so
from collections import Counter

HERE = so.here(__file__)
TD = os.path.dirname(HERE)
SELF = os.path.join(HERE, 'seo_train2.jsonl')
TRAIN1 = os.path.join(TD, 'seo-train1', 'seo_train1.jsonl')
HELD_DIR = os.path.join(TD, 'seo-fresh12')
MAX_PER_SOURCE = 3

# the held-out set (seo-fresh12): read only to exclude its sources and texts
HELD = so.read_held(HELD_DIR)
# seo-train1 and the older sets: texts whose windows must not recur (records are dropped)
REQUIRED = ['seo-fresh'] + [f'seo-fresh{i}' for i in range(2, 12)]
older, cases = so.older_sets(TD, HELD_DIR, REQUIRED)
if not os.path.exists(TRAIN1):
    sys.exit('FAIL seo-train1 not found')
older.append(TRAIN1)
older_w = so.older_windows(older, cases)
# at most MAX_PER_SOURCE records per source across seo-train1 and seo-train2
TRAIN1_SOURCES = Counter(so.source_key(d['url']) for d in so.jsonl(TRAIN1))

def check(recs): return so.check_training(recs, HELD, older_w, MAX_PER_SOURCE, TRAIN1_SOURCES, 'seo-train1')
def describe(recs, per_source):
    return so.training_summary(recs, per_source, HELD, older_w, older, ' (incl. seo-train1)')

if __name__ == '__main__':
    so.run_training(SELF, check, describe, 'seo-train1 or an older set',
                    'OK: no overlap with seo-fresh12, no text shared with seo-train1/older sets/cases.tsv '
                    'or within the file, at most 3 records per source across train1+train2, fields valid')
