import json, sys, time, numpy as np
import synthgen_core as sg
from benchmarks import datasets
name = sys.argv[1]
t = datasets.load(name, seed=0)
out = {}
def score(label, syn):
    r = sg.evaluate(t.train, syn, t.metadata, holdout=t.holdout, seed=0)
    out[label] = dict(det=round(r.detection, 3), alpha=round(r.alpha_precision, 3), beta=round(r.beta_recall, 3), quality=round(r.score, 3))
    print(label, out[label], flush=True)
score("holdout", t.holdout)
for model, kw in [("gaussian_copula", {}), ("tvae", {"epochs": 100}), ("autoregressive", {"device": "cpu"})]:
    m = sg.create(model, seed=0, **kw).fit(t.train, t.metadata)
    score(model + (" (100 epochs)" if model == "tvae" else ""), m.sample(len(t.train), seed=1))
json.dump(out, open(f"/tmp/proto/pr_models_{name}.json", "w"), indent=1)
