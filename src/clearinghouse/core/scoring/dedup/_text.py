"""Text similarity of report prose: TF-IDF cosine, so boilerplate words weigh little."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Dotted runs stay whole: "10.23.1" or "libcurl.so" identify more than their parts.
_TOKEN = re.compile(r"[0-9a-z]+(?:[._][0-9a-z]+)*")

Vector = Mapping[str, float]

# A word in more than this share of the reports (and more than a handful of them) is a stop
# word for this queue: "vulnerability", "affected", "allow" say nothing about which bug it is.
_STOP_WORD_SHARE = 0.02
_STOP_WORD_MIN_REPORTS = 20


# Prose that restates a CVSS score ("A CVSS v3 base score of 9.8 has been calculated; the CVSS
# vector string is (AV:N/...)") is template text: thousands of reports share it, and the vector
# itself is compared as structured evidence, not as words.
_CVSS_PROSE = re.compile(
    r"(?:A\s+)?CVSS\s+v\d(?:\.\d)?\s+base\s+score\s+of\s+[\d.]+\s+has\s+been\s+\w+"
    r"(?:[;,]\s*the\s+CVSS\s+vector\s+string\s+is\s+\(?[A-Za-z0-9:/.]*\)?)?\.?"
    r"|\(?(?:CVSS:\d\.\d/)?AV:[A-Z](?:/[A-Za-z]+:[A-Z])+\)?",
    re.IGNORECASE,
)


#: Longer runs are hashes or encoded blobs, not words anyone would share.
MAX_TOKEN = 100


def tokens(text: str) -> list[str]:
    """Split prose into lower-case word tokens, leaving out restated CVSS scores and blobs."""
    found = _TOKEN.findall(_CVSS_PROSE.sub(" ", text).casefold())
    return [token for token in found if len(token) <= MAX_TOKEN]


@dataclass(frozen=True)
class Vocabulary:
    """How many reports use each word, out of how many: where each word's weight comes from.

    Intake keeps these counts for the whole store (so a report's vector does not depend on
    which batch it came in); `of` takes them from the texts being compared.
    """

    reports: int
    frequency: Mapping[str, int]

    @classmethod
    def of(cls, counts: Sequence[Mapping[str, int]]) -> Vocabulary:
        """The vocabulary of these texts alone (their word counts)."""
        frequency: Counter[str] = Counter()
        for count in counts:
            frequency.update(count.keys())
        return cls(len(counts), frequency)

    def idf(self, word: str) -> float | None:
        """The word's inverse document frequency, None for a stop word of this store.

        Smoothed, so that two identical reports still score 1.0 when they are the only ones.
        A word not counted (yet) is taken as used once.
        """
        used = max(1, self.frequency.get(word, 0))
        if used > max(_STOP_WORD_MIN_REPORTS, _STOP_WORD_SHARE * self.reports):
            return None
        return math.log((1 + max(self.reports, used)) / used)

    def vector(self, count: Mapping[str, int]) -> dict[str, float]:
        """The unit-length TF-IDF vector of a text's word counts (stop words left out)."""
        weights = {}
        for word, tf in count.items():
            if (idf := self.idf(word)) is not None:
                weights[word] = (1.0 + math.log(tf)) * idf
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {word: w / norm for word, w in weights.items()} if norm else {}


def word_counts(text: str) -> Counter[str]:
    """How often each word token occurs in a text."""
    return Counter(tokens(text))


def tfidf_vectors(texts: Sequence[str]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of the texts, with the IDF taken over these texts themselves.

    Words common across the texts are dropped (a stop-word list learned from the queue).
    """
    counts = [word_counts(text) for text in texts]
    vocabulary = Vocabulary.of(counts)
    return [vocabulary.vector(count) for count in counts]


def heaviest(vector: Vector, count: int) -> list[str]:
    """The `count` words that weigh most in a vector (ties by the word): its signature."""
    return [word for word, _ in sorted(vector.items(), key=lambda item: (-item[1], item[0]))][
        :count
    ]


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit vectors (0.0 when either is empty)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())


def prefix(vector: Vector, threshold: float) -> list[str]:
    """The heaviest words of a vector, enough that any vector sharing none of them has cosine
    below `threshold` with it (prefix filtering: what remains has norm below the threshold).
    """
    ordered = sorted(vector.items(), key=lambda item: (-item[1], item[0]))
    remaining = sum(weight * weight for _, weight in ordered)
    words = []
    for word, weight in ordered:
        if math.sqrt(max(remaining, 0.0)) < threshold - 1e-9:  # margin for rounding
            break
        words.append(word)
        remaining -= weight * weight
    return words
