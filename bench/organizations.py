"""Organizations benchmark: one organization's list among ten, and search across all ten.

Issue 18's line: with 10 organizations of 5,000 agents each, the warm list of one organization
is within 10% of the single-organization figure, and search across all of them within 2 times
one organization's search.

Each organization's fleet is shaped like a real one (`dashboard.demo.fleet.realistic_agent`),
with its own seed and its own run of indexes, so ids, names, numbers and what a search finds
differ between organizations; each is served by its own fake OpenCX on loopback, with its own
token. `make run` settings (DEBUG on), every request through Django's test client, signed in
as a superuser, caches warm:

* the single-organization figure, in a process of its own: `OPENCX_API_TOKEN` and one of those
  fleets (the one measured below), `/agents/?per_page=100`, a common search, a rare one and a new
  search each time (a term not searched before, so no search the index kept helps);
* in another process, `OPENCX_ORGS` naming ten organizations: that organization's list and the
  same searches at `/o/<slug>/agents/`, and the searches (and the list) across all ten at the
  root `/agents/`, plus the process's resident memory after serving them.

Both processes run at once, taking turns: each times its pages `--batch` times in turn, then
waits while the other does, so a slow spell of a shared machine falls on both alike; `--rounds`
pairs of processes run one after the other. The figures are medians over every request timed.
The targets are checked on the list and on every search, a new one included: the script exits
with status 1 when one is missed. `--profile DIR` also writes a
cProfile of each page's requests, made in the same processes after the timed ones.

Run with `make bench` (or `.venv/bin/python bench/organizations.py --help`).
"""

import argparse
import cProfile
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from measure import p95, rss_mb  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
PER_PAGE = 100
# "billing" is one team of seventeen (names, first messages, webhook URLs): about 6% of agents.
COMMON_TERM = "billing"
# One action id of 4,000, each agent naming up to four: a handful of agents per organization.
RARE_TERM = "act_01234"
SEED = 20261125  # realistic_fleet's own, for the first organization
WARM = 4  # untimed requests of each page before the timed ones
MARKER = "bench: "  # starts the lines a measuring process says to this one
TARGET_LIST = 1.10  # one organization's list among ten / alone
TARGET_SEARCH = 2.0  # search across all / one organization's


def new_term(run: int, across: bool) -> str:
    """An action id not searched before in this process (one of the 4,000 the fleets draw from):
    one organization's from act_02000, across all from act_03000, so neither finds the other's kept."""
    return f"act_{(3000 if across else 2000) + WARM + run:05d}"


def fleet(number: int, size: int) -> list[dict[str, Any]]:
    """The `number`-th organization's agents: its own seed and indexes (ids, names, numbers differ)."""
    sys.path.insert(0, str(ROOT))
    from dashboard.demo.fleet import realistic_agent

    rng = random.Random(SEED + number)
    return [realistic_agent(number * size + index, rng) for index in range(size)]


def slug(number: int) -> str:
    return f"client-{number + 1:02d}"


def environment(data_dir: str) -> dict[str, str]:
    found = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATA_DIR": data_dir,
        "DEBUG": "1",  # as `make run` serves it
        "ALLOWED_HOSTS": "testserver,localhost",
        "OPENCX_CACHE_TTL": "86400",
        "OPENCX_TIMEOUT": "120",
        "OPENCX_CALLS_PER_MINUTE": "1000",
        # The change history records in a thread of its own after each read; it has its own
        # benchmark (history_record.py) and would only add noise to these timings.
        "HISTORY_RETENTION_DAYS": "0",
    }
    for name in ("OPENCX_API_TOKEN", "OPENCX_ORGS", "OPENCX_API_URL", "DEMO_MODE"):
        found.pop(name, None)
    return found


