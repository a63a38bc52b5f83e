/** Who starts and owns uploads, as the platform's token says (apps/api verifies it). */
export interface Uploader {
  /** The user id (JWT `sub`): owner of every batch, upload and video this user creates. */
  id: string;
  /** Channels the user may upload to (claim `channels`); '*' means every channel. */
  channels: readonly string[] | '*';
}

export function mayUploadTo(uploader: Uploader, channelId: string): boolean {
  return uploader.channels === '*' || uploader.channels.includes(channelId);
}
