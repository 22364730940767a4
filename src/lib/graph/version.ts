/**
 * The app version written into exported files as `generator`. A constant rather than an import of
 * package.json, which would put the whole manifest into the browser bundle; a unit test keeps them equal.
 */
export const SWITCHBOARD_VERSION = "0.1.0";
export const GENERATOR = `switchboard@${SWITCHBOARD_VERSION}`;
