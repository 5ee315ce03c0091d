"""The lägesbild: time patterns, concentration, rates per 100 000 and the handbook's
stödfrågor answered, built once into a :class:`Lagesbild`.

>>> from geo_trygghet.lagesbild import build_lagesbild            # doctest: +SKIP
>>> lb = build_lagesbild(incidents, population=34_500, reference=3000.0)  # doctest: +SKIP
>>> for question, answer, _figures in lb.answers: ...             # doctest: +SKIP
"""

from .result import Lagesbild, build_lagesbild, crime_type_counts
from .stodfragor import Answer, answers_frame, lagesbild_answers

__all__ = ["Answer", "Lagesbild", "answers_frame", "build_lagesbild", "crime_type_counts", "lagesbild_answers"]
