// What the platform tells the runtime through a container's environment, beyond OpenWhisk's own variables.

/** "true": composer-generated conductor code gets redis 3 for `require('redis')` (the platform's `composerRedis3`). */
export const COMPOSER_REDIS3_ENV = 'SUPERCOMPUTE_COMPOSER_REDIS3';
