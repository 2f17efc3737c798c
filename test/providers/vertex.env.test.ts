/**
 * The `vertex` EnvProvider: which variables switch provider-vertex on and
 * how they become its options, and that those options boot the plugin.
 */
import { describe, expect, it } from '@jest/globals';
import { vertex } from '../../config/providers/vertex.js';
import { testKernel } from '../helpers/kernel.js';

describe('EnvProvider vertex', () => {
  it('is on with a Vertex project or a Gemini key, and off with neither', () => {
    expect(vertex.on({ VERTEX_PROJECT_ID: 'p' })).toBe(true);
    expect(vertex.on({ VERTEX_API_KEY: 'k' })).toBe(true);
    expect(vertex.on({ GOOGLE_API_KEY: 'k' })).toBe(true);
    expect(vertex.on({ GOOGLE_CLOUD_PROJECT: 'p' })).toBe(false);
    expect(vertex.on({ VERTEX_PROJECT_ID: '  ' })).toBe(false);
    expect(vertex.on({})).toBe(false);
  });

  it('maps a Vertex setup: project, region, key file, Claude', () => {
    const env = { VERTEX_PROJECT_ID: 'my-proj', VERTEX_REGION: 'us-east5', GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json', GOOGLE_API_KEY: 'unrelated' };
    expect(vertex.options(env)).toEqual({ family: 'claude', project: 'my-proj', region: 'us-east5', credentials: '/keys/sa.json' });
    expect(vertex.model(env)).toBe('claude-sonnet-4-6');
    expect(vertex.options({ GOOGLE_CLOUD_PROJECT: 'g', GOOGLE_CLOUD_LOCATION: 'europe-west1', VERTEX_PROJECT_ID: 'v' })).toMatchObject({ project: 'v', region: 'europe-west1' });
  });

  it('maps the original\'s Gemini API setup: a key and VERTEX_MODEL', () => {
    expect(vertex.options({ GOOGLE_API_KEY: 'AIza-1' })).toEqual({ family: 'gemini', apiKey: 'AIza-1' });
    expect(vertex.options({ VERTEX_API_KEY: 'AIza-2', GOOGLE_API_KEY: 'AIza-1', GOOGLE_CLOUD_PROJECT: 'p' })).toEqual({ family: 'gemini', project: 'p', apiKey: 'AIza-2' });
    expect(vertex.model({ VERTEX_API_KEY: 'k' })).toBe('gemini-3.8-flash');
    expect(vertex.model({ VERTEX_API_KEY: 'k', VERTEX_MODEL: 'gemini-2.0-flash' })).toBe('gemini-2.0-flash');
  });

  it('takes VERTEX_FAMILY, and refuses a value it does not know', () => {
    expect(vertex.options({ VERTEX_PROJECT_ID: 'p', VERTEX_FAMILY: 'Gemini' })).toMatchObject({ family: 'gemini' });
    expect(vertex.model({ VERTEX_PROJECT_ID: 'p', VERTEX_FAMILY: 'gemini' })).toBe('gemini-3.8-flash');
    expect(() => vertex.options({ VERTEX_PROJECT_ID: 'p', VERTEX_FAMILY: 'llama' })).toThrow('VERTEX_FAMILY=llama is not claude or gemini');
  });

  it('gives options the plugin boots with', async () => {
    const env = { VERTEX_API_KEY: 'AIza-1', VERTEX_MODEL: 'gemini-2.5-pro' };
    const kernel = await testKernel({ plugins: [[vertex.plugin, { ...vertex.options(env), model: vertex.model(env) }]] });
    await kernel.stop();
  });
});
