"""The meeting dashboard: the admin's home, with a figure from every app.

The top floor: it reads every app's models and selectors; no app imports it.
"""
