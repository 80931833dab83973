import { FileSystemError, invalidArgument } from '@cellshape/core';
import { Redis } from 'ioredis';

/** How the distributed layer connects to Redis. */
export interface RedisConnectOptions {
  /**
   * Milliseconds to keep trying a Redis that does not answer before giving up with an error:
   * on the first connection, and again each time the connection is lost (a Redis restart).
   * Default 30 000.
   */
  retryFor?: number;
}

/** Defaults of {@link RedisConnectOptions}. */
export const DEFAULT_REDIS_CONNECT_OPTIONS = { retryFor: 30_000 } as const;

/** Delay between two connection attempts, growing to at most this many milliseconds. */
const MAX_RETRY_DELAY = 1000;

/** The delay before attempt `times` (1-based) and whether the budget allows it. */
function retryDelay(times: number): number {
  return Math.min(100 * times, MAX_RETRY_DELAY);
}

/** Attempts that fit in `retryFor` milliseconds with the growing {@link retryDelay}. */
function attemptsWithin(retryFor: number): number {
  let spent = 0;
  let times = 0;
  while (spent + retryDelay(times + 1) <= retryFor) spent += retryDelay(++times);
  return times;
}

/** `redis://` or `rediss://` URLs only: anything else is a usage mistake worth naming. */
export function checkRedisUrl(fn: string, url: unknown): string {
  if (typeof url !== 'string' || !/^rediss?:\/\/[^/\s]/.test(url))
    throw invalidArgument(fn, 'redis', 'a redis://host[:port][/db] URL', url);
  return url;
}

/**
 * A connected ioredis client for BullMQ (`maxRetriesPerRequest: null`, as its workers
 * require). Connection attempts are bounded by `retryFor`: an unreachable Redis is an error
 * within that time instead of a hang, and a lost connection is retried as long again (so a
 * Redis restart is survived) before the client ends; listen for its `'end'` event.
 *
 * @throws FileSystemError naming the URL and the last connection error when Redis does not
 *   answer within `retryFor` milliseconds.
 */
export async function connectRedis(
  fn: string,
  url: string,
  options: RedisConnectOptions = {},
): Promise<Redis> {
  checkRedisUrl(fn, url);
  const retryFor = options.retryFor ?? DEFAULT_REDIS_CONNECT_OPTIONS.retryFor;
  const attempts = attemptsWithin(retryFor);
  let lastError: Error | undefined;
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    connectTimeout: Math.min(10_000, Math.max(1000, retryFor)),
    retryStrategy: (times) => (times > attempts ? null : retryDelay(times)),
  });
  client.on('error', (error: Error) => {
    lastError = error;
  });
  await new Promise<void>((ready, fail) => {
    const onEnd = (): void => {
      client.off('ready', onReady);
      fail(
        new FileSystemError(
          `${fn}: cannot reach Redis at ${url} (${lastError?.message ?? 'connection closed'}; tried for ${retryFor / 1000} s); start redis-server or check --redis`,
          { fn, arg: 'redis', cause: lastError },
        ),
      );
    };
    const onReady = (): void => {
      client.off('end', onEnd);
      ready();
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
  return client;
}
