"""What a projector audience would notice, measured in the rendered page (issue 9's rules).

``layout_report(pg)`` returns, for the page on screen: text boxes that overlap inside each
chart, the smallest digit size in animation grids, formulas wider than their box, the first
animation's height, and the worst caption contrast as rendered (colour and opacity against
the page background). Used by the classroom layout test and ``scripts/classroom_audit.py``.
"""

from __future__ import annotations

from typing import Any

LAYOUT_JS = r"""() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const vis = r => r.width > 0.5 && r.height > 0.5;
  const out = {overlaps: [], grid_digit_px: null, formulas_clipped: [], animation_px: null,
               caption_contrast: null, caption_worst: ''};
  // 1. text overlapping text inside a chart (plotly draws every label as SVG <text>)
  for (const [p, plot] of Array.from(main.querySelectorAll('.js-plotly-plot')).entries()) {
    const boxes = Array.from(plot.querySelectorAll('text'))
      .filter(t => t.textContent.trim() && getComputedStyle(t).visibility !== 'hidden'
                   && getComputedStyle(t).opacity !== '0')
      .map(t => [t, t.getBoundingClientRect()]).filter(([t, r]) => vis(r));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      const small = Math.min(ra.width * ra.height, rb.width * rb.height);
      // the same label drawn twice on itself (an outline under a fill) is one label
      const twin = a.textContent === b.textContent && w * h > 0.9 * small;
      if (w > 2 && h > 2 && w * h > 0.15 * small && !twin)
        out.overlaps.push(`chart ${p}: "${a.textContent.slice(0, 30)}" × `
                          + `"${b.textContent.slice(0, 30)}"`);
    }
  }
  // 2. digits drawn in grid cells (heatmap text): their rendered size in px
  const cellText = '.js-plotly-plot .heatmaplayer text, .js-plotly-plot g.textpoint text';
  const digits = Array.from(main.querySelectorAll(cellText))
    .filter(t => /^[\s−\-+]?\d/.test(t.textContent)).map(t => t.getBoundingClientRect().height)
    .filter(h => h > 0);
  if (digits.length) out.grid_digit_px = Math.min(...digits);
  // 3. formulas wider than the box that shows them
  const mainRight = main.getBoundingClientRect().right;
  const maths = '.katex-display, [data-testid="stMarkdownContainer"] .katex';
  for (const k of main.querySelectorAll(maths)) {
    const r = k.getBoundingClientRect();
    const box = k.closest('[data-testid="stElementContainer"], .element-container') || main;
    const br = box.getBoundingClientRect();
    const clipped = r.right > Math.min(br.right, mainRight) + 1
                    || k.scrollWidth > k.clientWidth + 1;
    if (vis(r) && clipped)
      out.formulas_clipped.push(k.textContent.slice(0, 60));
  }
  // 4. the first animation (a chart with play buttons): its height on screen
  const anim = Array.from(main.querySelectorAll('.js-plotly-plot'))
    .find(p => p.querySelector('.updatemenu-button'));
  if (anim) out.animation_px = anim.getBoundingClientRect().height;
  // 5. captions: contrast of the rendered colour (with inherited opacity) on the background
  const lin = v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const lum = c => { const s = c.map(v => lin(v / 255));
                     return 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2]; };
  const rgb = s => (s.match(/[\d.]+/g) || [0, 0, 0]).map(Number);
  for (const c of main.querySelectorAll('[data-testid="stCaptionContainer"]')) {
    if (!vis(c.getBoundingClientRect())) continue;
    let alpha = 1;
    for (let e = c; e; e = e.parentElement) alpha *= parseFloat(getComputedStyle(e).opacity);
    const fg = rgb(getComputedStyle(c).color); const fa = (fg.length > 3 ? fg[3] : 1) * alpha;
    let bg = [255, 255, 255];
    for (let e = c; e; e = e.parentElement) { const b = rgb(getComputedStyle(e).backgroundColor);
      if (b.length < 4 || b[3] > 0) { bg = b.slice(0, 3); break; } }
    const mixed = fg.slice(0, 3).map((v, i) => v * fa + bg[i] * (1 - fa));
    const L1 = lum(mixed), L2 = lum(bg);
    const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
    if (out.caption_contrast === null || ratio < out.caption_contrast) {
      out.caption_contrast = ratio; out.caption_worst = c.textContent.slice(0, 50); }
  }
  return out;
}"""


def layout_report(pg: Any) -> dict[str, Any]:  # noqa: ANN401 - a Playwright page
    """The measurements above for the page now on screen."""
    return pg.evaluate(LAYOUT_JS)


def problems(report: dict[str, Any], *, min_digit_px: float = 16, max_animation_px: float = 720,
             min_contrast: float = 4.5) -> list[str]:
    """What breaks the classroom rules in ``report`` (empty when the page passes)."""
    found = [f"overlap: {o}" for o in report["overlaps"]]
    if report["grid_digit_px"] is not None and report["grid_digit_px"] < min_digit_px:
        found.append(f"grid digits {report['grid_digit_px']:.1f} px < {min_digit_px}")
    found += [f"formula clipped: {f}" for f in report["formulas_clipped"]]
    if report["animation_px"] is not None and report["animation_px"] > max_animation_px:
        found.append(f"animation {report['animation_px']:.0f} px tall > {max_animation_px}")
    if report["caption_contrast"] is not None and report["caption_contrast"] < min_contrast:
        found.append(f"caption contrast {report['caption_contrast']:.2f} < {min_contrast}: "
                     f"{report['caption_worst']!r}")
    return found
