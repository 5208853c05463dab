"""WordCount's core: sentences, words, and its options."""
