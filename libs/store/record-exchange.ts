/** The outcome types moved to write/types.ts; kept here for modules still importing this path. */
export type * from './write/types.js';
