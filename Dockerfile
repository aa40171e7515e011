# One image for the web server and the Celery workers.

# The front-end packages the site serves (package.json "dependencies": jsQR for
# the door's check-in page), from the npm registry with Debian's npm, in a
# stage of their own so that npm stays out of the image.
FROM python:3.11-slim-bookworm AS npm-assets
RUN apt-get update \
 && apt-get install -y --no-install-recommends npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DIALOGUE_VAR_DIR=/app/var MEDIA_ROOT=/app/media STATIC_ROOT=/app/staticfiles

# WeasyPrint needs Pango; DejaVu and Noto carry the Cyrillic glyphs that packs embed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-dejavu-core fonts-noto-core gettext curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY dialogue dialogue
COPY delegations delegations
COPY agenda agenda
COPY declaration declaration
RUN pip install --no-cache-dir .
COPY . .
COPY --from=npm-assets /assets/node_modules/jsqr/dist node_modules/jsqr/dist
# collectstatic with the production settings (DEBUG=0: the manifest storage
# that hashes and compresses), so the image already holds what `web` serves.
# The key and hosts are throwaway values for this build step only. The folder
# belongs to the dialogue user: `scripts/production release` collects again at
# start and rewrites the manifest.
RUN python manage.py compilemessages --locale ru --verbosity 0 \
 && DEBUG=0 SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput --verbosity 0 \
 && useradd --create-home dialogue \
 && mkdir -p /app/var /app/media \
 && chown -R dialogue /app/var /app/media /app/staticfiles
USER dialogue
EXPOSE 8000
# docker-compose.yml runs `scripts/production release` first; see README.
CMD ["scripts/production", "web"]
