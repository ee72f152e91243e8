"""Cost of an option from back-to-back runs on a shared, noisy machine.

Each run of the command with the option is paired with a run without it made right next
to it, the order alternating from pair to pair (so warm caches or a CPU that slows under
sustained load favour neither side); a pair sees the same machine state, so the ratio of a
pair is a fair sample of the option's cost even while the machine's speed drifts (on the
2-core build VMs it moves by ±30% within a minute). The cost reported is the median of the pairs' ratios; the spread of
the ratios and the older "fastest of each" estimate (which one lucky run can swing by ten
points) are printed alongside.
"""

from __future__ import annotations

import resource
import statistics


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children: the
    difference around one `subprocess.run` is that run's CPU time. Less moved by the
    neighbours' load than wall time, so it is printed next to it as a second reading."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def paired_cost(without: list[float], with_: list[float]) -> dict[str, float]:
    """`without[i]` and `with_[i]` ran back to back. Costs are fractions (0.2 = +20%)."""
    if not without or len(without) != len(with_):
        raise ValueError("need one run with the option for each run without it")
    if min(without) <= 0:
        raise ValueError("a run without the option took no measurable time")
    ratios = sorted(w / b - 1 for b, w in zip(without, with_))
    return {
        "median": statistics.median(ratios),
        "low": ratios[0],
        "high": ratios[-1],
        "fastest": min(with_) / min(without) - 1,
    }


def describe(cost: dict[str, float], runs: int) -> str:
    return (f"{cost['median']:+.1%} (median of {runs} back-to-back pairs, the order "
            f"alternating; pairs range "
            f"{cost['low']:+.1%} … {cost['high']:+.1%}; fastest of each: {cost['fastest']:+.1%})")
