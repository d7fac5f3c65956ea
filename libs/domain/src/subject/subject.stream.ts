/** Each data subject's events are one stream, named by the subject's id. */
export const SUBJECT_STREAM_PREFIX = 'subject-';

export const streamIdOf = (subjectId: string): string => `${SUBJECT_STREAM_PREFIX}${subjectId}`;
export const isSubjectStream = (streamId: string): boolean => streamId.startsWith(SUBJECT_STREAM_PREFIX);
/** The subject of a subject's stream (`isSubjectStream`). */
export const subjectIdOf = (streamId: string): string => streamId.slice(SUBJECT_STREAM_PREFIX.length);
