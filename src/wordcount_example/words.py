"""Splitting sentences into words and counting them (WordCount's two bolts)."""

from __future__ import annotations

from collections import Counter


def split_sentence(sentence: str) -> list[str]:
    """Words of a sentence split on single spaces, as storm-starter's splitsentence.py."""
    return sentence.split(" ")


class WordCounter:
    """Running count per word, as storm-starter's WordCount bolt keeps it."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.version = 0  # bumps on every change, so snapshots are written only when needed

    def add(self, word: str) -> int:
        """Count one occurrence of word; return its new count."""
        self.counts[word] += 1
        self.version += 1
        return self.counts[word]

    def snapshot(self, task: int) -> dict:
        """What a count task writes to its snapshot file."""
        return {"task": task, "counts": dict(self.counts)}

    def top(self, n: int) -> list[tuple[str, int]]:
        """The n most frequent words, count descending then word ascending."""
        return sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
