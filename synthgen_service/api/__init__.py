"""HTTP handlers, one thin module per resource; they raise, ``errors`` answers."""
