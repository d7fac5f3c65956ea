export * from './errors';
export * from './event-ids';
export * from './ledger-writer';
export * from './subject-directory/subject-directory';
export * from './stored-subject-events';
