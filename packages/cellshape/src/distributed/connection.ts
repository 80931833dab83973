import { FileSystemError, invalidArgument } from '@cellshape/core';
import { Redis } from 'ioredis';

/** How the distributed layer connects to Redis. */
export interface RedisConnectOptions {
  /**
   * Milliseconds to keep trying to reach Redis at the start before giving up with an error (a
   * wrong URL, Redis not started). Default 5000.
   */
  connectFor?: number;
  /**
   * Milliseconds to keep trying to reach Redis again after a connection is lost (a Redis
   * restart) before giving up. Default 30 000.
   */
  retryFor?: number;
}

/** Defaults of {@link RedisConnectOptions}. */
export const DEFAULT_REDIS_CONNECT_OPTIONS = { connectFor: 5000, retryFor: 30_000 } as const;

/** Delay between two connection attempts, growing to at most this many milliseconds. */
const MAX_RETRY_DELAY = 1000;

/** The delay before attempt `times` (1-based). */
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
 * require). Connection attempts are bounded: an unreachable Redis is an error after
 * `connectFor` instead of a hang, and a lost connection is retried for `retryFor` (so a Redis
 * restart is survived) before the client ends; listen for its `'end'` event. Clients made
 * with `duplicate()` share the bounds.
 *
 * @throws FileSystemError naming the URL and the last connection error when Redis does not
 *   answer within `connectFor` milliseconds.
 */
export async function connectRedis(
  fn: string,
  url: string,
  options: RedisConnectOptions = {},
): Promise<Redis> {
  checkRedisUrl(fn, url);
  const connectFor = options.connectFor ?? DEFAULT_REDIS_CONNECT_OPTIONS.connectFor;
  const retryFor = options.retryFor ?? DEFAULT_REDIS_CONNECT_OPTIONS.retryFor;
  let attempts = attemptsWithin(connectFor);
  let lastError: Error | undefined;
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    connectTimeout: Math.min(10_000, Math.max(500, connectFor)),
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
          `${fn}: cannot reach Redis at ${url} (${lastError?.message ?? 'connection closed'}; tried for ${connectFor / 1000} s); start redis-server or check --redis`,
          { fn, arg: 'redis', cause: lastError },
        ),
      );
    };
    const onReady = (): void => {
      client.off('end', onEnd);
      attempts = attemptsWithin(retryFor);
      ready();
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
  return client;
}
