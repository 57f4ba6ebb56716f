"""Reproduce the bundled weights in assets/weights/ and their manifest.json.

Each recipe trains with the same Trainer the live page and ``python -m cnnviz train`` use,
evaluates on the full MNIST test set after every epoch, saves ``assets/weights/<model>.npz``
and records test accuracy (full and on the first 2000 test images, which the tests re-check),
settings, training seconds and throughput in ``assets/weights/manifest.json``. Runs that only
check a target (``bundle=False``) are recorded under ``runs`` without a weights file.

    python scripts/train_pretrained.py                        # every recipe, one after another
    python scripts/train_pretrained.py simple_convnet lenet5  # some of them
    python scripts/train_pretrained.py --list

Several recipes can run in parallel processes (e.g. with OPENBLAS_NUM_THREADS=1 each): the
manifest is updated under a file lock, entry by entry.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnnviz.data.mnist import mnist_arrays  # noqa: E402
from cnnviz.training import TrainConfig, Trainer, evaluate_model  # noqa: E402
from cnnviz.training.structure import layer_structure  # noqa: E402
from cnnviz.weights import WEIGHTS_DIR  # noqa: E402

MANIFEST = WEIGHTS_DIR / "manifest.json"

# name -> (TrainConfig keyword arguments, bundle the weights?, weights file stem)
# ``standardize`` is explicit everywhere: most bundled files were trained on raw [0, 1] pixels
# (standardize=False, what their files imply by not recording the setting), so each recipe
# still reproduces its file; simple_convnet and lenet5 were retrained standardised (issue 10).
RECIPES: dict[str, tuple[dict[str, Any], bool, str]] = {
    # the first target: Adam, lr 1e-3, batch 100, one epoch, with the model
    # standardising its input as PyTorch's MNIST example does (not bundled)
    "simple_convnet_1epoch": (dict(model="simple_convnet", optimizer="adam", lr=1e-3,
                                   batch_size=100, epochs=1, standardize=True), False, ""),
    # the same on raw [0, 1] pixels (the Trainer's behaviour before standardisation)
    "simple_convnet_1epoch_raw": (dict(model="simple_convnet", optimizer="adam", lr=1e-3,
                                       batch_size=100, epochs=1, standardize=False), False, ""),
    # raw pixels with twice the rate: one epoch is rate-limited, not capacity-limited
    "simple_convnet_1epoch_lr2e-3": (dict(model="simple_convnet", optimizer="adam", lr=2e-3,
                                          batch_size=100, epochs=1, standardize=False),
                                     False, ""),
    # retrained from the notes' start (weights N(0, 0.01²)), standardised input
    "simple_convnet": (dict(model="simple_convnet", optimizer="adam", lr=1e-3, batch_size=100,
                            epochs=10, schedule="cosine", standardize=True),
                       True, "simple_convnet"),
    "convnet_bn": (dict(model="convnet_bn", optimizer="adam", lr=2e-3, batch_size=100,
                        epochs=8, schedule="cosine", augment=True, standardize=False),
                   True, "convnet_bn"),
    # retrained with its first layer started small (N(0, 0.01²)), standardised input
    "lenet5": (dict(model="lenet5", optimizer="adam", lr=1e-3, batch_size=100, epochs=3,
                    schedule="cosine", standardize=True), True, "lenet5"),
    "lenet5_classic": (dict(model="lenet5_classic", optimizer="adam", lr=2e-3, batch_size=100,
                            epochs=2, schedule="cosine", standardize=False),
                       True, "lenet5_classic"),
    "separable_net": (dict(model="separable_net", optimizer="adam", lr=1e-3, batch_size=100,
                           epochs=1, standardize=False), True, "separable_net"),
    "resnet_small": (dict(model="resnet_small", optimizer="adam", lr=1e-3, batch_size=100,
                          epochs=1, standardize=False), True, "resnet_small"),
    "alexnet_small": (dict(model="alexnet_small", optimizer="adam", lr=1e-3, batch_size=100,
                           epochs=1, standardize=False), True, "alexnet_small"),
}


def update_manifest(section: str, name: str, entry: dict[str, Any]) -> None:
    """Merge one entry into manifest.json under an exclusive lock (parallel runs are fine)."""
    WEIGHTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(Path(tempfile.gettempdir()) / "cnnviz-manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
        data.setdefault("dataset", "MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0)")
        data.setdefault("generated_by", "python scripts/train_pretrained.py")
        data.setdefault("note", "test_accuracy: all 10,000 test images; "
                        "test_accuracy_first_2000: the first 2,000 (checked by the tests); "
                        "seconds measured on a shared, busy 2-core machine.")
        data.setdefault("models", {})
        data.setdefault("runs", {})
        data[section][name] = entry
        data[section] = dict(sorted(data[section].items()))
        MANIFEST.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def run_recipe(name: str, log_every: float = 30.0) -> dict[str, Any]:
    kwargs, bundle, stem = RECIPES[name]
    cfg = TrainConfig(**kwargs, seed=0, test_limit=1000, eval_every=0)
    trainer = Trainer(cfg)
    x_test, y_test = mnist_arrays("test")
    by_epoch: list[float] = []
    start = time.perf_counter()
    last_log = start
    print(f"[{name}] {cfg.model}: {trainer.total_steps} steps, {trainer.parameter_count():,} "
          f"parameters", flush=True)
    while not trainer.done:
        events = trainer.run(steps=trainer.steps_per_epoch - trainer.step % trainer.steps_per_epoch
                             if trainer.step % trainer.steps_per_epoch else
                             trainer.steps_per_epoch, seconds=log_every)
        now = time.perf_counter()
        if events and trainer.step % trainer.steps_per_epoch == 0:
            acc = evaluate_model(trainer.model, x_test, y_test).accuracy
            by_epoch.append(round(acc, 4))
            print(f"[{name}] epoch {len(by_epoch)}: test accuracy {acc:.2%}  "
                  f"({trainer.images_per_second:,.0f} img/s, {trainer.seconds:,.0f} s)",
                  flush=True)
        elif events and now - last_log >= 0.8 * log_every:
            e = events[-1]
            print(f"[{name}] step {e.step}/{trainer.total_steps} loss {e.loss_avg:.4f} "
                  f"{trainer.images_per_second:,.0f} img/s", flush=True)
        last_log = now if events else last_log
    if trainer.stopped_reason is not None:
        raise SystemExit(f"[{name}] {trainer.stopped_reason.message.en}")
    full = evaluate_model(trainer.model, x_test, y_test)
    first = evaluate_model(trainer.model, x_test[:2000], y_test[:2000])
    entry: dict[str, Any] = {
        "model": cfg.model,
        "test_accuracy": round(full.accuracy, 4),
        "test_accuracy_first_2000": round(first.accuracy, 4),
        "test_accuracy_by_epoch": by_epoch,
        "settings": {k: v for k, v in cfg.to_json().items()
                     if k not in ("init", "test_limit", "eval_every", "ema", "train_limit")},
        "params": trainer.parameter_count(),
        "first_layer_structure": round(layer_structure(trainer.first_layer_weights()), 3),
        "train_seconds": round(trainer.seconds, 1),
        "wall_seconds": round(time.perf_counter() - start, 1),
        "images_per_second": round(trainer.images_per_second, 1),
        "date": time.strftime("%Y-%m-%d"),
    }
    if bundle:
        path = trainer.save(WEIGHTS_DIR / f"{stem}.npz", test_accuracy=entry["test_accuracy"],
                            test_accuracy_first_2000=entry["test_accuracy_first_2000"])
        entry["file"] = path.name
        entry["bytes"] = path.stat().st_size
    update_manifest("models" if bundle else "runs", name, entry)
    print(f"[{name}] done: {json.dumps(entry)}", flush=True)
    return entry


def write_readme() -> Path:
    """assets/weights/README.md: the manifest as a table a person reads."""
    data = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {"models": {}, "runs": {}}
    lines = [
        "# Pretrained weights",
        "",
        "Trained on the 60,000 MNIST training images by `python scripts/train_pretrained.py`",
        "(the same `cnnviz.training.Trainer` as the live page and `python -m cnnviz train`), "
        "seed 0.",
        "Accuracy is on all 10,000 test images; `manifest.json` has every setting, the accuracy",
        "after each epoch and on the first 2,000 test images (which `tests/test_train.py`",
        "re-checks). Times are from a shared, busy 2-core machine: compare them with care.",
        "",
        "| file | model | params | epochs | optimiser, lr, schedule | augment | input |"
        " test accuracy | train time | images/s |",
        "| --- | --- | ---: | ---: | --- | --- | --- | ---: | ---: | ---: |",
    ]
    rows = [(e.get("file", "(not bundled)"), name, e) for name, e in data["models"].items()]
    rows += [("(not bundled)", name, e) for name, e in data.get("runs", {}).items()]
    for file, name, e in rows:
        st = e["settings"]
        lines.append(
            f"| {file} | {name} | {e['params']:,} | {st['epochs']} | {st['optimizer']}, "
            f"{st['lr']:g}, {st['schedule']} | {'shifts ±2 px' if st.get('augment') else 'no'} "
            f"| {'standardised' if st.get('standardize') else 'raw [0, 1]'} "
            f"| **{e['test_accuracy']:.2%}** | {e['train_seconds']:,.0f} s | "
            f"{e['images_per_second']:,.0f} |")
    lines += [
        "",
        "simple_convnet after one epoch (Adam, lr 1e-3, batch 100, constant rate) on raw",
        "[0, 1] pixels reaches 97.42 %, short of the 98.0 % hoped for; PyTorch, given the same",
        "initial weights and the same batches (benchmarks/_common.py builds the twin), reaches",
        "exactly the same 97.42 % (seed 1: 97.68 %). With the model standardising its input as",
        "PyTorch's MNIST example does, (x − 0.1307) / 0.3081 (`build_model(...,",
        "standardize=True)`, the default for fresh models), the same run reaches 98.07 %",
        "(seed 1: 98.03 %); `python -m cnnviz train` with all BLAS threads gave 98.01 %",
        "(sums in another order). Ten epochs at 1e-3 on raw pixels reach 98.96 %.",
        "simple_convnet and lenet5 were retrained (issue 10) from a first layer started as the",
        "notes' SimpleConvNet starts, N(0, 0.01²) with bias 0 (simple_convnet's dense layers He-",
        "initialised), on standardised input: their first-layer filters score 0.357 and 0.535",
        "on `cnnviz.training.structure` (smooth strokes ≥ 0.3; the files before: 0.224 and",
        "0.125) at 98.96 % (as before) and 98.40 % (before: 98.09 %). The other bundled files",
        "were trained on raw pixels: their metadata has no `input_standardize`, so they load",
        "with standardisation off, as trained.",
        "The one-epoch models (alexnet_small, resnet_small, separable_net) are bundled so that",
        "every architecture has trained filters to look at, not as accuracy showcases.",
    ]
    lines += ["", "Load one with `cnnviz.weights.load_model(path)` or start training from it with",
              "`TrainConfig(init=\"pretrained\")`; `python -m cnnviz evaluate FILE.npz` re-checks",
              "it. MNIST: Yann LeCun, Corinna Cortes, Christopher Burges (CC BY-SA 3.0).", ""]
    path = WEIGHTS_DIR / "README.md"
    path.write_text("\n".join(lines))
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("recipes", nargs="*", help="default: all, in order")
    p.add_argument("--list", action="store_true")
    p.add_argument("--readme", action="store_true", help="only rewrite README.md from manifest")
    args = p.parse_args(argv)
    if args.list:
        for name, (kw, bundle, _) in RECIPES.items():
            print(f"{name:24s} {'bundled ' if bundle else 'check   '} {kw}")
        return 0
    if args.readme:
        print(write_readme())
        return 0
    names = args.recipes or list(RECIPES)
    unknown = [n for n in names if n not in RECIPES]
    if unknown:
        p.error(f"unknown recipe(s): {', '.join(unknown)}")
    for name in names:
        run_recipe(name)
        write_readme()
    return 0


if __name__ == "__main__":
    sys.exit(main())
