/** Who is calling, as the platform's token says. */
export interface AuthUser {
  /** JWT `sub`: owner of everything this user creates. */
  id: string;
  /** Channels the user may upload to (claim `channels`); '*' means every channel. */
  channels: string[] | '*';
}

export function mayUploadTo(user: AuthUser, channelId: string): boolean {
  return user.channels === '*' || user.channels.includes(channelId);
}
