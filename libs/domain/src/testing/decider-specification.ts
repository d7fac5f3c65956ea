import { RuleViolation, type RuleCode } from '../errors/rule-error';
import type { RecordEnvelope, SubjectDecider } from '../subject/subject.decider';
import type { SubjectEvent } from '../subject/subject.events';
import { initialSubjectState } from '../subject/subject.state';

/**
 * given(events).when(command).then(events) | .thenThrows(code): a decider test that a privacy
 * lawyer can read. The given events are folded with the decider's own evolve.
 */
export const specification = (decider: SubjectDecider) => ({
  given: (history: SubjectEvent[]) => ({
    when: (command: RecordEnvelope) => {
      const run = () => decider.decide(command, history.reduce(decider.evolve, initialSubjectState));
      return {
        then: (expected: SubjectEvent[]) => expect(run()).toEqual(expected),
        thenThrows: (code: RuleCode) => {
          let error: unknown;
          try {
            run();
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(RuleViolation);
          expect((error as RuleViolation).code).toBe(code);
        },
      };
    },
  }),
});
