/** `fixable`: a fixed version exists and is newer than what is installed; `unfixed`: affected, no fix yet. */
export type AdvisoryStatus = 'fixable' | 'unfixed';
