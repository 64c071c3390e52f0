/**
 * Cron validation for `schedule` (decisions.md, "Syntax variants"): five
 * fields (minute hour day-of-month month day-of-week), or six with seconds
 * first. Returns a description of the first problem, or null.
 */
const FIELDS5 = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];
const SECONDS = { name: "second", min: 0, max: 59 };

export function validateCron(expr: string): string | null {
  const parts = expr.trim().split(/\s+/);
  if (expr.trim().startsWith("@")) {
    return ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly"].includes(expr.trim()) ? null : `unknown nickname ${expr.trim()}`;
  }
  if (parts.length !== 5 && parts.length !== 6) return `expected 5 or 6 fields, found ${parts.length}`;
  const fields = parts.length === 6 ? [SECONDS, ...FIELDS5] : FIELDS5;
  for (let i = 0; i < parts.length; i++) {
    const problem = validateField(parts[i]!, fields[i]!);
    if (problem) return `${fields[i]!.name} field \`${parts[i]}\`: ${problem}`;
  }
  return null;
}

function validateField(field: string, spec: { min: number; max: number; names?: string[] }): string | null {
  for (const item of field.split(",")) {
    const [range, step] = item.split("/");
    if (step !== undefined && !/^\d+$/.test(step)) return `step \`${step}\` is not a number`;
    if (step !== undefined && Number(step) === 0) return "a step of 0 never fires";
    if (range === "*" || range === "?") continue;
    const bounds = range!.split("-");
    if (bounds.length > 2) return `\`${range}\` is not a range`;
    for (const b of bounds) {
      const value = spec.names && spec.names.includes(b.toLowerCase()) ? spec.min : /^\d+$/.test(b) ? Number(b) : NaN;
      if (Number.isNaN(value)) return `\`${b}\` is not a number`;
      if (value < spec.min || value > spec.max) return `${value} is outside ${spec.min}-${spec.max}`;
    }
  }
  return null;
}
