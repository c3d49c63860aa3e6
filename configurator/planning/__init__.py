"""From a checked bundle to what happens in a case: the dependency graph, the plan for a set of
answers, the enumeration of real cases, and the reduction figures. Pure functions over the model.
"""
