import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { INBOUND_TYPES } from '#ledger/domain';

/** `<system>:<kind>:<local id>`, e.g. `webcruiter:candidate:4711`. */
export const SUBJECT_REF = /^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*:[^\s]{1,200}$/i;
/** ISO-8601 with a date, a time and an offset: an upstream time without a zone is ambiguous. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export class SubjectAddressDto {
  @ValidateIf((s: SubjectAddressDto) => s.id === undefined)
  @IsString()
  @Matches(SUBJECT_REF, { message: 'ref must look like <system>:<kind>:<local id>' })
  ref?: string;

  @ValidateIf((s: SubjectAddressDto) => s.ref === undefined)
  @IsUUID()
  id?: string;
}

export class EnvelopeDto {
  @IsUUID() id!: string;
  @IsIn(INBOUND_TYPES) type!: string;
  @IsString() @Matches(ISO_WITH_OFFSET, { message: 'occurredAt must be ISO-8601 with an offset' }) occurredAt!: string;
  @IsString() @IsNotEmpty() @MaxLength(100) source!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) actor?: string;
  @IsDefined() @ValidateNested() @Type(() => SubjectAddressDto) subject!: SubjectAddressDto;
  @IsOptional() @IsUUID() correlationId?: string;
  @IsOptional() @IsUUID() causationId?: string;
  @IsObject() data!: Record<string, unknown>;
}
