import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';

const TEXT_MAX = 4000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** `POST /v1/breaches`: the breach as the DPO records it (Art. 33(5)); text about the breach, not a person. */
export class RecordBreachDto {
  @IsUUID('4') id!: string;
  @IsISO8601({ strict: true }) discoveredAt!: string;
  @IsISO8601({ strict: true }) periodFrom!: string;
  @IsISO8601({ strict: true }) periodTo!: string;
  @IsString() @Length(1, TEXT_MAX) nature!: string;
  /** Sources and recipients by the names the envelopes give them. */
  @ArrayMinSize(1) @ArrayMaxSize(100) @IsString({ each: true }) @Matches(NAME, { each: true }) systems!: string[];
  @ArrayMinSize(1) @ArrayMaxSize(100) @IsString({ each: true }) @Matches(NAME, { each: true }) categories!: string[];
  @IsString() @Length(1, TEXT_MAX) consequences!: string;
  @IsString() @Length(1, TEXT_MAX) measures!: string;
}

/** `POST /v1/breaches/{id}/notifications`: who was notified, when, and the reference they gave. */
export class NotifyBreachDto {
  @IsIn(['authority', 'subjects']) to!: 'authority' | 'subjects';
  @IsISO8601({ strict: true }) at!: string;
  @IsOptional() @IsString() @Length(1, 200) reference?: string;
}
