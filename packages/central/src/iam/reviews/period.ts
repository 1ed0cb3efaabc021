/**
 * Review periods: the year cut into periods of `months` months from January. The label
 * names the period: quarters "2026-Q1", half years "2026-H1", months "2026-03", years
 * "2026", other lengths "2026-P1".
 */
export interface ReviewPeriod {
  readonly label: string;
  /** First local date of the period (YYYY-MM-DD). */
  readonly start: string;
  /** First local date of the next period. */
  readonly next: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

function prefix(months: number): string {
  if (months === 3) return "Q";
  if (months === 6) return "H";
  return "P";
}

function periodAt(year: number, index: number, months: number): ReviewPeriod {
  const perYear = Math.ceil(12 / months);
  const startMonth = index * months + 1;
  const nextIndex = index + 1;
  const next =
    nextIndex >= perYear ? `${year + 1}-01-01` : `${year}-${pad(nextIndex * months + 1)}-01`;
  let label: string;
  if (months === 12) label = String(year);
  else if (months === 1) label = `${year}-${pad(startMonth)}`;
  else label = `${year}-${prefix(months)}${index + 1}`;
  return { label, start: `${year}-${pad(startMonth)}-01`, next };
}

/** The period a local date (YYYY-MM-DD) falls in. */
export function periodOf(date: string, months: number): ReviewPeriod {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return periodAt(year, Math.floor((month - 1) / months), months);
}

/** The period a label names, or undefined when it is no label of this period length. */
export function parsePeriod(label: string, months: number): ReviewPeriod | undefined {
  const m = /^(\d{4})(?:-(?:([QHP])(\d{1,2})|(\d{2})))?$/.exec(label);
  if (m === null) return undefined;
  const year = Number(m[1]);
  let index: number;
  if (m[3] !== undefined) index = Number(m[3]) - 1;
  else if (m[4] !== undefined) index = Number(m[4]) - 1;
  else index = 0;
  if (index < 0 || index >= Math.ceil(12 / months)) return undefined;
  const period = periodAt(year, index, months);
  return period.label === label ? period : undefined;
}
