import { Type, type TSchema } from 'typebox';

/** `{"msg":"ok","data":…}`: every successful JSON answer (spec §1.2). */
export const Envelope = <T extends TSchema>(data: T) => Type.Object({ msg: Type.Literal('ok'), data }, { additionalProperties: false });

/** `{"msg":"fail","data":"<message>"}` (spec §1.3); for a 422, the message of the first invalid field. */
export const Fail = Type.Object(
  { msg: Type.Literal('fail'), data: Type.String() },
  { description: 'Failure: data is the message; for a 422, the message of the first invalid field' },
);

export const failResponses = {
  400: Fail,
  422: Fail,
  429: Fail,
} as const;

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** The fields a user is shown by inside another object (an applicant, a group member), in this order. */
export const userSummary = {
  id: Type.Integer(),
  username: Type.String(),
  avatar: Nullable(Type.String()),
  nickname: Type.String(),
  uuid: Type.String(),
};
