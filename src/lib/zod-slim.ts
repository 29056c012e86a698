/**
 * What `zod` resolves to in the deployed bundle (wrangler.toml [alias]) and in
 * the tests (vitest.config.ts resolve.alias): zod's classic API, as
 * node_modules/zod/v4/classic/external.js exports it, without the two
 * namespaces nothing here uses that pull in every locale (~360 KiB):
 * `locales` and `core` (which re-exports `locales`), nor the parts of the API
 * nothing here calls that no schema needs either: `compile`, `withParser`,
 * `INVALID`, `ZodCompileAsyncError`, `ZodCompileUnsupportedError`,
 * `memoizer`, `toZod` (zod's schema compiler, ~70 KiB) and `fromJSONSchema`
 * (~25 KiB). English messages stay: classic schemas.js installs the `en`
 * locale on first schema construction.
 *
 * @hono/zod-openapi does `import { z } from "zod"` and hands that `z` to us,
 * so every name exported here is kept in the bundle: export only zod API.
 * A zod upgrade that adds or moves an export needs this list checked against
 * external.js again.
 */
import * as z from './zod-slim';

export * from '../../node_modules/zod/v4/classic/schemas.js';
export * from '../../node_modules/zod/v4/classic/checks.js';
export * from '../../node_modules/zod/v4/classic/errors.js';
export * from '../../node_modules/zod/v4/classic/parse.js';
export * from '../../node_modules/zod/v4/classic/compat.js';
export {
  globalRegistry,
  registry,
  config,
  $output,
  $input,
  $brand,
  clone,
  regexes,
  treeifyError,
  prettifyError,
  formatError,
  flattenError,
  TimePrecision,
  util,
  NEVER,
  getDiscriminatedOption,
} from '../../node_modules/zod/v4/core/index.js';
export { toJSONSchema } from '../../node_modules/zod/v4/core/json-schema-processors.js';
export { deepPartial } from '../../node_modules/zod/v4/classic/deep-partial.js';
export { input, output } from '../../node_modules/zod/v4/classic/in-out.js';
export { ZodISODateTime, ZodISODate, ZodISOTime, ZodISODuration } from '../../node_modules/zod/v4/classic/iso.js';
export * as iso from '../../node_modules/zod/v4/classic/iso.js';
export * as coerce from '../../node_modules/zod/v4/classic/coerce.js';
export { z, z as default };
