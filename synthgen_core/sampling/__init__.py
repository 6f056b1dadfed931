"""Sampling helpers shared by the models.

``condvec`` draws CTGAN's training-by-sampling conditional vectors; ``conditions``
validates user conditions and holds the bounded rejection sampler for conditions a model
cannot apply natively.
"""
