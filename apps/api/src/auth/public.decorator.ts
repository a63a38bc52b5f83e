import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'reelay:public';

/** A route anyone may call without a token (health only). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
