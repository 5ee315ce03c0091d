"""HTTP routes served beside Streamlit by ``geo-trygghet serve`` (one process, one port).

* :mod:`.api` – the walk participants' JSON API (FastAPI at ``/api/v1``), with its models
  (:mod:`.api_models`) and its sentences for every error (:mod:`.api_problems`);
* :mod:`.open311` – the Open311 GeoReport v2 endpoint under ``/open311/v2`` (XML and JSON), with
  its formats (:mod:`.open311_format`) and parameters (:mod:`.open311_params`);
* :mod:`.guards` – size limits (413) and a per-client write limit (429) in front of it;
* :mod:`.phone_form` – the offline phone form under ``/walk/`` (plain files in ``static/walk``);
* :mod:`.stack` – the routes and middleware together; :mod:`.asgi` – the entry
  ``streamlit run`` starts (``st.App`` with the Streamlit app of ``app.py``).
"""
