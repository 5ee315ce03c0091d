"""Pieces of the follow-up page (uppföljning, the handbook's Steg 5), not the page itself.

The page (:mod:`geo_trygghet.ui.pages.uppfoljning`) chooses a target area (the
sample's intervention, a circle around a clicked point, a drawn polygon, the hot
cells of a hot-spot area, a circle around a fixed remark, or an uploaded file), a
buffer, the control areas (suggested by :mod:`geo_trygghet.followup.controls`
with their similarity, the sample's, or uploaded) and the windows
(:mod:`.choose`); the map shows them (:mod:`.map_view`); :func:`.result.run_evaluation`
calls :func:`geo_trygghet.followup.evaluate` (cached) and the result is shown with
the same tables the report prints (:mod:`geo_trygghet.reports.evaluation`). The
second tab evaluates every fixed remark (:mod:`.fixed_remarks`).

The incidents are the explorer's dataset (``geo_trygghet.ui.dataset.dataset_picker``).

Modules: ``areas`` (the choice, uploads, the sample's preset), ``choose`` (the
widgets), ``map_view``, ``result`` (evaluation, tables, chart, downloads),
``fixed_remarks``, ``_common`` (numbers and errors in the session's language).
"""
