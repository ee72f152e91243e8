#!/usr/bin/env python3
"""Independence check for seo_fresh9.jsonl (run from anywhere).

Checks: field set and lengths; one record per GitHub repository / per registered
domain (public-suffix rule; for web.archive.org copies the archived page's
domain); no repository or registered domain that occurs in any earlier set
(test_data/seo-fresh*/…jsonl including seo-fresh8, shared/data/seo-dev/seo_dev.jsonl:
record URLs and any domain-like string in their text, over-inclusive); no
25-character window (whitespace removed, any offset) shared between two records,
or with any earlier set or test_data/real/cases.tsv."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'scripts'))
sys.dont_write_bytecode = True  # leave no scripts/__pycache__ behind
import seo_overlap as so

HERE = so.here(__file__)
EARLIER = so.fresh_earlier(HERE)

if __name__ == '__main__':
    so.fresh_main(os.path.join(HERE, 'seo_fresh9.jsonl'), EARLIER,
                  injected_len=(140, 300), negative_len=(140, 301))
