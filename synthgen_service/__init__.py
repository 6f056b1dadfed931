"""SynthGen service: the REST API, the store and the arq workers."""
