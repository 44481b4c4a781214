"""Text-to-speech: the TTS node, its voices (backends), Korean normalisation and the speech cache."""
