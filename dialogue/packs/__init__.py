"""Briefing packs and visa letters: content, fingerprint, safe fetching, rendering.

content.py    reads everything a pack shows into plain dicts (fixed queries)
fingerprint.py hashes those dicts with the template version
fetcher.py    the only way WeasyPrint can load anything: our static files and font
render.py     lays out the shared part once per language per process, the
              delegation's own pages per pack, and writes one tagged PDF
files.py      where files live and how they replace each other atomically
"""
