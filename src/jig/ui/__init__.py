"""The web UI: static files served by the service at `/` (no CDN, no build step)."""
