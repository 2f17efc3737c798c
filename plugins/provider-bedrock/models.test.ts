import { describe, expect, it } from '@jest/globals';
import { mapModel } from '../../kernel/index.js';
import { defaultModelMap, geographyOf, profileOf } from './models.js';

describe('profileOf', () => {
  it.each([
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude', 64_000, true, 'all'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude', 64_000, true, 'all'],
    ['arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-opus-4-1-20250805-v1:0', 'claude', 32_000, true, 'all'],
    ['us.anthropic.claude-opus-4-20250514-v1:0', 'claude', 32_000, true, 'all'],
    ['us.anthropic.claude-opus-4-5-20251101-v1:0', 'claude', 64_000, true, 'all'],
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'claude', 64_000, true, 'all'],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'claude', 8192, false, 'all'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude', 8192, false, 'none'],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'claude', 4096, false, 'none'],
    ['claude-sonnet-4-5', 'claude', 64_000, true, 'all'],
    ['us.anthropic.claude-sonnet-5-20270101-v1:0', 'claude', 32_000, true, 'all'],
    ['us.amazon.nova-pro-v1:0', 'nova', 5000, false, 'prompt'],
    ['meta.llama3-1-70b-instruct-v1:0', 'llama', 2048, false, 'none'],
    ['mistral.mistral-large-2407-v1:0', 'mistral', 8192, false, 'none'],
    ['us.deepseek.r1-v1:0', 'deepseek', 32_768, true, 'none'],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3', 'other', 8192, false, 'none'],
  ] as const)('%s: %s, %i output tokens, thinking %s, cache %s', (id, family, maxOutputTokens, thinking, cache) => {
    const profile = profileOf(id);
    expect(profile).toMatchObject({ family, cache, capabilities: { maxOutputTokens, thinking } });
  });
});

describe('the default model map', () => {
  it.each([
    ['us-east-1', 'us'],
    ['us-west-2', 'us'],
    ['eu-central-1', 'eu'],
    ['ap-northeast-1', 'apac'],
    ['us-gov-west-1', 'us-gov'],
    ['ca-central-1', 'us'],
  ])('%s uses %s. profiles', (region, geo) => {
    expect(geographyOf(region)).toBe(geo);
    expect(mapModel('claude-sonnet-4-5-20250929', defaultModelMap(region))).toBe(`${geo}.anthropic.claude-sonnet-4-5-20250929-v1:0`);
  });

  it.each([
    ['claude-opus-4-5-20251101', 'us.anthropic.claude-opus-4-5-20251101-v1:0'],
    ['claude-opus-4-1-20250805', 'us.anthropic.claude-opus-4-1-20250805-v1:0'],
    ['claude-opus-4-20250514', 'us.anthropic.claude-opus-4-20250514-v1:0'],
    ['claude-opus-4-0', 'us.anthropic.claude-opus-4-20250514-v1:0'],
    ['claude-sonnet-4-20250514', 'us.anthropic.claude-sonnet-4-20250514-v1:0'],
    ['claude-sonnet-4-5[1m]', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['claude-3-7-sonnet-latest', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['claude-3-5-haiku-20241022', 'us.anthropic.claude-3-5-haiku-20241022-v1:0'],
    ['claude-haiku-4-5-20251001', 'us.anthropic.claude-haiku-4-5-20251001-v1:0'],
    ['gpt-4o', undefined],
  ])('maps %s to %s', (requested, expected) => {
    expect(mapModel(requested, defaultModelMap('us-east-1'))).toBe(expected);
  });
});
