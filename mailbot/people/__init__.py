"""Who the owner knows: name normalisation and contacts files."""
