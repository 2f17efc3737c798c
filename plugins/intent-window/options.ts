import { Type, type Static } from '../../kernel/index.js';

/** intent-window's options. @public */
export const IntentWindowOptions = Type.Object(
  {
    size: Type.Integer({ minimum: 1, default: 5, description: 'how many of the latest typed user messages are scored' }),
    decay: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.7, description: 'weight per turn of age: a message k turns back counts score × decay^k' }),
  },
  { additionalProperties: false },
);

/** @public */
export type IntentWindowOptions = Static<typeof IntentWindowOptions>;
