import { Controller, Get, Header, Inject, Injectable, NotFoundException, Param, Query } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { Roles } from '../auth/bearer-auth.guard';
import { InputValidationError } from '../http/errors';
import { validated } from '../http/validated';
import {
  GetCheckpointQuery,
  GetConsistencyProofQuery,
  GetInclusionProofQuery,
  GetVerifierKeyQuery,
} from './verifiable-log.queries';

/** Decimal digits only: `1e3`, `0x10` or ` 5` stay strings and are refused by IsInt. */
const asSize = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;

export class InclusionQueryDto {
  @IsUUID('all', { message: 'eventId must be a UUID' }) eventId!: string;
  /** @defaultValue the latest signed checkpoint's size */
  @IsOptional()
  @Transform(asSize)
  @IsInt({ message: 'treeSize must be a tree size' })
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  treeSize?: number;
}

export class ConsistencyQueryDto {
  @Transform(asSize)
  @IsInt({ message: 'from must be a tree size' })
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  from!: number;
  @Transform(asSize) @IsInt({ message: 'to must be a tree size' }) @Min(1) @Max(Number.MAX_SAFE_INTEGER) to!: number;
}

@Injectable()
class InclusionQueryPipe implements PipeTransform<unknown, InclusionQueryDto> {
  transform(query: unknown): InclusionQueryDto {
    return validated(InclusionQueryDto, query);
  }
}

@Injectable()
class ConsistencyQueryPipe implements PipeTransform<unknown, ConsistencyQueryDto> {
  transform(query: unknown): ConsistencyQueryDto {
    const dto = validated(ConsistencyQueryDto, query);
    if (dto.from > dto.to) throw new InputValidationError([{ path: 'from', message: 'from must not exceed to' }]);
    return dto;
  }
}

@Injectable()
class TreeSizePipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const size = asSize({ value });
    if (typeof size !== 'number' || size < 1 || !Number.isSafeInteger(size)) {
      throw new InputValidationError([{ path: 'treeSize', message: 'treeSize must be a tree size' }]);
    }
    return size;
  }
}

/**
 * The verifiable log (CONTRACT §7): signed checkpoints of the tree over every event and access
 * entry, and the proofs an inspector checks against them offline (`npm run ledger -- verify-proof`).
 */
@ApiTags('verifiable log')
@ApiBearerAuth()
@Controller('v1')
export class VerifiableLogController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get('checkpoints/latest')
  @Roles('auditor', 'dpo', 'ops')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The latest signed checkpoint: a C2SP tlog-checkpoint in a signed note' })
  @ApiResponse({ status: 404, description: 'no checkpoint signed yet' })
  async latest(): Promise<string> {
    return this.note(await this.queries.execute(new GetCheckpointQuery()));
  }

  @Get('checkpoints/verifier-key')
  @Roles('auditor', 'dpo', 'ops')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The C2SP note verifier key: <name>+<key id>+<base64(0x01 || Ed25519 public key)>' })
  verifierKey(): Promise<string> {
    return this.queries.execute(new GetVerifierKeyQuery());
  }

  @Get('checkpoints/:treeSize')
  @Roles('auditor', 'dpo', 'ops')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The signed checkpoint of the tree of that size' })
  @ApiParam({ name: 'treeSize', description: 'a tree size the ledger signed' })
  @ApiResponse({ status: 404, description: 'that size was never signed' })
  async checkpoint(@Param('treeSize', TreeSizePipe) treeSize: number): Promise<string> {
    return this.note(await this.queries.execute(new GetCheckpointQuery(treeSize)));
  }

  @Get('proofs/inclusion')
  @Roles('auditor', 'dpo', 'ops')
  @ApiOperation({ summary: "An event's inclusion proof (RFC 9162 §2.1.3): { logIndex, treeSize, leafHash, path }" })
  @ApiQuery({ name: 'eventId', required: true })
  @ApiQuery({ name: 'treeSize', required: false, description: 'default: the latest signed checkpoint' })
  @ApiResponse({ status: 404, description: 'the event is not yet in a tree of that size' })
  async inclusion(@Query(InclusionQueryPipe) query: InclusionQueryDto) {
    const proof = await this.queries.execute(new GetInclusionProofQuery(query.eventId.toLowerCase(), query.treeSize));
    if (!proof) throw new NotFoundException('the event is not in a tree of that size yet');
    return proof;
  }

  @Get('proofs/consistency')
  @Roles('auditor', 'dpo', 'ops')
  @ApiOperation({ summary: 'A consistency proof between two tree sizes (RFC 9162 §2.1.4): { from, to, path }' })
  @ApiQuery({ name: 'from', required: true })
  @ApiQuery({ name: 'to', required: true })
  @ApiResponse({ status: 404, description: 'the tree has not reached `to` yet' })
  async consistency(@Query(ConsistencyQueryPipe) query: ConsistencyQueryDto) {
    const proof = await this.queries.execute(new GetConsistencyProofQuery(query.from, query.to));
    if (!proof) throw new NotFoundException('the tree has not reached that size yet');
    return proof;
  }

  private note(note: string | null): string {
    if (note === null) throw new NotFoundException('no checkpoint of that size was signed');
    return note;
  }
}
