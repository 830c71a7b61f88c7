import { Type, type TSchema } from 'typebox';

/** `{"msg":"ok","data":…}`: every successful JSON answer (spec §1.2). */
export const Envelope = <T extends TSchema>(data: T) =>
  Type.Object({ msg: Type.Literal('ok'), data }, { additionalProperties: false });

export const FieldIssue = Type.Object({
  key: Type.String(),
  desc: Type.String(),
  type: Type.String(),
  value: Type.Optional(Type.Unknown()),
  err: Type.Array(Type.String()),
});

/** `{"msg":"fail","data":"<message>"}`, or the list of field issues for a 422 (spec §1.3). */
export const Fail = Type.Object(
  { msg: Type.Literal('fail'), data: Type.Union([Type.String(), Type.Array(FieldIssue)]) },
  { description: 'Failure: data is the message (400, 404, 429, 5xx) or the list of invalid fields (422)' },
);

export const failResponses = {
  400: Fail,
  422: Fail,
  429: Fail,
} as const;

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
