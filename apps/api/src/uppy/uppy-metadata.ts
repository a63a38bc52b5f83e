/** The channel of an Uppy file, from its meta (`channel_id`, set with Uppy's `meta` option). */
import { validationFailed } from '#uploads';

// eslint-disable-next-line no-control-regex -- the rule names exactly these characters
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `metadata.channel_id` as a string (a number is read as its decimal string), checked as init checks it. */
export function channelOf(metadata: Record<string, unknown>): string {
  const raw = metadata.channel_id;
  const channel = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : raw;
  if (typeof channel !== 'string' || channel.length === 0 || channel.length > 255 || CONTROL.test(channel))
    throw validationFailed([
      {
        field: 'metadata.channel_id',
        problems: ["set the channel in Uppy's meta: { channel_id: '<id>' } (1 to 255 characters)"],
      },
    ]);
  return channel;
}
