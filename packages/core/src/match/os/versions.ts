/** Release number helpers shared by the OS drivers. */
export const major = (v: string) => v.split('.')[0] ?? v;
export const majorMinor = (v: string) => v.split('.').slice(0, 2).join('.');
