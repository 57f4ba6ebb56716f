"""Regenerate the sample images in assets/samples (deterministic; run from the repo root).

python scripts/make_samples.py [--out assets/samples]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnviz.data.samples import SAMPLES, SAMPLES_DIR, find_font, generate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Write every sample as an optimised PNG and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLES_DIR)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"font for text.png: {find_font(cjk=True) or 'Pillow default (Latin only)'}")
    for sample in SAMPLES:
        img = generate(sample.name)
        assert max(img.size) <= 256, (sample.name, img.size)
        path = args.out / sample.filename
        img.save(path, "PNG", optimize=True)
        print(f"{path}  {img.size[0]}x{img.size[1]} {img.mode}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
