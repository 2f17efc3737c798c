import { describe, expect, it } from '@jest/globals';
import { bedrock } from '../../config/providers/bedrock.js';
import { testKernel } from '../../test/helpers/kernel.js';

describe('the bedrock EnvProvider', () => {
  it('is on with a Bedrock API key or an AWS access key, and off otherwise', () => {
    expect(bedrock.on({ AWS_BEDROCK_API_KEY: 'ABSK1' })).toBe(true);
    expect(bedrock.on({ AWS_BEARER_TOKEN_BEDROCK: 'ABSK1' })).toBe(true);
    expect(bedrock.on({ AWS_ACCESS_KEY_ID: 'AKIA1' })).toBe(true);
    expect(bedrock.on({ AWS_REGION: 'eu-west-1', AWS_BEDROCK_API_KEY: ' ' })).toBe(false);
  });

  it('maps the region, the key or the static credentials, and the model', () => {
    expect(bedrock.options({ AWS_BEDROCK_API_KEY: 'ABSK1', AWS_BEDROCK_REGION: 'eu-central-1', AWS_REGION: 'us-west-2' })).toEqual({ region: 'eu-central-1', apiKey: 'ABSK1' });
    expect(bedrock.options({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's3cret', AWS_SESSION_TOKEN: 'tok', AWS_REGION: 'us-west-2' })).toEqual({
      region: 'us-west-2',
      accessKeyId: 'AKIA1',
      secretAccessKey: 's3cret',
      sessionToken: 'tok',
    });
    // A key id without its secret is left to the credential chain rather than failing the boot.
    expect(bedrock.options({ AWS_ACCESS_KEY_ID: 'AKIA1' })).toEqual({ region: 'us-east-1' });
    expect(bedrock.model({})).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(bedrock.model({ AWS_BEDROCK_MODEL_ID: 'eu.amazon.nova-pro-v1:0' })).toBe('eu.amazon.nova-pro-v1:0');
  });

  it('gives options the plugin accepts', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's3cret', AWS_BEDROCK_REGION: 'ap-southeast-2' };
    const kernel = await testKernel({ plugins: [[bedrock.plugin, { ...bedrock.options(env), model: bedrock.model(env) }]] });
    await kernel.stop();
  });
});
