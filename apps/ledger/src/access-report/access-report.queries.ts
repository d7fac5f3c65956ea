import { Command, Query } from '@nestjs/cqrs';
import type { AccessAnswer, AnswerLanguage, PortableField } from '#ledger/reports';
import type { Principal } from '../config/secrets';
import type { ReadContext } from '../subjects/subject.queries';

/** The Art. 15 answer for one person, as of `now`; with `requestId`, that open access request's answer. */
export class GetAccessAnswerQuery extends Query<AccessAnswer | null> {
  constructor(
    readonly subjectId: string,
    readonly lang: AnswerLanguage,
    readonly requestId: string | undefined,
    readonly now: string,
    readonly context: ReadContext,
  ) {
    super();
  }
}

/** The Art. 20 export: the fields the person gave under consent or contract. */
export class GetPortableFieldsQuery extends Query<PortableField[] | null> {
  constructor(
    readonly subjectId: string,
    readonly context: ReadContext,
  ) {
    super();
  }
}

/** Record that the access request was answered (fulfilled) by the answer just composed. */
export class AnswerAccessRequestCommand extends Command<void> {
  constructor(
    readonly subjectId: string,
    readonly requestId: string,
    readonly answeredAt: string,
    readonly by: Principal,
  ) {
    super();
  }
}
