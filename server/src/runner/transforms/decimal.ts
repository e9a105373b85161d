/** Exact sums of decimal text ("12.30" + "0.7" = "13.00"): BigInt with a common scale, no float rounding. */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

export interface DecimalSum {
  units: bigint;
  scale: number;
}

export function isDecimalText(value: unknown): value is string {
  return typeof value === "string" && DECIMAL.test(value.trim()) && /\d/.test(value);
}

function rescale(units: bigint, from: number, to: number): bigint {
  return to > from ? units * 10n ** BigInt(to - from) : units;
}

export function addDecimal(sum: DecimalSum, text: string): DecimalSum {
  const m = DECIMAL.exec(text.trim()) as RegExpExecArray;
  const fraction = m[3] ?? "";
  const units = BigInt(`${m[1] === "-" ? "-" : ""}${(m[2] || "0") + fraction}`);
  const scale = Math.max(sum.scale, fraction.length);
  return { units: rescale(sum.units, sum.scale, scale) + rescale(units, fraction.length, scale), scale };
}

export function decimalText(sum: DecimalSum): string {
  const negative = sum.units < 0n;
  const digits = (negative ? -sum.units : sum.units).toString().padStart(sum.scale + 1, "0");
  const whole = digits.slice(0, digits.length - sum.scale);
  const fraction = sum.scale > 0 ? `.${digits.slice(digits.length - sum.scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}
