"""The word model behind the text kind: learned from a column's strings, drawn vectorised.

Learning splits values on whitespace (pandas ``str.split`` + ``explode``, no Python loop
over rows); drawing builds all rows one word slot at a time, each slot one vectorised draw
for every row still that long. See :mod:`synthgen_core.kinds.text` for what is kept and why.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.metadata.kinds import TextModel

#: A value, word or word pair is kept only when at least this many rows hold it.
MIN_COUNT = 5
#: Generated values have at most this many words (longer texts are cut to it).
MAX_WORDS = 64
#: Pseudo-words are at most this long.
MAX_LETTERS = 24
#: Values up to this long are refused whatever their words (random spelling reaches them).
SHORT = 12
#: Rounds of redrawing generated values that equal a rare training value.
REDRAWS = 20
#: A fixed text and its 64-bit hash (pandas' ``hash_array``, its default key), checked
#: before refusing by hash.
_PROBE_TEXT, _PROBE_HASH = "synthgen", -2197678197539640957
ObjectArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]


def fit_text_model(text: pd.Series, min_count: int = MIN_COUNT) -> TextModel:
    """What :func:`generate_text` needs, holding no value seen fewer than ``min_count`` times."""
    counts = text.value_counts()
    common = counts[counts >= min_count]
    rare = text[~text.isin(common.index)].reset_index(drop=True)
    words = rare.str.split().explode().dropna()  # index: the row each word comes from
    in_rows = pd.Series(words.to_numpy(), index=words.index).reset_index().drop_duplicates()
    rows_per_word = in_rows.iloc[:, 1].value_counts()  # distinct rows holding each word
    vocab = rows_per_word[rows_per_word >= min_count]
    known = words.isin(vocab.index)
    n_words = rare.str.count(r"\S+").clip(1, MAX_WORDS).to_numpy(dtype=np.int64)
    letters, lengths, capital = _pseudo_word_stats(words[~known])
    return TextModel(
        min_count=min_count,
        common=[str(v) for v in common.index],
        common_counts=common.astype(int).tolist(),
        generated_rows=len(rare),
        word_counts=np.bincount(n_words, minlength=MAX_WORDS + 1)[1:].tolist(),
        words=[str(w) for w in vocab.index],
        word_weights=words[known].value_counts().reindex(vocab.index).astype(int).tolist(),
        word_share=float(known.mean()) if len(words) else 0.0,
        pairs=_frequent_pairs(words, vocab.index, min_count),
        letters="".join(letters.index),
        letter_weights=letters.astype(int).tolist(),
        word_lengths=lengths,
        capital_share=capital,
        refused=_refused_hashes(rare, vocab.index),
    )


def generate_text(model: TextModel, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    """``n_rows`` values: common ones in their shares, the rest generated (see module doc)."""
    weights = np.append(np.asarray(model.common_counts, dtype=np.float64), model.generated_rows)
    if weights.sum() == 0:
        weights[-1] = 1.0
    choice = rng.choice(len(weights), size=n_rows, p=weights / weights.sum())  # (N,)
    out = np.empty(n_rows, dtype=object)
    is_common = choice < len(model.common)
    out[is_common] = np.asarray(model.common, dtype=object)[choice[is_common]]
    out[~is_common] = _generated(model, int((~is_common).sum()), rng)
    return out


def _generated(model: TextModel, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    """Generated values, redrawn while any equals a rare training value.

    A column so uniform that redrawing keeps hitting rare values gets missing cells there
    instead: never a copy.
    """
    out = _sentences(model, n_rows, rng)
    refused = np.asarray(model.refused, dtype=np.int64)
    if refused.size:
        check_hashing()
    for _ in range(REDRAWS):
        bad = np.isin(_hashes(out), refused)
        if not bad.any():
            return out
        out[bad] = _sentences(model, int(bad.sum()), rng)
    out[np.isin(_hashes(out), refused)] = None
    return out


def _sentences(model: TextModel, n_rows: int, rng: np.random.Generator) -> ObjectArray:
    """Word counts from the histogram, then one vectorised draw per word slot."""
    counts = np.asarray(model.word_counts, dtype=np.float64)
    if counts.sum() == 0:
        counts = np.ones(1)
    n_words = 1 + rng.choice(len(counts), size=n_rows, p=counts / counts.sum())  # (N,)
    out = np.full(n_rows, "", dtype=object)
    previous = np.full(n_rows, -1, dtype=np.int64)  # vocabulary index of the last word
    for slot in range(int(n_words.max()) if n_rows else 0):
        rows = np.flatnonzero(n_words > slot)
        word, index = _slot(model, previous[rows], rng)
        out[rows] = word if slot == 0 else out[rows] + " " + word
        previous[rows] = index
    return out


def _slot(
    model: TextModel, previous: IntArray, rng: np.random.Generator
) -> tuple[ObjectArray, IntArray]:
    """One word per row: a known word (after its pair, else by frequency) or a pseudo-word."""
    n_rows = len(previous)
    use_vocab = rng.random(n_rows) < (model.word_share if model.words else 0.0)
    index = np.full(n_rows, -1, dtype=np.int64)
    if model.words:
        unigram = np.asarray(model.word_weights, dtype=np.float64)
        index = rng.choice(len(unigram), size=n_rows, p=unigram / unigram.sum())
        index = _follow_pairs(model, previous, index, rng)
    index = np.where(use_vocab, index, -1)
    words = np.empty(n_rows, dtype=object)
    words[use_vocab] = np.asarray(model.words, dtype=object)[index[use_vocab]]
    words[~use_vocab] = _pseudo_words(model, int((~use_vocab).sum()), rng)
    return words, index


def _follow_pairs(
    model: TextModel, previous: IntArray, fallback: IntArray, rng: np.random.Generator
) -> IntArray:
    """The next word after ``previous`` from the frequent pairs, where it has any."""
    if not model.pairs:
        return fallback
    pairs = np.asarray(model.pairs, dtype=np.int64)  # (P, 3) sorted by first word
    cumulative = np.cumsum(pairs[:, 2].astype(np.float64))
    starts = np.searchsorted(pairs[:, 0], previous, side="left")
    ends = np.searchsorted(pairs[:, 0], previous, side="right")
    has = (ends > starts) & (previous >= 0)
    base = np.where(starts > 0, cumulative[np.maximum(starts - 1, 0)], 0.0)
    total = cumulative[np.maximum(ends - 1, 0)] - base
    target = base + rng.random(len(previous)) * total
    chosen = np.clip(
        np.searchsorted(cumulative, target, side="right"), starts, np.maximum(ends - 1, 0)
    )
    return np.where(has, pairs[np.minimum(chosen, len(pairs) - 1), 1], fallback)


def _pseudo_words(model: TextModel, n_words: int, rng: np.random.Generator) -> ObjectArray:
    """Words spelled from the rare words' letters and lengths (``(N,)`` object array)."""
    letters = np.asarray(list(model.letters or "x"), dtype="<U1")
    weights = np.asarray(model.letter_weights or [1], dtype=np.float64)
    lengths_hist = np.asarray(model.word_lengths or [1], dtype=np.float64)
    lengths = 1 + rng.choice(len(lengths_hist), size=n_words, p=lengths_hist / lengths_hist.sum())
    grid = letters[rng.choice(len(letters), size=(n_words, MAX_LETTERS), p=weights / weights.sum())]
    grid[np.arange(MAX_LETTERS)[None, :] >= lengths[:, None]] = ""  # (N, L) cut to length
    capital = rng.random(n_words) < model.capital_share
    grid[capital, 0] = np.char.upper(grid[capital, 0])
    return np.ascontiguousarray(grid).view(f"<U{MAX_LETTERS}").ravel().astype(object)


