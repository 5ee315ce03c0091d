"""The entry ``geo-trygghet serve`` runs: ``streamlit run geo_trygghet/web/asgi.py``.

Streamlit finds the module-level ``app = st.App(...)`` below and serves it with uvicorn on
the usual port, with the usual ``--server.*`` options (address, port, TLS certificate):
the Streamlit app of the repository's ``app.py``, and beside it the phone form's routes
(``/walk/``), its JSON API (``/api/v1``) and the Open311 GeoReport v2 endpoint (``/open311/v2``)
of :mod:`geo_trygghet.web.stack`.

Streamlit imports this file as a top-level module (``asgi``), so it imports the package
absolutely and defines nothing else.
"""

from pathlib import Path

import streamlit as st

import geo_trygghet
from geo_trygghet.web import stack

APP_SCRIPT = Path(geo_trygghet.__file__).resolve().parents[1] / "app.py"
SERVICE = stack.SharedService()
stack.switch_off_nagle()

app = st.App(APP_SCRIPT, routes=stack.routes(SERVICE), middleware=stack.middleware(),
             lifespan=stack.lifespan_for(SERVICE))
