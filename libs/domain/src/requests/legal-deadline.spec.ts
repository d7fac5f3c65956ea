import {
  addDays,
  addMonthsAsRegulation1182,
  answeredOnTime,
  easterSunday,
  isOverdue,
  isWorkingDay,
  norwegianPublicHolidays,
  osloDate,
  requestDueDate,
  workingDayOnOrAfter,
} from './legal-deadline';

describe('osloDate', () => {
  it.each([
    ['2026-02-09T22:59:59Z', '2026-02-09', 'winter: 23:59:59 in Oslo'],
    ['2026-02-09T23:00:00Z', '2026-02-10', 'winter: midnight in Oslo is 23:00 UTC'],
    ['2026-06-14T21:59:59Z', '2026-06-14', 'summer: 23:59:59 in Oslo'],
    ['2026-06-14T22:00:00Z', '2026-06-15', 'summer: midnight in Oslo is 22:00 UTC'],
    ['2026-03-28T22:59:59Z', '2026-03-28', 'the evening before the spring change, still winter time'],
    ['2026-03-28T23:00:00Z', '2026-03-29', 'the spring change day begins at 23:00 UTC'],
    ['2026-03-29T00:59:59Z', '2026-03-29', 'the last second of winter time'],
    ['2026-03-29T01:00:00Z', '2026-03-29', 'clocks jump to 03:00 in Oslo'],
    ['2026-03-29T21:59:59Z', '2026-03-29', 'the spring change day ends at 22:00 UTC'],
    ['2026-03-29T22:00:00Z', '2026-03-30', 'the first midnight of summer time'],
    ['2026-10-24T21:59:59Z', '2026-10-24', 'the evening before the autumn change, still summer time'],
    ['2026-10-24T22:00:00Z', '2026-10-25', 'the autumn change day begins at 22:00 UTC'],
    ['2026-10-25T00:30:00Z', '2026-10-25', 'the first 02:30 in Oslo'],
    ['2026-10-25T01:30:00Z', '2026-10-25', 'the second 02:30 in Oslo'],
    ['2026-10-25T22:59:59Z', '2026-10-25', 'the autumn change day ends at 23:00 UTC'],
    ['2026-10-25T23:00:00Z', '2026-10-26', 'the first midnight of winter time'],
    ['2026-12-31T23:00:00Z', '2027-01-01', 'a new year in Oslo before it is one in UTC'],
    ['2026-06-15T01:30:00+02:00', '2026-06-15', 'an instant written with an offset'],
  ])('%s is %s in Oslo (%s)', (instant, expected) => {
    expect(osloDate(instant)).toBe(expected);
  });

  it('refuses what is not an instant', () => {
    expect(() => osloDate('yesterday')).toThrow(RangeError);
  });
});

describe('addMonthsAsRegulation1182', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28', '31 January → end of a common February'],
    ['2028-01-31', 1, '2028-02-29', '31 January → end of a leap February'],
    ['2028-01-29', 1, '2028-02-29', 'the 29th exists in a leap February'],
    ['2026-01-29', 1, '2026-02-28', 'the 29th does not exist in a common February'],
    ['2026-01-30', 1, '2026-02-28', 'nor does the 30th'],
    ['2028-02-29', 1, '2028-03-29', 'from a leap day, the same day number'],
    ['2028-02-29', 12, '2029-02-28', 'a leap day a year later'],
    ['2026-03-31', 1, '2026-04-30', '31 → a month of 30 days'],
    ['2026-04-30', 1, '2026-05-30', '30 → a month of 31 days keeps the 30th'],
    ['2026-05-31', 1, '2026-06-30', '31 May → 30 June'],
    ['2026-07-31', 1, '2026-08-31', '31 → 31'],
    ['2026-08-31', 1, '2026-09-30', '31 August → 30 September'],
    ['2026-10-31', 1, '2026-11-30', '31 October → 30 November'],
    ['2026-12-31', 1, '2027-01-31', 'across the new year'],
    ['2026-12-31', 2, '2027-02-28', 'across the new year into February'],
    ['2026-11-30', 3, '2027-02-28', 'three months into a common February'],
    ['2026-01-31', 3, '2026-04-30', 'three months from 31 January'],
    ['2026-06-15', 0, '2026-06-15', 'no months'],
  ])('%s + %i month(s) = %s (%s)', (date, months, expected) => {
    expect(addMonthsAsRegulation1182(date, months)).toBe(expected);
  });

  it.each([
    ['2026-02-30', 1],
    ['2026-13-01', 1],
    ['26-01-01', 1],
    ['2026-01-31', -1],
    ['2026-01-31', 1.5],
  ])('refuses %s + %s', (date, months) => {
    expect(() => addMonthsAsRegulation1182(date, months)).toThrow(RangeError);
  });
});

