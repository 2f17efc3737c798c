/**
 * TypeBox, as the kernel and every plugin reach it at run time: the one
 * module that imports the `typebox` package.
 *
 * The package is some 580 small ES modules, and Node keeps a record, a
 * compiled wrapper and the source of each: loading them costs a gateway
 * about 28 MB of resident memory, a quarter of what it held at rest. The
 * build (`npm run build`) therefore replaces this file's output with one
 * bundle of the parts imported here (scripts/bundle-typebox.ts), which costs
 * about 6 MB and exports exactly what this file does. Sources and tests run
 * this file as written, on the package's own modules.
 *
 * A schema built with another copy of TypeBox (a plugin's own dependency)
 * is still accepted: TypeBox schemas are plain JSON Schema objects, and the
 * checks below read them by their keywords.
 */
export { Type } from 'typebox';
export type { Static, TSchema, TObject } from 'typebox';
export { Compile } from 'typebox/compile';
export type { TLocalizedValidationError } from 'typebox/error';
export { Value } from 'typebox/value';
