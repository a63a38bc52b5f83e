/** The worker thread of PartSigningPool: signs a run of part URLs from a PartUrlSigner's state. */
import type { PartToSign } from './object-storage.js';
import { PartUrlSigner, type PartUrlSignerState } from './part-url-signer.js';

export interface PartSigningTask {
  state: PartUrlSignerState;
  parts: PartToSign[];
}

export default function signParts({ state, parts }: PartSigningTask): string[] {
  return PartUrlSigner.fromState(state).signAll(parts);
}
