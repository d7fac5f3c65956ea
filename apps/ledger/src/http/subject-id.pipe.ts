import { ParseUUIDPipe, type ArgumentMetadata } from '@nestjs/common';
import { InputValidationError } from './errors';

/**
 * A subject id from the path: a UUID, in the lowercase form the ledger stores (PostgreSQL writes
 * uuids lowercase; `A1B2…` and `a1b2…` are one person).
 */
export class SubjectIdPipe extends ParseUUIDPipe {
  constructor() {
    super({
      exceptionFactory: () => new InputValidationError([{ path: 'subjectId', message: 'subjectId must be a UUID' }]),
    });
  }

  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    const id = await super.transform(value, metadata);
    return id!.toLowerCase();
  }
}
