import { describe, expect, it } from '@jest/globals';
import { toGeminiParameters } from './schema.js';

describe('toGeminiParameters', () => {
  it('strips the keywords Gemini refuses and keeps the ones it knows', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'urn:x',
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { type: 'string', description: 'A file', default: '.', examples: ['a.ts'], minLength: 1, pattern: '^\\S+$', format: 'uri' },
        when: { type: 'string', format: 'date-time' },
        count: { type: 'integer', minimum: 1, maximum: 10, exclusiveMaximum: 11, multipleOf: 1, format: 'int32' },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, uniqueItems: true, minItems: 1 },
      },
      required: ['path', 'missing'],
    };
    expect(toGeminiParameters(schema)).toEqual({
      type: 'object',
      properties: {
        path: { type: 'string', description: 'A file', minLength: 1, pattern: '^\\S+$' },
        when: { type: 'string', format: 'date-time' },
        count: { type: 'integer', minimum: 1, maximum: 10, format: 'int32' },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1 },
      },
      required: ['path'],
    });
  });

  it('leaves parameters out for a tool without any, and for one whose schema is no object', () => {
    expect(toGeminiParameters({ type: 'object', properties: {} })).toBeUndefined();
    expect(toGeminiParameters({ type: 'object' })).toBeUndefined();
    expect(toGeminiParameters(undefined)).toBeUndefined();
  });

  it('gives a root without type the type object', () => {
    expect(toGeminiParameters({ properties: { a: { type: 'string' } } })).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
  });

  it('turns type lists into nullable and anyOf, const into enum, oneOf into anyOf', () => {
    expect(
      toGeminiParameters({
        type: 'object',
        properties: {
          maybe: { type: ['string', 'null'] },
          either: { type: ['string', 'number'], description: 'd' },
          fixed: { const: 'only' },
          one: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
          opt: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          numbers: { type: 'integer', enum: [1, 2] },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        maybe: { type: 'string', nullable: true },
        either: { description: 'd', anyOf: [{ type: 'string', description: 'd' }, { type: 'number', description: 'd' }] },
        fixed: { enum: ['only'] },
        one: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        opt: { type: 'string', nullable: true },
        numbers: { type: 'integer' },
      },
    });
  });

  it('inlines local $refs, merges allOf, and stops at a recursive ref', () => {
    const schema = {
      type: 'object',
      $defs: {
        Point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] },
        Node: { type: 'object', properties: { value: { type: 'string' }, next: { $ref: '#/$defs/Node' } } },
      },
      definitions: { Named: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
      properties: {
        at: { $ref: '#/$defs/Point', description: 'Where' },
        list: { $ref: '#/$defs/Node' },
        both: { allOf: [{ $ref: '#/definitions/Named' }, { properties: { age: { type: 'integer' } } }] },
        remote: { $ref: 'https://example.com/schema.json' },
      },
    };
    expect(toGeminiParameters(schema)).toEqual({
      type: 'object',
      properties: {
        at: { type: 'object', description: 'Where', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] },
        list: { type: 'object', properties: { value: { type: 'string' }, next: { type: 'object' } } },
        both: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'] },
        remote: { type: 'object' },
      },
    });
  });

  it('gives an array without items string items, and a tuple its first member', () => {
    expect(
      toGeminiParameters({ type: 'object', properties: { any: { type: 'array' }, pair: { type: 'array', items: [{ type: 'number' }, { type: 'string' }] } } }),
    ).toEqual({ type: 'object', properties: { any: { type: 'array', items: { type: 'string' } }, pair: { type: 'array', items: { type: 'number' } } } });
  });

  it('drops an empty nested properties map, which Gemini refuses', () => {
    expect(toGeminiParameters({ type: 'object', properties: { options: { type: 'object', properties: {}, additionalProperties: true } } })).toEqual({
      type: 'object',
      properties: { options: { type: 'object' } },
    });
  });
});
