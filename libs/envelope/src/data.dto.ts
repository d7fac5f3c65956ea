import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsISO8601,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  buildMessage,
  type ValidationOptions,
} from 'class-validator';

/** `<category>.<name>`: the category is checked against the policy by the decider. */
export const FIELD_KEY = /^[a-z][a-z0-9-]*\.[A-Za-z0-9_.-]{1,100}$/;
const PURPOSE_ID = /^[a-z][a-z0-9-]{0,63}$/;

/** An object of field key → string value, at least one entry (sizes: see LIMITS). */
function IsFieldValues(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isFieldValues',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length > 0 &&
          Object.entries(value).every(([k, v]) => FIELD_KEY.test(k) && typeof v === 'string'),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a non-empty object of '<category>.<name>' keys to text values`,
          options,
        ),
      },
    },
    options,
  );
}

const IsFieldKeys = (): PropertyDecorator => (target, key) => {
  IsArray()(target, key);
  IsString({ each: true })(target, key);
  ValidateBy({
    name: 'isFieldKeys',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) && value.every((k) => typeof k === 'string' && FIELD_KEY.test(k)),
      defaultMessage: () => `$property must hold '<category>.<name>' keys`,
    },
  })(target, key);
};

const IsPurposeId = (): PropertyDecorator => (target, key) => {
  IsString()(target, key);
  ValidateBy({
    name: 'isPurposeId',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && PURPOSE_ID.test(v),
      defaultMessage: () => '$property must be a purpose id',
    },
  })(target, key);
};

/** Non-empty text; its size is bounded before class-validator runs (LIMITS in input-limits). */
const IsText = (): PropertyDecorator => (target, key) => {
  IsString()(target, key);
  IsNotEmpty()(target, key);
};

export class DataCollectedDto {
  @IsPurposeId() purpose!: string;
  @IsFieldValues() fields!: Record<string, string>;
  @IsIn(['subject', 'third-party', 'processor']) collectedFrom!: string;
  @IsOptional() @IsString() lawfulBasis?: string;
}

export class DataCorrectedDto {
  @IsFieldValues() fields!: Record<string, string>;
  @IsOptional() @IsText() reason?: string;
}

export class DataUsedDto {
  @IsPurposeId() purpose!: string;
  @IsOptional() @IsFieldKeys() fields?: string[];
  @IsOptional() @IsText() description?: string;
}

export class DataDisclosedDto {
  @IsText() @MaxLength(200) recipient!: string;
  @IsPurposeId() purpose!: string;
  @IsFieldKeys() @ArrayNotEmpty() fields!: string[];
}

export class ConsentGivenDto {
  @IsPurposeId() purpose!: string;
  @IsText() @MaxLength(50) policyVersion!: string;
  @IsText() @MaxLength(100) channel!: string;
  @IsOptional() @IsText() evidence?: string;
}

export class ConsentWithdrawnDto {
  @IsPurposeId() purpose!: string;
  @IsText() @MaxLength(100) channel!: string;
}

export class ObjectionRaisedDto {
  @IsArray() @ArrayNotEmpty() @IsString({ each: true }) purposes!: string[];
  /** Required: the policy asks that an objection state its grounds (§6). */
  @IsText() grounds!: string;
}

export class ObjectionResolvedDto {
  @IsUUID() objectionId!: string;
  @IsIn(['upheld', 'rejected']) outcome!: string;
  @IsText() reason!: string;
}

export class ReasonDto {
  @IsText() reason!: string;
}

export class LegalHoldPlacedDto {
  @IsText() reason!: string;
  @IsOptional() @IsISO8601({ strict: true }) until?: string;
}

export class LegalHoldLiftedDto {
  @IsText() reason!: string;
  @IsOptional() @IsUUID() holdId?: string;
}

export class AccessRequestedDto {
  @IsOptional() @IsText() @MaxLength(100) channel?: string;
}

const IsErasureScope = (): PropertyDecorator =>
  ValidateBy({
    name: 'isErasureScope',
    validator: {
      validate: (v: unknown) =>
        v === 'all' ||
        (Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === 'string' && /^[a-z][a-z0-9-]*$/.test(c))),
      defaultMessage: () => `$property must be 'all' or a non-empty list of categories`,
    },
  });

export class ErasureRequestedDto {
  @IsErasureScope() scope!: 'all' | string[];
  @IsIn(['subject-request', 'purpose-ended', 'objection-upheld', 'retention-expired']) reason!: string;
}

export class ErasureAcknowledgedDto {
  @IsText() @MaxLength(200) system!: string;
}

export class RequestReceivedDto {
  @IsIn(['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability']) kind!: string;
  @IsText() @MaxLength(100) channel!: string;
}

export class RequestIdentityVerifiedDto {
  @IsUUID() requestId!: string;
  @IsText() @MaxLength(100) method!: string;
}

/** The months of this extension; more than two in all is a rule (EXTENSION_NOT_ALLOWED), not bad input. */
export class RequestExtendedDto {
  @IsUUID() requestId!: string;
  @IsInt() @Min(1) @Max(2) months!: number;
  /** Required: an extension must be logged with its reason (Art. 12(3)). */
  @IsText() reason!: string;
}

export class RequestAnsweredDto {
  @IsUUID() requestId!: string;
  @IsIn(['fulfilled', 'partially-fulfilled', 'refused']) outcome!: string;
  @IsOptional() @IsText() reason?: string;
}

/** The `data` class of each envelope type: adding a type means adding a line here. */
export const DATA_DTO = {
  'data.collected': DataCollectedDto,
  'data.corrected': DataCorrectedDto,
  'data.used': DataUsedDto,
  'data.disclosed': DataDisclosedDto,
  'consent.given': ConsentGivenDto,
  'consent.withdrawn': ConsentWithdrawnDto,
  'objection.raised': ObjectionRaisedDto,
  'objection.resolved': ObjectionResolvedDto,
  'restriction.placed': ReasonDto,
  'restriction.lifted': ReasonDto,
  'legal-hold.placed': LegalHoldPlacedDto,
  'legal-hold.lifted': LegalHoldLiftedDto,
  'access.requested': AccessRequestedDto,
  'erasure.requested': ErasureRequestedDto,
  'erasure.acknowledged': ErasureAcknowledgedDto,
  'request.received': RequestReceivedDto,
  'request.identity-verified': RequestIdentityVerifiedDto,
  'request.extended': RequestExtendedDto,
  'request.answered': RequestAnsweredDto,
} as const;