def serve(orgs: int, size: int, measured: int, profile: str | None = None) -> None:
    """One process: `orgs` organizations (1: the OPENCX_API_TOKEN shorthand with the `measured`
    organization's fleet), warmed. It says what it read, then, told `run <n>` on its standard
    input, times each page `n` times in turn with the others and says the timings, until told
    `stop`; with `profile` (a directory), each page is then requested as often again under cProfile."""
    sys.path.insert(0, str(ROOT))
    from dashboard.demo.fleet import realistic_voices
    from dashboard.demo.server import FakeOpenCX

    data_dir = tempfile.mkdtemp(prefix="switchboard-bench-orgs-")
    env = environment(data_dir)
    numbers = [measured] if orgs == 1 else list(range(orgs))
    upstreams = {
        number: FakeOpenCX(fleet(number, size), token=f"ocx_live_bench_{number}", voices=realistic_voices()).start()
        for number in numbers
    }
    if orgs == 1:
        env["OPENCX_API_URL"] = upstreams[measured].url
        env["OPENCX_API_TOKEN"] = upstreams[measured].token
    else:
        env["OPENCX_ORGS"] = json.dumps(
            [
                {"slug": slug(number), "name": f"Client {number + 1:02d}", "token": upstream.token, "url": upstream.url}
                for number, upstream in upstreams.items()
            ]
        )
    os.environ.clear()
    os.environ.update(env)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from dashboard.orgs.registry import organizations
    from dashboard.snapshots import service

    call_command("migrate", run_syncdb=True, verbosity=0)
    for org in organizations():
        service.get_snapshot(org)  # the first read of each, as a cold start makes it
    service.wait_for_refresh(120)
    figures: dict[str, Any] = {"orgs": orgs, "agents": size, "rss_read_mb": rss_mb()}

    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
    client = Client()
    client.force_login(user)
    own = "/agents/" if orgs == 1 else f"/o/{slug(measured)}/agents/"
    # label -> the URL of its `run`-th request; a new search asks for a term not searched before.
    urls: dict[str, Callable[[int], str]] = {
        "list": lambda run: f"{own}?per_page={PER_PAGE}",
        "search": lambda run: f"{own}?q={COMMON_TERM}&per_page={PER_PAGE}",
        "rare search": lambda run: f"{own}?q={RARE_TERM}&per_page={PER_PAGE}",
        "new search": lambda run: f"{own}?q={new_term(run, across=False)}&per_page={PER_PAGE}",
    }
    if orgs > 1:
        urls |= {
            "list across": lambda run: f"/agents/?per_page={PER_PAGE}",
            "search across": lambda run: f"/agents/?q={COMMON_TERM}&per_page={PER_PAGE}",
            "rare search across": lambda run: f"/agents/?q={RARE_TERM}&per_page={PER_PAGE}",
            "new search across": lambda run: f"/agents/?q={new_term(run, across=True)}&per_page={PER_PAGE}",
        }
    for label, url in urls.items():
        response = client.get(url(-WARM))
        assert response.status_code == 200, (url(-WARM), response.status_code)
        figures[f"{label} rows"] = _rows(response.content)
        if label == "list":
            figures["rss_one_mb"] = rss_mb()
        for run in range(1 - WARM, 0):  # warm: first-call costs (templates, sort orders, search texts) are not timed
            client.get(url(run))
    figures["rss_mb"] = rss_mb()  # after the lists and searches across every organization

    say(figures)

    done = 0
    for command in sys.stdin:
        if command.strip() == "stop":
            break
        timings: dict[str, list[float]] = {label: [] for label in urls}
        client.get(urls["list"](done))  # untimed: the first request after the other process's turn pays for it
        for run in range(done, done + int(command.split()[1])):
            for label, url in urls.items():  # in turn, so a slow spell falls on every page alike
                address = url(run)
                started = time.perf_counter()
                client.get(address)
                timings[label].append((time.perf_counter() - started) * 1000)
        done = run + 1
        say(timings)
    if profile:
        for label, url in urls.items():
            profiler = cProfile.Profile()
            for run in range(done, 2 * done):
                profiler.runcall(client.get, url(run))
            profiler.dump_stats(Path(profile) / f"{orgs}-{label.replace(' ', '-')}.pstats")
    for upstream in upstreams.values():
        upstream.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


