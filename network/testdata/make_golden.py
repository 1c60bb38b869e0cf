#!/usr/bin/python3
"""Writes golden.json, the golden values of network's tests, with a numpy
reference implementation of the same network (float64): a module twolayer.py
that provides init_params, the forward pass, the cost, the analytic and
numeric gradients and minibatch_gd, in the assignment's layout (one image per
column). It is not part of this repository; give its path as the argument.

Run from the repository root:

    /usr/bin/python3 network/testdata/make_golden.py PATH/TO/twolayer.py > network/testdata/golden.json

Everything the Go test needs is in the file: the inputs (images one per row,
as the Go package stores them; the reference's X is their transpose), the
labels, the parameters, and the reference's outputs. Floats are written by
json with repr, the shortest string that reads back to the same float64.

Two problems:
  "gradients": d=30, n=5, m=8, K=10, lambda=0.01: P, cost, loss, accuracy,
      the analytic gradients, and the forward and centered numeric gradients
      (h=1e-5).
  "training": minibatch_gd on n=20 training and 10 validation images, d=30,
      m=8, batch 5, n_s=4, 2 cycles, 4 recordings per cycle plus step 0,
      eta 1e-3..0.2, lambda=0.01, no shuffling: the history and the final
      parameters.
"""
import importlib.util
import json
import sys

import numpy as np

if len(sys.argv) != 2:
    sys.exit("usage: make_golden.py PATH/TO/twolayer.py > golden.json (the numpy reference implementation)")
REF = sys.argv[1]
spec = importlib.util.spec_from_file_location("twolayer", REF)
tl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tl)

K = 10


def params_json(p):
    return {"W1": p["W1"].tolist(), "b1": p["b1"][:, 0].tolist(),
            "W2": p["W2"].tolist(), "b2": p["b2"][:, 0].tolist()}


def make_params(rng, d, m):
    p = tl.init_params(m=m, seed=int(rng.integers(1 << 31)), d=d, k=K, init="sqrt")
    p["b1"] = rng.normal(0.0, 0.1, size=(m, 1))  # non-zero biases, so they matter
    p["b2"] = rng.normal(0.0, 0.1, size=(K, 1))
    return p


def gradients_problem(rng):
    d, n, m, lam, h = 30, 5, 8, 0.01, 1e-5
    X = rng.normal(0.0, 1.0, size=(n, d))  # one image per row
    y = rng.integers(0, K, size=n)
    p = make_params(rng, d, m)
    Xc, Y = np.ascontiguousarray(X.T), tl.labels_to_onehot(y, K)  # reference layout d x n
    P = tl.evaluate_classifier(Xc, p)
    cost, loss = tl.compute_cost(Xc, Y, p, lam)
    return {
        "d": d, "n": n, "m": m, "k": K, "lambda": lam, "h": h,
        "X": X.tolist(), "y": y.tolist(), "params": params_json(p),
        "P": P.tolist(), "cost": float(cost), "loss": float(loss),
        "accuracy": tl.compute_accuracy(Xc, y, p),
        "grads": params_json(tl.compute_gradients(Xc, Y, p, lam)),
        "grads_num": params_json(tl.compute_grads_num(Xc, Y, p, lam, h)),
        "grads_num_slow": params_json(tl.compute_grads_num_slow(Xc, Y, p, lam, h)),
    }


def training_problem(rng):
    d, m, n, nv = 30, 8, 20, 10
    cfg = {"eta_min": 1e-3, "eta_max": 0.2, "n_s": 4, "n_batch": 5, "cycles": 2,
           "evals_per_cycle": 4, "lambda": 0.01}
    X, Xv = rng.normal(size=(n, d)), rng.normal(size=(nv, d))
    y, yv = rng.integers(0, K, size=n), rng.integers(0, K, size=nv)
    p0 = make_params(rng, d, m)
    tr = (np.ascontiguousarray(X.T), tl.labels_to_onehot(y, K), y)
    va = (np.ascontiguousarray(Xv.T), tl.labels_to_onehot(yv, K), yv)
    p, hist = tl.minibatch_gd(tr, va, tl.copy_params(p0), cfg["lambda"], eta_min=cfg["eta_min"],
                              eta_max=cfg["eta_max"], n_s=cfg["n_s"], n_batch=cfg["n_batch"],
                              cycles=cfg["cycles"], evals_per_cycle=cfg["evals_per_cycle"],
                              record_initial=True, shuffle=False)
    keys = ("train_cost", "train_loss", "train_acc", "val_cost", "val_loss", "val_acc")
    return {
        "d": d, "m": m, "k": K, "config": cfg,
        "X": X.tolist(), "y": y.tolist(), "Xval": Xv.tolist(), "yval": yv.tolist(),
        "params0": params_json(p0), "params": params_json(p),
        "history": dict({k: [float(v) for v in hist[k]] for k in keys},
                        steps=[int(v) for v in hist["steps"]]),
        "eta": hist["eta"].tolist(),
    }


def main():
    rng = np.random.default_rng(20260101)
    out = {
        "generator": "network/testdata/make_golden.py (numpy %s, reference %s)" % (np.__version__, REF),
        "gradients": gradients_problem(rng),
        "training": training_problem(rng),
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
