"""gunicorn's settings for SCT Monitor, read from the working folder by `gunicorn sct_monitor.wsgi`.

Behind the README's nginx, which buffers each whole request before passing it on, a worker never
waits on a slow client; these limits are the second line, for anything that reaches gunicorn
directly. Each can be changed from the environment.
"""

import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# A worker silent for this long (a request body trickling in, a hung query) is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Seconds an idle kept-alive connection is held open (only async workers keep connections alive).
keepalive = 5
# Request line and headers: anything larger is refused before the application sees it.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Restart workers now and then, so a slow leak cannot grow without end.
max_requests = 2000
max_requests_jitter = 200
# The client's address comes from nginx only (see TRUSTED_PROXY_HEADER in the README).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
