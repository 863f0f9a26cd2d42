/**
 * Connections to the Redis a catalogue queue lives on. A worker's waits for Redis to come back
 * for ever (BullMQ asks for `maxRetriesPerRequest: null`); a command's gives up within seconds,
 * so `enqueue` and `status` say Redis is not there instead of hanging.
 */
import { Redis } from 'ioredis';
import { message, type Message } from '../messages.js';

/** A worker's connection: it reconnects every second or two while Redis is away. */
export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(250 * times, 2000) });
}

/** A command's connection, checked with a PING; a Redis that does not answer is a catalogue-004. */
export async function commandConnection(url: string): Promise<{ connection?: Redis; messages: Message[] }> {
  const connection = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000, lazyConnect: true, retryStrategy: (times) => (times > 2 ? null : 300) });
  // ioredis reports every failed attempt as an event; the PING below says it once, with the
  // cause the event gave (the PING's own error is only that the connection closed).
  let cause: unknown;
  connection.on('error', (error) => (cause = error));
  try {
    await connection.connect();
    await connection.ping();
    return { connection, messages: [] };
  } catch (error) {
    connection.disconnect();
    return { messages: [redisLost(url, cause ?? error)] };
  }
}

/** The message for a Redis that is not there. */
export function redisLost(url: string, error: unknown): Message {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return message('catalogue-004', `Unexpected Redis at \`${url}\` not answering (${reason}), expected a running redis-server`);
}
