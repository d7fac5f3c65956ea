/** The API's answers the console reads (CONTRACT §2, §6–§9), as far as it shows them. */
export interface FieldView {
  readonly value?: string;
  readonly purpose: string | null;
  readonly lawfulBasis: string | null;
  readonly source: string;
  readonly collectedAt: string;
  readonly updatedAt: string;
}

export interface RequestView {
  readonly requestId: string;
  readonly kind: string;
  readonly receivedAt: string;
  readonly dueDate: string;
  readonly status: 'open' | 'answered';
  readonly extendedMonths: number;
  readonly answeredAt: string | null;
  readonly outcome: string | null;
  readonly onTime: boolean | null;
  readonly subjectId?: string;
}

export interface SubjectState {
  readonly subjectId: string;
  readonly status: 'active' | 'restricted' | 'erased';
  readonly refs: readonly string[];
  readonly data: Readonly<Record<string, FieldView>>;
  readonly consents: Readonly<Record<string, { status: string; policyVersion: string; channel: string; at: string }>>;
  readonly objections: ReadonlyArray<{ id: string; purposes: readonly string[]; status: string; raisedAt: string }>;
  readonly legalHolds: ReadonlyArray<{ id: string; reason: string; until?: string }>;
  readonly restriction: { reason: string; since: string } | null;
  readonly requests: readonly RequestView[];
  readonly lastActivityAt: string | null;
  readonly retentionDueAt: string | null;
  readonly erasedAt: string | null;
}

export interface ConsentRecord {
  readonly status: string;
  readonly at: string;
  readonly policyVersion: string | null;
  readonly policyTextSha256: string | null;
  readonly channel: string;
  readonly evidence?: string | null;
}

export interface TrailEntry {
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly source: string;
  readonly actor: string | null;
  readonly purpose?: string;
  readonly purposes?: readonly string[];
  readonly lawfulBasis: string | null;
  readonly fields: readonly string[];
  readonly hash: string;
  readonly logIndex: number | null;
}

export interface Trail {
  readonly entries: readonly TrailEntry[];
  readonly integrity: { verified: boolean; revision?: number; problem?: string };
}

export interface AccessRecord {
  readonly at: string;
  readonly principal: string;
  readonly role: string;
  readonly resource: string;
  readonly reason: string | null;
}
