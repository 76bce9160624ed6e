"""`split_exact`: largest-remainder splitting of integer fen totals over weighted items, group by group."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.demo.province import split_exact


def _check(totals, group, weights) -> np.ndarray:
    totals = np.asarray(totals, dtype=np.int64)
    group = np.asarray(group, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.float64)
    parts = split_exact(totals, group, weights)
    assert parts.shape == group.shape
    assert np.issubdtype(parts.dtype, np.integer), parts.dtype
    assert (parts >= 0).all(), parts
    # every group adds up to its total, to the fen (Python ints: no float or overflow slack)
    sums = dict.fromkeys(range(len(totals)), 0)
    for g, p in zip(group.tolist(), parts.tolist()):
        sums[g] += p
    for g, total in enumerate(totals.tolist()):
        if (group == g).any():
            assert sums[g] == total, (g, sums[g], total)
    # every part is within one fen of its exact proportional share
    for g in np.unique(group):
        sel = group == g
        wsum = weights[sel].sum()
        if wsum <= 0:
            continue
        exact = [int(totals[g]) * w / wsum for w in weights[sel]]
        for part, share in zip(parts[sel].tolist(), exact):
            assert abs(part - share) < 1 + 1e-6 * max(1.0, share * 1e-9), (g, part, share)
    return parts


CASES = {
    "one-group-even": ([10], [0, 0, 0], [1, 1, 1]),
    "one-group-uneven": ([100], [0, 0, 0, 0], [0.1, 0.2, 0.3, 0.4]),
    "total-smaller-than-items": ([2], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]),
    "single-item": ([12345], [0], [0.37]),
    "several-groups-unsorted": ([7, 5, 9], [2, 0, 1, 2, 0, 1], [1, 3, 1, 2, 2, 5]),
    "zero-total-group": ([0, 7], [0, 0, 1], [1, 1, 1]),
    "zero-weight-item-among-positive": ([10], [0, 0, 0], [1, 0, 1]),
    "tiny-and-huge-weights": ([1_000_001], [0, 0, 0], [1e-9, 1.0, 1e9]),
    "large-total-1e14-fen": ([10**14], [0, 0, 0], [1, 2, 3]),
    "large-totals-two-groups": ([10**14, 3], [1, 0, 1, 0, 1], [1, 1, 2, 2, 3]),
    "near-int64-safe-9e15": ([9 * 10**15 + 7], [0, 0, 0, 0, 0, 0, 0], [3, 1, 4, 1, 5, 9, 2]),
}


@pytest.mark.parametrize("totals,group,weights", CASES.values(), ids=CASES.keys())
def test_split_exact_sums_exactly_nonnegative_and_proportional(totals, group, weights):
    _check(totals, group, weights)


def test_split_exact_gives_zero_weight_items_nothing():
    parts = _check([10], [0, 0, 0], [1, 0, 1])
    assert parts.tolist() == [5, 0, 5]
    parts = _check([1], [0, 0, 0], [1, 0, 1])
    assert parts[1] == 0


def test_split_exact_even_weights_differ_by_at_most_one_fen():
    parts = _check([1003], [0] * 10, [1] * 10)
    assert parts.max() - parts.min() <= 1
    assert sorted(parts.tolist()) == [100] * 7 + [101] * 3


def test_split_exact_exact_shares_are_not_perturbed():
    # shares that are whole fen must come out exactly (no bump from float noise)
    assert _check([600], [0, 0, 0], [1, 2, 3]).tolist() == [100, 200, 300]
    assert _check([10**14], [0, 0], [1, 1]).tolist() == [5 * 10**13, 5 * 10**13]


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_split_exact_random_groups_property(seed):
    rng = np.random.default_rng(seed)
    n_groups = int(rng.integers(1, 50))
    totals = rng.integers(0, 10**14, n_groups)
    totals[rng.random(n_groups) < 0.2] = rng.integers(0, 20)  # small totals too
    group = rng.permutation(np.repeat(np.arange(n_groups), rng.integers(1, 30, n_groups)))
    weights = rng.lognormal(0, 2, len(group))
    _check(totals, group, weights)


def test_split_exact_all_zero_weight_group_with_zero_total_gets_zeros():
    with np.errstate(invalid="ignore", divide="ignore"):
        parts = split_exact(np.array([0, 5]), np.array([0, 0, 1]), np.array([0.0, 0.0, 1.0]))
    assert parts.tolist() == [0, 0, 5]
