/** Injection tokens of the infrastructure clients shared by the API's services. */
export const REDIS = Symbol('REDIS');
