#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Calibration aid for the page-write presets (workloads/params.c): runs an
# expected-value model of Clark et al.'s pre-copy as the simulator runs it
# page-exact (Xen's 2005 save loop, the ascending scan with a peek per
# batch of 1024 pages, the hot set at the bottom of memory), on each preset,
# and prints what it predicts next to what the paper reports ([Clark05] in
# docs/references.md). Not part of the build; the numbers it prints are
# model outputs, not measurements. workloads/README.md ("The calibration
# model") gives the model and its outputs.
#
# Pages fall in classes of n pages, in page order (the hot set first), each
# page written by its own Poisson stream of rate λ = writes/s ÷ n. A live
# round examines its to-send set in page order, in batches of 1024 pages: a
# batch is peeked when the pages sent before it have left, a page of class
# j is then dirty with probability 1 − e^−λ_j t and skipped, and the pages
# sent take P·8/R each. Pages written during the round, n(1 − e^−λT) per
# class, form the next round's set.
#
# Rate and stop, Xen's 2005 save loop ([XenLegacy]): when the observed
# dirty rate exceeds the rate the round ran at, the next round runs at the
# dirty rate + 50 Mibit/s, capped at 500; pre-copy stops after a round that
# ran at the cap and sent more pages than the round before it, when under
# 256 KiB is left, after 29 rounds or past 3 M pages sent. At the cap the
# expected counts fall round after round, while a page-exact run's counts
# scatter: the model takes the chance that round k's count rises above
# round k−1's as Φ((μ_k − μ_{k−1}) / √(μ_k + μ_{k−1})) (two independent
# counts of Poisson spread) and reports expectations over where pre-copy
# stops.
import math

PAGE = 4096
MIBIT = 2**20  # Clark's "Mbit" is binary ([XenLegacy], token bucket)
BATCH = 1024   # Xen's MAX_BATCH_SIZE ([XenLegacy])


def live_round(send, lam, c):
    """A live round of send[j] pages of class j (classes in page order,
    write rate lam[j] per page) sent at c pages/s, the log peeked before
    each batch of BATCH pages of the set. Returns (T, pages sent)."""
    t, sent = 0.0, 0.0
    left = [float(s) for s in send]
    j = 0
    while j < len(left):
        room, batch_sent = float(BATCH), 0.0
        while room > 0 and j < len(left):
            take = min(room, left[j])
            batch_sent += take * math.exp(-lam[j] * t)
            left[j] -= take
            room -= take
            if left[j] <= 1e-9:
                j += 1
        t += batch_sent / c
        sent += batch_sent
    return t, sent


def rise(mu, mu_last):
    """Chance that a round's page count exceeds the last round's."""
    s = math.sqrt(mu + mu_last)
    return 0.5 * math.erfc(-(mu - mu_last) / (s * math.sqrt(2))) if s else 0


def precopy(classes, start=100, step=50, cap=500, final_rate=None,
            stop_bytes=256 * 1024, max_iters=29):
    """classes: [(pages, writes_per_s)], in page order. Returns a dict of
    model outputs, expectations over where pre-copy stops."""
    m = sum(n for n, _ in classes)
    lam = [w / n if n else 0.0 for n, w in classes]
    send = [float(n) for n, _ in classes]
    rate, total, last_sent, it = start, 0.0, float(m), 0
    alive = 1.0  # chance that pre-copy has not stopped yet
    out = {"total": 0.0, "final": 0.0, "last_s": 0.0, "stops": []}
    round1 = None
    while alive > 1e-9:
        it += 1
        t, sent = live_round(send, lam, rate * MIBIT / 8 / PAGE)
        total += sent
        dirty = [n * -math.expm1(-l * t) for (n, _), l in zip(classes, lam)]
        d = sum(dirty)
        round1 = round1 or (sent, t)
        # The stop tests use the rate this round ran at ([XenLegacy]).
        p = rise(sent, last_sent) if rate == cap else 0.0
        if (d * PAGE < stop_bytes or it >= max_iters or total > 3 * m):
            p = 1.0
        if p > 0:
            w = alive * p
            out["total"] += w * (total + d)
            out["final"] += w * d
            out["last_s"] += w * t
            out["stops"].append((it, w))
            alive -= w
        dirty_rate = d * PAGE * 8 / (t * MIBIT) if t > 0 else 0.0
        if dirty_rate > rate:  # the rate only ever increases
            rate = min(dirty_rate + step, cap)
        last_sent = sent
        send = dirty
    final_rate = final_rate or cap
    return {
        "round1_mib": round1[0] * PAGE / 2**20,
        "round1_s": round1[1],
        "total_mib": out["total"] * PAGE / 2**20,
        "final_kib": out["final"] * PAGE / 1024,
        "last_round_s": out["last_s"],
        "downtime_s": out["final"] * PAGE * 8 / (final_rate * MIBIT),
        "stops": out["stops"],
    }


MIB = 256  # 4 KiB pages per MiB

# name: (VM pages, classes, final-round rate in Mibit/s, the paper's numbers)
PRESETS = {
    "specweb": (800 * MIB, [(20 * MIB, 50000), (780 * MIB, 1000)], 724,
                "round 1 676.8 MiB in 54.1 s, total 960 MiB, final 18.2 MiB"),
    "oltp": (512 * MIB, [(64 * MIB, 10000), (448 * MIB, 1000)], None,
             "none in the paper"),
    "kernel-compile": (512 * MIB, [(32 * MIB, 20000), (480 * MIB, 2000)],
                       None, "none in the paper"),
    "quake3": (64 * MIB, [(36 * MIB, 1400), (28 * MIB, 250)], None,
               "total 88 MiB, final 148 KiB"),
    "mmuncher": (512 * MIB, [(256 * MIB, 60000), (256 * MIB, 0)], None,
                 "total 638 MiB, final 222.5 MiB, downtime ~3.5 s"),
}

if __name__ == "__main__":
    for name, (pages, classes, final_rate, ref) in PRESETS.items():
        assert sum(n for n, _ in classes) == pages
        r = precopy(classes, final_rate=final_rate)
        likely = sorted(r["stops"], key=lambda s: -s[1])[:3]
        where = ", ".join(f"{k} ({100 * w:.0f} %)" for k, w in
                          sorted(likely))
        print(f"{name}: round 1 {r['round1_mib']:.1f} MiB in "
              f"{r['round1_s']:.1f} s, total {r['total_mib']:.1f} MiB, "
              f"final {r['final_kib'] / 1024:.2f} MiB "
              f"({r['final_kib']:.0f} KiB) after a last round of "
              f"{r['last_round_s'] * 1000:.0f} ms, final copy "
              f"{r['downtime_s'] * 1000:.0f} ms; stops after round "
              f"{where}")
        print(f"  paper: {ref}")
