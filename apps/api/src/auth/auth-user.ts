/** Who is calling, as the platform's token says: the uploader of libs/uploads. */
export type { Uploader as AuthUser } from '#uploads';
