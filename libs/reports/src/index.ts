export * from './access-answer/access-answer';
export * from './access-answer/access-answer.texts';
export * from './access-answer/compose-access-answer';
export * from './access-answer/person-history';
export * from './portability/portability-export';
export * from './access-answer/access-answer.html';
export * from './access-answer/access-answer.pdf';
