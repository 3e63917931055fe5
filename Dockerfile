# One image for web, worker, beat and the one-shot migrate service.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/safety STATIC_ROOT=/app/staticfiles
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app safety && mkdir -p /var/lib/safety && chown safety /var/lib/safety
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage \
    python manage.py collectstatic --noinput -v0
USER safety
EXPOSE 8000
# gunicorn.conf.py: gthread workers (WEB_WORKERS, 4) of WEB_THREADS (16) threads, admission control on (docs/load.md).
ENV ADMIT_CONCURRENT=2 ADMIT_WAIT_MS=1000
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
