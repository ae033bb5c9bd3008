"""What the benchmarks measure with: the process's resident memory and percentiles of timings."""


def rss_mb() -> float:
    """This process's resident memory (VmRSS) in MB; NaN where /proc is not there."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    """The value `share` of the way up the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def p95(values: list[float]) -> float:
    return percentile(values, 0.95)
