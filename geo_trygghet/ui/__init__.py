"""The Streamlit interface: ``app.py`` (at the repository root) routes by role to
the pages in :mod:`geo_trygghet.ui.pages`; :mod:`.state` owns the session keys,
:mod:`.i18n` the texts (Swedish first), :mod:`.data` the cached service and
loaders, :mod:`.auth` the login, logout and join pages. Pages stay thin: they
parse input, call the core and render.
"""
