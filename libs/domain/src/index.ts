export * from './envelope/envelope';
export * from './errors/rule-error';
export * from './policy/policy';
export * from './requests/legal-deadline';
export * from './subject/subject.decider';
export * from './subject/subject.events';
export * from './subject/subject.state';
export * from './subject/subject.stream';
