/**
 * Rounds factor contributions to one decimal so that they add up exactly to
 * the rounded total (largest-remainder rounding): the score is the exact sum
 * rounded to one decimal, each factor gets its value rounded down to a tenth,
 * and the tenths still missing go to the factors with the largest remainders
 * (the earlier factor first on a tie). A factor's shown points can therefore
 * differ from its own rounding by 0.1, never more, and a factor worth exactly
 * 0 always shows 0.
 */
export function apportionTenths(values: readonly number[]): { total: number; parts: number[] } {
  const scaled = values.map((v) => v * 10);
  // 1e-9 absorbs binary noise (9.8 × 5 × 10 = 489.99999…): tenths are the unit here.
  const floors = scaled.map((v) => Math.floor(v + 1e-9));
  const totalTenths = Math.round(scaled.reduce((a, b) => a + b, 0) + 1e-9);
  let missing = totalTenths - floors.reduce((a, b) => a + b, 0);
  const order = scaled
    .map((v, i) => ({ i, rem: v - (floors[i] ?? 0) }))
    .filter((r) => r.rem > 1e-9)
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  const parts = [...floors];
  for (const { i } of order) {
    if (missing <= 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    missing--;
  }
  return { total: tenths(totalTenths), parts: parts.map(tenths) };
}

function tenths(n: number): number {
  const v = n / 10;
  return v === 0 ? 0 : v; // no -0
}
