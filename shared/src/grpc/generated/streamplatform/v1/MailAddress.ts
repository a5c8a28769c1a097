// Original file: protos/streamplatform/v1/accounts.proto


/**
 * Where the platform may mail a person (notifications: only the function that owns the
 * addresses hands them out, one at a time, to platform-internal callers).
 */
export interface MailAddress {
  'email'?: (string);
  'displayName'?: (string);
  /**
   * Whether the person proved the address is theirs: notification mail goes to verified ones only.
   */
  'verified'?: (boolean);
}

/**
 * Where the platform may mail a person (notifications: only the function that owns the
 * addresses hands them out, one at a time, to platform-internal callers).
 */
export interface MailAddress__Output {
  'email': (string);
  'displayName': (string);
  /**
   * Whether the person proved the address is theirs: notification mail goes to verified ones only.
   */
  'verified': (boolean);
}
