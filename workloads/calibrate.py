#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Calibration aid for the page-write presets (workloads/params.c): runs an
# expected-value model of Clark et al.'s pre-copy, with Xen's 2005 skip
# rule and adaptive rate, on each preset and prints what it predicts next to
# what the paper reports ([Clark05] in docs/references.md). Not part of the
# build; the numbers it prints are model outputs, not measurements.
#
# Model (see workloads/README.md): pages fall in classes of n pages each
# written by its own Poisson stream of rate λ = writes/s ÷ n. A round sends
# its to-send set at rate R, examining pages at times τ uniform on [0, T);
# a page written in [0, τ) is skipped (Xen peeks the dirty bitmap), so a
# class of s pages sends s·φ(λT), φ(x) = (1 − e^−x)/x, and T is the fixed
# point T = sent·P·8/R. Pages written during the round, n(1 − e^−λT) per
# class, form the next round's set. Rate and stop rules: [Clark05] §5 and [XenLegacy].
import math

PAGE = 4096
MIBIT = 2**20  # Clark's "Mbit" is binary ([XenLegacy], token bucket)


def phi(x):
    return 1.0 if x < 1e-12 else -math.expm1(-x) / x


def precopy(classes, start=100, step=50, cap=500, final_rate=None,
            stop_bytes=256 * 1024, max_iters=29):
    """classes: [(pages, writes_per_s)]. Returns a dict of model outputs."""
    m = sum(n for n, _ in classes)
    lam = [w / n if n else 0.0 for n, w in classes]
    send = [float(n) for n, _ in classes]
    rate, total, last_sent, it = start, 0.0, None, 0
    rounds = []
    while True:
        it += 1
        bps = rate * MIBIT / 8
        t = sum(send) * PAGE / bps
        for _ in range(500):  # damped fixed-point iteration, monotone
            sent = sum(s * phi(l * t) for s, l in zip(send, lam))
            t2 = sent * PAGE / bps
            if abs(t2 - t) < 1e-12:
                break
            t = 0.5 * (t + t2)
        sent = sum(s * phi(l * t) for s, l in zip(send, lam))
        total += sent
        dirty = [n * -math.expm1(-l * t) for (n, _), l in zip(classes, lam)]
        d = sum(dirty)
        dirty_rate = d * PAGE * 8 / (t * MIBIT) if t > 0 else 0.0
        rounds.append((rate, sent, t, d))
        stop = None
        if dirty_rate > rate:  # Xen 2005: the rate only ever increases
            if dirty_rate + step > cap:
                stop = "rate above the cap"
            rate = min(dirty_rate + step, cap)
        if d * PAGE < stop_bytes:
            stop = stop or "under 256 KiB left"
        if last_sent is not None and sent > last_sent and rate == cap:
            stop = stop or "not converging at the cap"
        if it >= max_iters:
            stop = stop or "29 rounds"
        if total > 3 * m:
            stop = stop or "3x memory sent"
        last_sent = sent
        send = dirty
        if stop:
            break
    final = d
    return {
        "round1_mib": rounds[0][1] * PAGE / 2**20,
        "total_mib": (total + final) * PAGE / 2**20,
        "final_kib": final * PAGE / 1024,
        "last_round_s": rounds[-1][2],
        "rounds": len(rounds),
        "downtime_s": final * PAGE * 8 / ((final_rate or cap) * MIBIT),
        "stop": stop,
    }


MIB = 256  # 4 KiB pages per MiB

# name: (VM pages, classes, final-round rate in Mibit/s, the paper's numbers)
PRESETS = {
    "specweb": (800 * MIB, [(20 * MIB, 50000), (780 * MIB, 1000)], 724,
                "round 1 676.8 MiB, total 960 MiB, final 18.2 MiB"),
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
        print(f"{name}: round 1 {r['round1_mib']:.1f} MiB, total "
              f"{r['total_mib']:.1f} MiB, final {r['final_kib'] / 1024:.2f} "
              f"MiB ({r['final_kib']:.0f} KiB) after a last round of "
              f"{r['last_round_s'] * 1000:.0f} ms, {r['rounds']} live "
              f"rounds, stop: {r['stop']}, final copy "
              f"{r['downtime_s'] * 1000:.0f} ms")
        print(f"  paper: {ref}")
