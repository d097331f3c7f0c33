/**
 * A user id as every entry point takes it (the participation request schema, user tokens, activity codes, the
 * blocklist, the grants endpoint, testers): 1-128 characters of A-Z a-z 0-9 . _ : @ -.
 */
export const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
