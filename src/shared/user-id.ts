/**
 * A user id as every entry point takes it (the participation request schema, user tokens, activity codes, the
 * blocklist, the grants endpoint, testers): 1-128 characters of A-Z a-z 0-9 . _ : @ -, but not `.` or `..`
 * alone: the profile service is asked at `<PROFILE_URL>/…/<userId>`, where those are path steps (`..` would ask
 * for the service's root, and a 404 there reads as an empty profile).
 */
export const USER_ID = /^(?!\.{1,2}$)[A-Za-z0-9._:@-]{1,128}$/;

/** USER_ID in words, for the messages that refuse one. */
export const USER_ID_RULE = '1-128 characters of A-Z a-z 0-9 . _ : @ -, not . or .. alone';
