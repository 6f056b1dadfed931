"""The any-order autoregressive transformer (model type ``autoregressive``)."""
