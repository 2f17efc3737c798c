import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ERRORS_DOC, renderErrorsDoc } from '../scripts/errors-doc.js';

describe('docs', () => {
  it('docs/errors.md is generated from the current catalogue (npm run docs:errors)', () => {
    expect(readFileSync(ERRORS_DOC, 'utf8')).toBe(renderErrorsDoc());
  });
});
