"""Transitional: the analyst's widgets now live by concern (issue 8). This module only
re-exports what ``ui/followup.py`` and ``ui/pages/uppfoljning.py`` still take from it as
``A.<name>``; delete it once they import from the modules below.

=====================  ===========================================
old ``ui.analyst``      now
=====================  ===========================================
Dataset, dataset_picker, load_dataset, kept_dataset_path, _save_upload
                        ``ui.dataset`` (``save_upload``)
Filters, filter_widgets, public_mode, category_name
                        ``ui.filters``
set_scope, wkey         ``ui.kept``
View, compute_view, safe_table, RateInputs, _remarks, lagesbild_parts
                        ``ui.compute`` (``map_remarks``, ``lagesbild_of``)
AXIS_MONTH, AXIS_NUMBER, _n, fmt_dec
                        ``ui.formats`` (``fmt_count``)
cluster_choice_label, create_walk, walk_plan_map, LONG_WALK_M, K_CREATED
                        ``ui.walk_planning`` (map: ``maps.explorer.walk_plan_map``)
=====================  ===========================================
"""

from __future__ import annotations

from .compute import View, compute_view
from .dataset import Dataset, dataset_picker
from .dataset import save_upload as _save_upload
from .filters import Filters, filter_widgets
from .formats import AXIS_MONTH, AXIS_NUMBER
from .kept import set_scope
from .walk_planning import cluster_choice_label

__all__ = ["AXIS_MONTH", "AXIS_NUMBER", "Dataset", "Filters", "View", "_save_upload", "cluster_choice_label",
           "compute_view", "dataset_picker", "filter_widgets", "set_scope"]
