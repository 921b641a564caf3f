// The documents a controller serves about itself: `GET /` (what wskdeploy and the CLIs read for the runtimes and
// limits) and `GET /api/v1`.
import { createRequire } from 'node:module';
import type { ApiContext } from './context.ts';
import { NODE_KINDS, DEFAULT_NODE_KIND } from '../kinds.ts';

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export function apiInfo(ctx: Pick<ApiContext, 'options'>): Record<string, unknown> {
  const l = ctx.options.limits;
  const MB = 1024 * 1024;
  return {
    description: 'OpenWhisk',
    support: { github: 'https://github.com/apache/openwhisk/issues', slack: 'http://slack.openwhisk.org' },
    api_paths: ['/api/v1'],
    limits: {
      actions_per_minute: l.invocationsPerMinute,
      triggers_per_minute: l.firesPerMinute,
      concurrent_actions: l.concurrentInvocations,
      sequence_length: l.actionSequenceLimit,
      min_action_duration: l.timeout.min,
      max_action_duration: l.timeout.max,
      min_action_memory: l.memory.min * MB,
      max_action_memory: l.memory.max * MB,
      min_action_logs: l.logs.min * MB,
      max_action_logs: l.logs.max * MB,
    },
    runtimes: {
      nodejs: NODE_KINDS.map((kind) => ({
        kind,
        image: `openwhisk/action-${kind.replace(':', '-v')}:nightly`,
        deprecated: false,
        default: kind === DEFAULT_NODE_KIND,
        attached: false,
        requireMain: false,
      })),
    },
    build: `supercompute ${version}`,
    buildno: version,
  };
}

export function apiVersionInfo(): Record<string, unknown> {
  return {
    description: 'OpenWhisk API',
    api_version: '1.0.0',
    api_version_path: 'v1',
    build: `supercompute ${version}`,
    buildno: version,
    swagger_paths: { ui: '/api/v1/docs', 'api-docs': '/api/v1/api-docs' },
  };
}
