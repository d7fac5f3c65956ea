import { Module } from '@nestjs/common';
import { AccessLogModule } from '../modules/access-log.module';
import { CryptoModule } from '../modules/crypto.module';
import { ProjectionsModule } from '../modules/projections.module';
import { RecordingModule } from '../modules/recording.module';
import { StoreModule } from '../modules/store.module';
import { AccessReportController } from './access-report.controller';
import { ACCESS_REPORT_HANDLERS } from './access-report.handlers';

/** The person's own reports: the Art. 15 access answer and the Art. 20 export, read from their stream. */
@Module({
  imports: [StoreModule, CryptoModule, AccessLogModule, RecordingModule, ProjectionsModule],
  controllers: [AccessReportController],
  providers: [...ACCESS_REPORT_HANDLERS],
})
export class AccessReportModule {}
