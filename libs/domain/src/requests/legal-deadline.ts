/**
 * The legal deadline of a data-subject request (GDPR Art. 12(3)): one month from the date of
 * receipt, counted as Regulation 1182/71 counts months, moved past Saturdays, Sundays and
 * Norwegian public holidays. Dates are calendar dates in Europe/Oslo, written 'YYYY-MM-DD'.
 */

/** A calendar date, 'YYYY-MM-DD'. */
export type CalendarDate = string;

export interface PublicHoliday {
  readonly date: CalendarDate;
  readonly name: string;
}

const OSLO = 'Europe/Oslo';
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

// One formatter for the process: building one per call is the costly part of Intl.
const osloParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: OSLO,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const format = (year: number, month: number, day: number): CalendarDate => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

function parseDate(date: CalendarDate): { year: number; month: number; day: number } {
  const match = DATE_PATTERN.exec(date);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  if (!match || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError('legal-deadline: a calendar date must be YYYY-MM-DD');
  }
  return { year, month, day };
}

/** Days in a month of the Gregorian calendar; `month` is 1-12. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The calendar date in Europe/Oslo of an instant: receipt late in the evening UTC may already be tomorrow there. */
export function osloDate(instantIso: string): CalendarDate {
  const instant = new Date(instantIso);
  if (Number.isNaN(instant.getTime())) throw new RangeError('legal-deadline: not an ISO instant');
  const parts = Object.fromEntries(osloParts.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/**
 * `months` later as Regulation 1182/71 Art. 3(2)(c) counts: the same day number, or the last day
 * of that month when it has no such day (31 Jan + 1 month is the end of February).
 */
export function addMonthsAsRegulation1182(date: CalendarDate, months: number): CalendarDate {
  if (!Number.isInteger(months) || months < 0) throw new RangeError('legal-deadline: months must be a whole number');
  const { year, month, day } = parseDate(date);
  const index = year * 12 + (month - 1) + months;
  const [toYear, toMonth] = [Math.floor(index / 12), (index % 12) + 1];
  return format(toYear, toMonth, Math.min(day, daysInMonth(toYear, toMonth)));
}

/** The day `days` after (or before) a calendar date. */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const { year, month, day } = parseDate(date);
  const next = new Date(Date.UTC(year, month - 1, day) + days * DAY_MS);
  return format(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
}

/** Easter Sunday of a Gregorian year, by the Anonymous (Meeus/Jones/Butcher) computus. */
export function easterSunday(year: number): CalendarDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return format(year, Math.floor(n / 31), (n % 31) + 1);
}

/**
 * Norwegian public holidays of a year, in date order: the helligdager of lov om helligdager og
 * helligdagsfred § 2 other than ordinary Sundays, and 1 and 17 May (lov om 1. og 17. mai).
 * Two may share a date (Whit Monday on 17 May).
 */
export function norwegianPublicHolidays(year: number): readonly PublicHoliday[] {
  const easter = easterSunday(year);
  const fromEaster = (days: number, name: string): PublicHoliday => ({ date: addDays(easter, days), name });
  const fixed = (month: number, day: number, name: string): PublicHoliday => ({ date: format(year, month, day), name });
  return [
    fixed(1, 1, 'Første nyttårsdag'),
    fromEaster(-3, 'Skjærtorsdag'),
    fromEaster(-2, 'Langfredag'),
    fromEaster(0, 'Første påskedag'),
    fromEaster(1, 'Andre påskedag'),
    fixed(5, 1, 'Offentlig høytidsdag'),
    fixed(5, 17, 'Grunnlovsdag'),
    fromEaster(39, 'Kristi himmelfartsdag'),
    fromEaster(49, 'Første pinsedag'),
    fromEaster(50, 'Andre pinsedag'),
    fixed(12, 25, 'Første juledag'),
    fixed(12, 26, 'Andre juledag'),
  ].sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

const holidayDatesByYear = new Map<number, ReadonlySet<CalendarDate>>();

function holidayDates(year: number): ReadonlySet<CalendarDate> {
  let dates = holidayDatesByYear.get(year);
  if (!dates) {
    dates = new Set(norwegianPublicHolidays(year).map((h) => h.date));
    holidayDatesByYear.set(year, dates);
  }
  return dates;
}

/** A day that is neither a Saturday, a Sunday nor a Norwegian public holiday. */
export function isWorkingDay(date: CalendarDate): boolean {
  const { year, month, day } = parseDate(date);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidayDates(year).has(date);
}

/** The date itself when it is a working day, else the next working day after it. */
export function workingDayOnOrAfter(date: CalendarDate): CalendarDate {
  let day = date;
  while (!isWorkingDay(day)) day = addDays(day, 1);
  return day;
}

/**
 * The due date of a request received at `receivedAtIso` (CONTRACT §8): the Oslo date of receipt
 * plus one month, plus the months of any extension, counted from receipt each time rather than
 * from the earlier due date, then moved to a working day.
 */
export function requestDueDate(receivedAtIso: string, extendedMonths = 0): CalendarDate {
  if (!Number.isInteger(extendedMonths) || extendedMonths < 0) {
    throw new RangeError('legal-deadline: extendedMonths must be a whole number');
  }
  return workingDayOnOrAfter(addMonthsAsRegulation1182(osloDate(receivedAtIso), 1 + extendedMonths));
}

/** Open after its due date has ended in Europe/Oslo: the whole due date still counts as in time. */
export function isOverdue(dueDate: CalendarDate, nowIso: string): boolean {
  parseDate(dueDate);
  return osloDate(nowIso) > dueDate;
}

/** Answered on or before the due date, as a calendar day in Europe/Oslo. */
export function answeredOnTime(dueDate: CalendarDate, answeredAtIso: string): boolean {
  parseDate(dueDate);
  return osloDate(answeredAtIso) <= dueDate;
}
