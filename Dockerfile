FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap libseccomp2 make nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -e . \
    && (cd frontend && npm ci --no-audit --no-fund && node build.mjs)
ENV PATH="/venv/bin:$PATH" PYTHONUNBUFFERED=1
