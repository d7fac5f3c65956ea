export * from './projection';
export * from './projection-runner';
export * from './subject-state/subject-state.projection';
export * from './subject-state/subject-state.view';
export * from './subject-trail/subject-trail.entry';
export * from './subject-trail/subject-trail.projection';
export * from './composite.projection';
export * from './projection-rebuild';
