"""The lägesbild: time patterns, rates per 100 000 and the handbook's stödfrågor answered."""
