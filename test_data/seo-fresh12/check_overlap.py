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
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'scripts'))
sys.dont_write_bytecode = True  # leave no scripts/__pycache__ behind
import seo_overlap as so

HERE = so.here(__file__)
# Extension (seo-fresh12): the READMEs of seo-fresh, seo-fresh2 and seo-fresh3 have no section
# marked SPOILER, so every earlier README is now read whole (over-inclusive), including
# seo-fresh11's, and each required set's README must exist and be read.
EARLIER = so.fresh_earlier(HERE, readmes='whole')
# Extension (seo-fresh12): seo-fresh11 is required as well, and every required README with a
# SPOILER section must have been read.
REQUIRED = ['seo-fresh', 'seo-fresh10', 'seo-fresh11'] + [f'seo-fresh{i}' for i in range(2, 10)]
_have = so.set_names(EARLIER.files)
_missing = [r for r in REQUIRED if r not in _have] + \
           [r + '/README.md' for r in REQUIRED if r not in EARLIER.readmes_read]
if _missing or not os.path.exists(EARLIER.seo_dev):
    sys.exit(f'FAIL earlier sets missing: {_missing or EARLIER.seo_dev}')

if __name__ == '__main__':
    so.fresh_main(os.path.join(HERE, 'seo_fresh12.jsonl'), EARLIER,
                  injected_len=(140, 300), negative_len=(140, 301), readme_note=True)