describe('easterSunday (Gregorian computus)', () => {
  it.each([
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2029, '2029-04-01'],
    [2030, '2030-04-21'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('%i: %s', (year, expected) => {
    expect(easterSunday(year)).toBe(expected);
  });
});

describe('norwegianPublicHolidays', () => {
  // Which days: lov om helligdager og helligdagsfred § 2 and lov om 1. og 17. mai; Ascension on the
  // sixth Thursday and Whit Sunday on the seventh Sunday after Easter (Almanakkforlaget).
  const table: Record<number, string[]> = {
    2026: [
      '2026-01-01',
      '2026-04-02',
      '2026-04-03',
      '2026-04-05',
      '2026-04-06',
      '2026-05-01',
      '2026-05-14',
      '2026-05-17',
      '2026-05-24',
      '2026-05-25',
      '2026-12-25',
      '2026-12-26',
    ],
    2027: [
      '2027-01-01',
      '2027-03-25',
      '2027-03-26',
      '2027-03-28',
      '2027-03-29',
      '2027-05-01',
      '2027-05-06',
      '2027-05-16',
      '2027-05-17',
      '2027-05-17',
      '2027-12-25',
      '2027-12-26',
    ],
    2028: [
      '2028-01-01',
      '2028-04-13',
      '2028-04-14',
      '2028-04-16',
      '2028-04-17',
      '2028-05-01',
      '2028-05-17',
      '2028-05-25',
      '2028-06-04',
      '2028-06-05',
      '2028-12-25',
      '2028-12-26',
    ],
    2029: [
      '2029-01-01',
      '2029-03-29',
      '2029-03-30',
      '2029-04-01',
      '2029-04-02',
      '2029-05-01',
      '2029-05-10',
      '2029-05-17',
      '2029-05-20',
      '2029-05-21',
      '2029-12-25',
      '2029-12-26',
    ],
    2030: [
      '2030-01-01',
      '2030-04-18',
      '2030-04-19',
      '2030-04-21',
      '2030-04-22',
      '2030-05-01',
      '2030-05-17',
      '2030-05-30',
      '2030-06-09',
      '2030-06-10',
      '2030-12-25',
      '2030-12-26',
    ],
  };

  it.each([2026, 2027, 2028, 2029, 2030])('every holiday of %i, in date order', (year) => {
    expect(norwegianPublicHolidays(year).map((h) => h.date)).toEqual(table[year]);
  });

  it('names each holiday; in 2027 Whit Monday falls on 17 May', () => {
    expect(norwegianPublicHolidays(2027).filter((h) => h.date === '2027-05-17')).toEqual([
      { date: '2027-05-17', name: 'Grunnlovsdag' },
      { date: '2027-05-17', name: 'Andre pinsedag' },
    ]);
    expect(norwegianPublicHolidays(2026).map((h) => h.name)).toEqual([
      'Første nyttårsdag',
      'Skjærtorsdag',
      'Langfredag',
      'Første påskedag',
      'Andre påskedag',
      'Offentlig høytidsdag',
      'Kristi himmelfartsdag',
      'Grunnlovsdag',
      'Første pinsedag',
      'Andre pinsedag',
      'Første juledag',
      'Andre juledag',
    ]);
  });

  it('keeps the moveable feasts on their weekdays in every year of a century', () => {
    const moveable = ['Skjærtorsdag', 'Langfredag', 'Første påskedag', 'Andre påskedag', 'Kristi himmelfartsdag'];
    moveable.push('Første pinsedag', 'Andre pinsedag');
    for (let year = 2000; year < 2100; year += 1) {
      const weekdays = moveable.map((name) => {
        const holiday = norwegianPublicHolidays(year).find((h) => h.name === name);
        return new Date(`${holiday?.date ?? 'missing'}T00:00:00Z`).getUTCDay();
      });
      expect(weekdays).toEqual([4, 5, 0, 1, 4, 0, 1]);
    }
  });
});

describe('working days', () => {
  it.each([
    ['2026-12-04', true, 'a Friday'],
    ['2026-12-05', false, 'a Saturday'],
    ['2026-12-06', false, 'a Sunday'],
    ['2026-12-24', true, 'Christmas Eve is not a public holiday'],
    ['2026-12-25', false, 'Christmas Day'],
    ['2026-05-14', false, 'Ascension Day'],
    ['2026-05-13', true, 'the day before Ascension'],
    ['2027-03-27', false, 'Easter Saturday is a Saturday'],
  ])('%s is a working day: %s (%s)', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it.each([
    ['2026-12-07', '2026-12-07', 'a Monday stays'],
    ['2026-12-05', '2026-12-07', 'a Saturday moves to Monday'],
    ['2026-12-25', '2026-12-28', 'Christmas on a Friday moves past the weekend'],
    ['2026-12-31', '2026-12-31', 'New Year’s Eve is a working day'],
    ['2027-01-01', '2027-01-04', 'New Year’s Day on a Friday'],
    ['2027-03-25', '2027-03-30', 'Maundy Thursday moves past the whole of Easter'],
    ['2027-05-15', '2027-05-18', 'a Saturday before Whit Sunday and 17 May'],
  ])('%s → %s (%s)', (date, expected) => {
    expect(workingDayOnOrAfter(date)).toBe(expected);
  });

  it('counts days across months and years', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-03-28', -3)).toBe('2027-03-25');
  });
});

describe('requestDueDate', () => {
  // [Oslo date of receipt, extension months, due date, why]. Received at 10:00 UTC: the same date in Oslo.
  const table: [string, number, string, string][] = [
    ['2027-01-31', 0, '2027-03-01', '28 Feb 2027 is a Sunday'],
    ['2027-04-01', 0, '2027-05-03', '1 May 2027 is a Saturday and a holiday'],
    ['2027-04-17', 0, '2027-05-18', '17 May 2027, also Whit Monday'],
    ['2028-01-31', 0, '2028-02-29', 'leap year: end of February, a Tuesday'],
    ['2026-01-31', 0, '2026-03-02', '28 Feb 2026 is a Saturday'],
    ['2026-01-29', 0, '2026-03-02', 'no 29 Feb in 2026'],
    ['2026-01-30', 0, '2026-03-02', 'no 30 Feb'],
    ['2028-01-29', 0, '2028-02-29', 'the 29th exists in 2028'],
    ['2028-01-30', 0, '2028-02-29', 'no 30 Feb in a leap year either'],
    ['2028-02-29', 0, '2028-03-29', 'from a leap day'],
    ['2026-03-31', 0, '2026-04-30', '31 March → 30 April'],
    ['2026-05-31', 0, '2026-06-30', '31 May → 30 June'],
    ['2026-08-31', 0, '2026-09-30', '31 August → 30 September'],
    ['2026-10-31', 0, '2026-11-30', '31 October → 30 November'],
    ['2026-12-31', 0, '2027-02-01', '31 Jan 2027 is a Sunday'],
    ['2026-04-30', 0, '2026-06-01', '30 May 2026 is a Saturday'],
    ['2026-06-30', 0, '2026-07-30', 'an ordinary Thursday'],
    ['2026-06-10', 0, '2026-07-10', 'an ordinary Friday'],
    ['2026-09-15', 0, '2026-10-15', 'an ordinary Thursday'],
    ['2026-03-02', 0, '2026-04-07', 'Maundy Thursday 2026: past the whole of Easter'],
    ['2026-03-05', 0, '2026-04-07', 'Easter Sunday 2026'],
    ['2027-02-25', 0, '2027-03-30', 'Maundy Thursday 2027'],
    ['2027-02-28', 0, '2027-03-30', 'Easter Sunday 2027'],
    ['2028-03-13', 0, '2028-04-18', 'Maundy Thursday 2028'],
    ['2029-02-28', 0, '2029-03-28', 'the Wednesday before Easter is a working day'],
    ['2029-03-01', 0, '2029-04-03', 'Easter Sunday 2029'],
    ['2030-03-22', 0, '2030-04-23', 'Easter Monday 2030'],
    ['2026-04-14', 0, '2026-05-15', 'Ascension Day 2026'],
    ['2026-04-25', 0, '2026-05-26', 'Whit Monday 2026'],
    ['2028-05-05', 0, '2028-06-06', 'Whit Monday 2028'],
    ['2029-04-10', 0, '2029-05-11', 'Ascension Day 2029'],
    ['2030-04-30', 0, '2030-05-31', 'Ascension Day 2030'],
    ['2030-05-10', 0, '2030-06-11', 'Whit Monday 2030'],
    ['2026-04-17', 0, '2026-05-18', '17 May 2026 is a Sunday'],
    ['2028-04-17', 0, '2028-05-18', '17 May 2028, a Wednesday'],
    ['2029-04-17', 0, '2029-05-18', '17 May 2029, a Thursday'],
    ['2029-04-01', 0, '2029-05-02', '1 May 2029, a Tuesday'],
    ['2030-04-01', 0, '2030-05-02', '1 May 2030, a Wednesday'],
    ['2026-11-25', 0, '2026-12-28', 'Christmas 2026 runs into a weekend'],
    ['2027-11-25', 0, '2027-12-27', 'Christmas 2027 falls on a weekend'],
    ['2028-11-25', 0, '2028-12-27', 'Christmas 2028, Monday and Tuesday'],
    ['2026-12-01', 0, '2027-01-04', 'New Year’s Day 2027, a Friday'],
    ['2029-12-01', 0, '2030-01-02', 'New Year’s Day 2030, a Tuesday'],
    ['2026-01-31', 1, '2026-03-31', 'extended by 1: 31 January + 2 months'],
    ['2026-01-31', 2, '2026-04-30', 'extended by 2: 31 January + 3 months'],
    ['2027-01-31', 2, '2027-04-30', 'extended by 2, counted from receipt'],
    ['2026-12-31', 2, '2027-03-31', 'extended by 2 across the new year'],
    ['2027-02-28', 1, '2027-04-28', 'extended by 1 past Easter'],
    ['2028-11-30', 1, '2029-01-30', 'extended by 1 across the new year'],
    ['2027-03-17', 2, '2027-06-17', 'extended by 2, an ordinary Thursday'],
    ['2026-03-31', 1, '2026-06-01', 'extended by 1 onto a Sunday'],
    ['2028-12-29', 2, '2029-04-03', 'extended by 2 onto Maundy Thursday'],
  ];

  it.each(table)('received %s, extended %i → due %s (%s)', (received, months, due) => {
    expect(requestDueDate(`${received}T10:00:00Z`, months)).toBe(due);
  });

  it('has no extension by default', () => {
    expect(requestDueDate('2026-06-10T10:00:00Z')).toBe('2026-07-10');
  });

  it.each([
    ['2026-06-14T21:59:59Z', '2026-07-14', 'still 14 June in Oslo'],
    ['2026-06-14T22:00:00Z', '2026-07-15', 'late evening UTC is already 15 June in Oslo'],
    ['2026-02-09T22:59:59Z', '2026-03-09', 'still 9 February in Oslo'],
    ['2026-02-09T23:00:00Z', '2026-03-10', 'already 10 February in Oslo'],
    ['2027-01-30T23:30:00Z', '2027-03-01', '31 January in Oslo'],
    ['2026-03-28T23:30:00Z', '2026-04-29', 'the night of the spring change is 29 March in Oslo'],
    ['2026-10-24T22:30:00Z', '2026-11-25', 'the night of the autumn change is 25 October in Oslo'],
    ['2026-09-25T10:00:00Z', '2026-10-26', 'due on the autumn change Sunday, moved to Monday'],
    ['2026-02-28T23:30:00Z', '2026-04-01', 'received 1 March in Oslo, due across the spring change'],
  ])('received %s → due %s (%s)', (receivedAt, due) => {
    expect(requestDueDate(receivedAt)).toBe(due);
  });

  it('refuses what is not an instant or a whole number of months', () => {
    expect(() => requestDueDate('31.01.2027')).toThrow(RangeError);
    expect(() => requestDueDate('2027-01-31T10:00:00Z', -1)).toThrow(RangeError);
  });
});

describe('isOverdue and answeredOnTime', () => {
  it.each([
    ['2027-03-01', '2027-02-15T10:00:00Z', false, 'before the due date'],
    ['2027-03-01', '2027-03-01T10:00:00Z', false, 'on the due date'],
    ['2027-03-01', '2027-03-01T22:59:59Z', false, 'the last second of the due date in Oslo, winter'],
    ['2027-03-01', '2027-03-01T23:00:00Z', true, 'the due date has ended in Oslo, winter'],
    ['2026-07-15', '2026-07-15T21:59:59Z', false, 'the last second of the due date in Oslo, summer'],
    ['2026-07-15', '2026-07-15T22:00:00Z', true, 'the due date has ended in Oslo, summer'],
    ['2026-10-26', '2026-10-26T22:59:59Z', false, 'the first day of winter time'],
    ['2026-10-26', '2026-10-26T23:00:00Z', true, 'the first midnight after the autumn change'],
    ['2027-03-01', '2027-06-01T10:00:00Z', true, 'long after'],
  ])('due %s, now %s: overdue %s (%s)', (due, now, overdue) => {
    expect(isOverdue(due, now)).toBe(overdue);
  });

  it.each([
    ['2027-03-01', '2027-02-15T10:00:00Z', true, 'early'],
    ['2027-03-01', '2027-03-01T22:59:59Z', true, 'the last second of the due date in Oslo'],
    ['2027-03-01', '2027-03-01T23:00:00Z', false, 'already 2 March in Oslo'],
    ['2026-07-15', '2026-07-15T21:59:59Z', true, 'the last second in summer time'],
    ['2026-07-15', '2026-07-15T22:00:00Z', false, 'already 16 July in Oslo'],
    ['2026-07-15', '2026-08-03T09:00:00Z', false, 'weeks late'],
  ])('due %s, answered %s: on time %s (%s)', (due, answeredAt, onTime) => {
    expect(answeredOnTime(due, answeredAt)).toBe(onTime);
  });

  it('refuses a due date that is not a calendar date', () => {
    expect(() => isOverdue('1 March', '2027-03-01T10:00:00Z')).toThrow(RangeError);
    expect(() => answeredOnTime('2027-02-30', '2027-03-01T10:00:00Z')).toThrow(RangeError);
  });
});
