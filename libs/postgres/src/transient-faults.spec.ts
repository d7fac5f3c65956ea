import { isTransientFault } from './transient-faults';

const pgError = (code: string) => Object.assign(new Error('a server message'), { code });

describe('isTransientFault', () => {
  it.each([
    '08006',
    '08001',
    '57P01',
    '57P02',
    '57P03',
    '53100',
    '53200',
    '53300',
    '25006',
    '57014',
    '40001',
    '40P01',
    '55P03',
    'ECONNREFUSED',
    'ECONNRESET',
  ])('counts %s as an outage', (code) => expect(isTransientFault(pgError(code))).toBe(true));

  it.each(['23505', '23502', '22P02', '42P01', '42601', 'P0001'])(
    'counts %s as a fault of the statement or input',
    (code) => expect(isTransientFault(pgError(code))).toBe(false),
  );

  it("counts the driver's connection failures, which carry no code", () => {
    expect(isTransientFault(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientFault(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientFault(new Error('Cannot read properties of undefined'))).toBe(false);
    expect(isTransientFault('08006')).toBe(false);
  });
});
