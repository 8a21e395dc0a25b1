# Production image: `valuedesk serve` (waitress) serves the web process; the same image runs the worker (see fly.toml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VALUEDESK_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY adapter ./adapter
COPY webhooks ./webhooks
RUN pip install . \
    && useradd --create-home --uid 10001 valuedesk \
    && mkdir -p /data && chown valuedesk /data

USER valuedesk
EXPOSE 8080
CMD ["valuedesk", "serve", "--host", "0.0.0.0", "--port", "8080"]
