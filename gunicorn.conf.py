"""gunicorn's configuration for Switchboard: `gunicorn -c gunicorn.conf.py dashboard.wsgi`.

It reads the same environment as the dashboard (the process's, over the file ENV_FILE names):

* `WEB_CONCURRENCY` worker processes (default 4);
* a worker timeout derived from `OPENCX_TIMEOUT`: a page may wait for the lock and then for a
  read of OpenCX (each at most OPENCX_TIMEOUT plus a margin), so a slow upstream never gets a
  worker killed mid-request; never below gunicorn's usual 30 s;
* the access log on standard error, with the request id, in `LOG_FORMAT` (plain or JSON), as
  the dashboard's own lines;
* no control socket (nothing to manage a running server through but signals);
* `PROMETHEUS_MULTIPROC_DIR` for /metrics: a fresh directory per start unless one is given
  (then it is emptied at start), and a dead worker's gauges are dropped.

Command-line options win over this file: `--bind 0.0.0.0:8000` in a container, for example.
"""

import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard.environment import Environment
from dashboard.logs import gunicorn_logconfig

_env = Environment.with_env_file()

# Beyond OPENCX_TIMEOUT, twice: waiting for the lock, then for a read; plus rendering.
WAIT_MARGIN = 2
RENDER_MARGIN = 10

wsgi_app = "dashboard.wsgi:application"
bind = [_env.str("BIND", "127.0.0.1:8000")]
workers = _env.integer("WEB_CONCURRENCY", 4, minimum=1)
timeout = max(30, math.ceil(2 * (_env.number("OPENCX_TIMEOUT", 10, minimum=0.1) + WAIT_MARGIN) + RENDER_MARGIN))
graceful_timeout = timeout
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
errorlog = "-"
loglevel = _env.choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error"))
logconfig_dict = gunicorn_logconfig(_env.choice("LOG_FORMAT", "plain", ("plain", "json")), loglevel.upper())
control_socket_disable = True

if _env.problems:
    # The dashboard's own checks say what is wrong once a worker loads the app; gunicorn's
    # settings fall back to their defaults meanwhile.
    print("gunicorn.conf.py: " + " ".join(_env.problems), file=sys.stderr)


def on_starting(server: object) -> None:
    """A multiprocess directory for prometheus_client, empty at every start."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        shutil.rmtree(given, ignore_errors=True)
        Path(given).mkdir(parents=True, exist_ok=True)
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="switchboard-metrics-")


def on_exit(server: object) -> None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if Path(path).name.startswith("switchboard-metrics-"):  # only the one made above
        shutil.rmtree(path, ignore_errors=True)


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
