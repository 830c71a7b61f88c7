import type { Migration } from 'kysely';
import type { DialectName } from '../dialects/types.js';
import { initialMigration } from './001_initial.js';
import { memberLeftSeq } from './002_member_left_seq.js';
import { sessionDevice } from './003_session_device.js';
import { sendReceipt } from './004_send_receipt.js';

/** Every migration, in order. Names sort lexically; never rename or edit a released one. */
export function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '001_initial': initialMigration(dialect),
    '002_member_left_seq': memberLeftSeq,
    '003_session_device': sessionDevice,
    '004_send_receipt': sendReceipt(dialect),
  };
}
