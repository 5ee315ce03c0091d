"""Printable reports (HTML and PDF): the lägesbild, the walk protocol, the evaluation.

Shared page, table, figure and PDF helpers live in :mod:`geo_trygghet.reports._html`;
each report is its own module (``lagesbild``, ``protocol``, ``evaluation``) and is
imported on use, so importing this package stays cheap.
"""
