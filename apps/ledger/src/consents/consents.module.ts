import { Module } from '@nestjs/common';
import { AccessLogModule } from '../modules/access-log.module';
import { CryptoModule } from '../modules/crypto.module';
import { StoreModule } from '../modules/store.module';
import { ConsentsController } from './consents.controller';
import { GetSubjectConsentsHandler } from './consents.handler';
import { PolicyTextsController } from './policy-texts.controller';

/** Consent proof: each person's consent history, read from their stream with the evidence opened. */
@Module({
  imports: [StoreModule, CryptoModule, AccessLogModule],
  controllers: [ConsentsController, PolicyTextsController],
  providers: [GetSubjectConsentsHandler],
})
export class ConsentsModule {}