def _pseudo_word_stats(words: pd.Series) -> tuple[pd.Series, list[int], float]:
    """Letter counts, a histogram of lengths (1..MAX_LETTERS) and the capitalised share."""
    if words.empty:
        return pd.Series(dtype=np.int64), [], 0.0
    characters = words.str.lower().str.split("").explode()
    letters = characters[characters.str.len() == 1].value_counts()
    lengths = words.str.len().clip(1, MAX_LETTERS).to_numpy(dtype=np.int64)
    histogram = np.bincount(lengths, minlength=MAX_LETTERS + 1)[1:].tolist()
    capital = float(words.str.slice(0, 1).str.isupper().mean())
    return letters, histogram, capital


def _frequent_pairs(words: pd.Series, vocab: pd.Index, min_count: int) -> list[list[int]]:
    """``[word, next word, count]`` for pairs of known words in at least ``min_count`` rows."""
    frame = pd.DataFrame({"row": words.index, "word": words.to_numpy()})
    frame["next"] = frame.groupby("row")["word"].shift(-1)
    position = pd.Series(np.arange(len(vocab)), index=vocab)
    frame = frame[frame["word"].isin(vocab) & frame["next"].isin(vocab)]
    frame = frame.assign(
        first=position[frame["word"]].to_numpy(), second=position[frame["next"]].to_numpy()
    )
    rows = frame.groupby(["first", "second"])["row"].nunique()
    kept = rows[rows >= min_count].sort_index()
    columns = [kept.index.get_level_values(i).to_numpy(np.int64) for i in (0, 1)]
    table: list[list[int]] = np.column_stack([*columns, kept.to_numpy(np.int64)]).tolist()
    return table


def _refused_hashes(rare: pd.Series, vocab: pd.Index) -> list[int]:
    """Hashes of the distinct rare values the model could produce.

    Those are values made only of known words, and short ones (a pseudo-word may spell
    ``"Bob"``); a long value with a rare word is out of reach of random spelling.
    """
    values = pd.Series(rare.unique(), dtype=object)
    split = values.str.split()
    words = split.explode()
    all_known = words.isin(vocab).groupby(level=0).all().reindex(values.index, fill_value=True)
    reachable = all_known.to_numpy() | (values.str.len() <= SHORT).to_numpy()
    return sorted(_hashes(values[reachable].to_numpy(dtype=object)).tolist())


def check_hashing() -> None:
    """Refuse to generate where strings hash differently from where the model was fitted.

    The refusal list holds hashes: under another hashing no generated value would match
    one, and rare training values could come out. A fixed text must hash as it always has.
    """
    if int(_hashes(np.array([_PROBE_TEXT], dtype=object))[0]) != _PROBE_HASH:
        raise DataError(
            "this installation hashes text differently from the one text columns are "
            "fitted with, so rare values could not be refused; install the pandas version "
            "SynthGen requires, or fit the model again here"
        )


def _hashes(values: ObjectArray) -> IntArray:
    """Stable 64-bit hashes of strings, as signed integers (JSON-safe in Python)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    strings = np.asarray(values, dtype=object).astype(str)
    hashed: IntArray = pd.util.hash_array(strings.astype(object)).view(np.int64)
    return hashed