def say(message: dict[str, Any]) -> None:
    """A line to the process that started this one (other output, a log line, has no marker)."""
    print(MARKER + json.dumps(message), flush=True)


def heard(process: subprocess.Popen) -> dict[str, Any]:
    """The next line `say` wrote in `process`."""
    for line in process.stdout:
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    process.wait()
    process.errors.seek(0)
    raise SystemExit(f"a measuring process failed:\n{process.errors.read()[-3000:]}")


def _rows(html: bytes) -> int:
    """How many agents the page says it lists (its row count), for the report."""
    found = re.search(rb'id="row-count"[^>]*>Showing [^<]*? of ([\d,]+) agent', html)
    return int(found.group(1).replace(b",", b"")) if found else 0


def start(orgs: int, size: int, measured: int, profile: str | None, errors: IO[str]) -> subprocess.Popen:
    """A measuring process; what it writes to its standard error goes to `errors` (a pipe nobody
    reads could fill up), which `heard` shows when it fails."""
    command = [sys.executable, str(Path(__file__)), "--serve", str(orgs), "--agents", str(size), "--org", str(measured)]
    process = subprocess.Popen(
        [*command, *(["--profile", profile] if profile else [])],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    process.errors = errors  # type: ignore[attr-defined]
    return process


def measure_round(orgs: int, size: int, measured: int, runs: int, batch: int, profile: str | None) -> list[dict]:
    """One process of one organization and one of `orgs`, both kept running; each times its pages
    `batch` times in turn with the other until both have `runs`. Their figures, timings included."""
    with tempfile.TemporaryFile("w+") as alone_errors, tempfile.TemporaryFile("w+") as among_errors:
        processes = [
            start(1, size, measured, profile, alone_errors),
            start(orgs, size, measured, profile, among_errors),
        ]
        results = [heard(process) for process in processes]
        for result in results:
            result["timings"] = {}
        done = 0
        while done < runs:
            count = min(batch, runs - done)
            for process, result in zip(processes, results, strict=True):
                process.stdin.write(f"run {count}\n")
                process.stdin.flush()
                for label, timings in heard(process).items():
                    result["timings"].setdefault(label, []).extend(timings)
            done += count
        for process in processes:
            process.stdin.write("stop\n")
            process.stdin.close()
            process.wait()
    return results


def report(single: list[dict[str, Any]], several: list[dict[str, Any]], orgs: int, size: int) -> list[str]:
    """Prints the figures; returns the targets missed (none: every target met)."""

    def pooled(results: list[dict[str, Any]], label: str) -> list[float]:
        return [value for result in results for value in result["timings"][label]]

    def median(results: list[dict[str, Any]], label: str) -> float:
        return statistics.median(pooled(results, label))

    def cell(results: list[dict[str, Any]], label: str) -> str:
        values = pooled(results, label)
        return f"{statistics.median(values):.1f} / {p95(values):.1f} ms"

    last = several[-1]
    missed = []
    print(f"\nOrganizations: {orgs} of {size:,} agents each against one alone ({PER_PAGE} rows a page)")
    print(
        f'Searches: "{COMMON_TERM}" (common), "{RARE_TERM}" (rare), and a new search each time (an action id '
        "not searched before in the process, found on a handful of agents: what no kept result helps)\n"
    )
    print(f"| figure (medians) | one organization | {orgs} organizations | ratio | target |")
    print("|---|---:|---:|---:|---|")
    # (figure, results and page of one organization, results and page of several, target)
    checked = [
        ("warm list", (single, "list", "alone"), (several, "list", f"one of {orgs}"), TARGET_LIST),
        (
            f'search "{COMMON_TERM}"',
            (several, "search", f"one of {orgs}"),
            (several, "search across", "across all"),
            TARGET_SEARCH,
        ),
        (
            f'search "{RARE_TERM}"',
            (several, "rare search", f"one of {orgs}"),
            (several, "rare search across", "across all"),
            TARGET_SEARCH,
        ),
        (
            "a new search",
            (several, "new search", f"one of {orgs}"),
            (several, "new search across", "across all"),
            TARGET_SEARCH,
        ),
    ]
    for title, (one_results, one, one_where), (all_results, every, all_where), target in checked:
        one_ms, all_ms = median(one_results, one), median(all_results, every)
        ratio = all_ms / one_ms
        met = ratio <= target
        verdict = f"≤ {target:.2f}: {'met' if met else 'MISSED'}"
        if not met:
            missed.append(f"{title}: {all_where} / {one_where} = {ratio:.2f} (target ≤ {target:.2f})")
        print(f"| {title} | {one_ms:.1f} ms ({one_where}) | {all_ms:.1f} ms ({all_where}) | {ratio:.2f} | {verdict} |")

    print(
        f"\n| page: median / p95 (agents found) | one organization alone (`/agents/`) "
        f"| one of {orgs} (`/o/<slug>/agents/`) | across all (`/agents/`) |"
    )
    print("|---|---:|---:|---:|")
    rows = [
        ("list", "list", "list across"),
        (f'search "{COMMON_TERM}"', "search", "search across"),
        (f'search "{RARE_TERM}"', "rare search", "rare search across"),
        ("a new search (an action id)", "new search", "new search across"),
    ]
    for title, label, across in rows:
        print(
            f"| {title} | {cell(single, label)} ({single[-1][label + ' rows']:,}) | "
            f"{cell(several, label)} ({last[label + ' rows']:,}) | "
            f"{cell(several, across)} ({last[across + ' rows']:,}) |"
        )
    print(
        f"\nResident memory: one organization alone {single[-1]['rss_mb']:.0f} MB; {orgs} organizations "
        f"{last['rss_read_mb']:.0f} MB once read, {last['rss_one_mb']:.0f} MB after one organization's list, "
        f"{last['rss_mb']:.0f} MB after the lists and searches across all"
    )
    runs = sum(len(result["timings"]["list"]) for result in several)
    print(f"({len(several)} pairs of processes taking turns, {runs} timed requests of each page per setting)")
    for line in missed:
        print(f"Target missed: {line}")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10, help="how many organizations (default 10)")
    parser.add_argument("--agents", type=int, default=5000, help="agents in each organization (default 5,000)")
    parser.add_argument("--rounds", type=int, default=2, help="pairs of processes, one alone and several (default 2)")
    parser.add_argument("--runs", type=int, default=45, help="timed requests of each page in each process (default 45)")
    parser.add_argument(
        "--batch", type=int, default=5, help="requests of each page in one process before the other's turn (default 5)"
    )
    parser.add_argument("--org", type=int, help="which organization is measured alone (default: the last)")
    parser.add_argument(
        "--profile", metavar="DIR", help="also profile each page's requests (cProfile), into DIR/<orgs>-<page>.pstats"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    measured = args.orgs - 1 if args.org is None else args.org
    if args.serve:
        return serve(args.serve, args.agents, measured, args.profile)
    if args.orgs < 2 or not 0 <= measured < args.orgs or not 1 <= args.runs <= 490 or args.batch < 1:
        parser.error("--orgs needs 2 or more, --org one of them (from 0), --runs 1 to 490, --batch 1 or more")
    single, several = [], []
    for number in range(args.rounds):
        print(f"round {number + 1} of {args.rounds}…", file=sys.stderr, flush=True)
        alone, among = measure_round(args.orgs, args.agents, measured, args.runs, args.batch, args.profile)
        single.append(alone)
        several.append(among)
    if report(single, several, args.orgs, args.agents):
        sys.exit(1)
    return None


if __name__ == "__main__":
    main()
