/** Schema pieces every contracts module shares. */
import { Type, type TSchema } from 'typebox';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const DateTime = Type.String({ format: 'date-time' });
/** A host tag or group name. */
export const Tag = Type.String({ pattern: '^[A-Za-z0-9_.:/-]{1,64}$' });
