"""`bangfu serve`: Bangfu as a county runs it (docs/deploy.md), where `make run` is for trying.

gunicorn serves the site (static files through whitenoise) and `bangfu db_worker` runs the background
jobs (imports, exports) from the database's queue; both start together and stop together: when one
ends, the other is stopped, and the command exits with the first one's status. DEBUG is off whatever
the environment says; database connections are kept open between requests (CONN_MAX_AGE, checked
before reuse). Everything else — SECRET_KEY, BANGFU_DATA_KEY, ALLOWED_HOSTS, DATABASE_URL,
BANGFU_HTTPS — comes from the environment as settings.py reads it.
"""

import argparse
import os
import signal
import subprocess
import sys
import time


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bangfu serve", description="生产环境运行：gunicorn 网站 + 后台任务进程")
    parser.add_argument("--bind", default=os.environ.get("BANGFU_BIND", "127.0.0.1:8000"),
                        help="监听地址(默认 127.0.0.1:8000；反向代理在前)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                        help="gunicorn 进程数(默认 2，或 WEB_CONCURRENCY)")
    parser.add_argument("--timeout", type=int, default=60, help="一个请求最长秒数(默认 60)")
    parser.add_argument("--migrate", action="store_true", help="启动前先执行数据库迁移")
    parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程(由另一台机器运行)")
    return parser


def serve(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    env = {**os.environ, "DEBUG": "0", "TASKS_BACKEND": "database",
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "bangfu.settings")}
    env.setdefault("CONN_MAX_AGE", "60")
    bangfu = [sys.executable, "-m", "bangfu.cli"]
    if args.migrate:
        subprocess.run([*bangfu, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    commands = [[sys.executable, "-m", "gunicorn", "bangfu.wsgi:application", "--bind", args.bind,
                 "--workers", str(args.workers), "--timeout", str(args.timeout), "--access-logfile", "-",
                 "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")]]
    if not args.no_worker:
        commands.append([*bangfu, "db_worker", "-v", "1"])
    processes = [subprocess.Popen(command, env=env) for command in commands]
    print(f"bangfu serve: http://{args.bind} (gunicorn pid {processes[0].pid}"
          + (f", db_worker pid {processes[1].pid})" if len(processes) > 1 else ")"), file=sys.stderr, flush=True)

    def stop(signum=None, frame=None):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    finally:
        first = next((p for p in processes if p.poll() is not None), None)
        stop()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    return first.returncode if first is not None else 0
