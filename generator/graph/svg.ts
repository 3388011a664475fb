/**
 * DOT → SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no browser, no native binary.
 * The SVG carries no timestamp, so the same DOT always gives the same bytes.
 */
import { instance } from '@viz-js/viz';

let viz: ReturnType<typeof instance> | undefined;

export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  const v = await viz;
  const result = v.render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    throw new Error(`graphviz could not lay out the picture: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  // Graphviz sizes boxes with Helvetica's metrics; name the fonts with those metrics (Arial, Liberation
  // Sans) before the generic fallback, so viewers without Helvetica do not overflow the boxes.
  return result.output.replaceAll('font-family="Helvetica,sans-Serif"', 'font-family="Helvetica,Arial,Liberation Sans,sans-serif"');
}
